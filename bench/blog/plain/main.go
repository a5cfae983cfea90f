// Command plain is the blog benchmark's baseline: the three endpoints with
// net/http's ServeMux, html/template and hand-written SQL (package
// baseline), no logging, no middleware.
//
//	plain -addr 127.0.0.1:8080 -db sqlite3:/tmp/blog.sqlite3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/gorails/gorails/bench/blog/internal/baseline"
	"github.com/gorails/gorails/bench/blog/internal/cpuprofile"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dbURL := flag.String("db", "", "database: sqlite3:PATH or postgres://...")
	flag.Parse()
	stop := cpuprofile.Start()
	err := run(*addr, *dbURL)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "plain:", err)
		os.Exit(1)
	}
}

func run(addr, dbURL string) error {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	store, err := baseline.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	srv := &http.Server{Addr: addr, Handler: baseline.Handler(store)}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
