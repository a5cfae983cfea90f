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
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
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
	srv := &http.Server{Addr: addr, Handler: routes(store)}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func routes(store baseline.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", baseline.TextType)
		_, _ = w.Write([]byte(baseline.Hello))
	})
	mux.HandleFunc("GET /posts", func(w http.ResponseWriter, r *http.Request) {
		posts, err := store.Newest(r.Context(), baseline.PageSize)
		if err != nil {
			serverError(w, err)
			return
		}
		w.Header().Set("Content-Type", baseline.HTMLType)
		if err := baseline.Templates.ExecuteTemplate(w, "index", posts); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /posts/{file}", func(w http.ResponseWriter, r *http.Request) {
		num, ok := strings.CutSuffix(r.PathValue("file"), ".json")
		id, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		post, err := store.Find(r.Context(), id)
		if errors.Is(err, baseline.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			serverError(w, err)
			return
		}
		w.Header().Set("Content-Type", baseline.JSONType)
		_ = baseline.WriteJSON(w, post)
	})
	return mux
}

func serverError(w http.ResponseWriter, err error) {
	log.Print(err)
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}
