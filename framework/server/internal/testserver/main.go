//go:build unix

// Command testserver is the application the server package's integration
// tests and benchmarks run: a master, its workers, or (with --plain) a
// plain net/http server on the same handler, for comparison.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/gorails/gorails/framework/server"
)

// version is what /echo and /version answer; tests build a second binary
// with -ldflags "-X main.version=2" to see a phased restart switch over.
var version = "1"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := pflag.NewFlagSet("testserver", pflag.ContinueOnError)
	var cfg server.Config
	cfg.BindFlags(fs)
	plain := fs.String("plain", "", "serve on this host:port with a plain http.Server instead")
	bootDelay := fs.Duration("boot-delay", 0, "sleep this long in boot")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	if *plain != "" {
		return (&http.Server{Addr: *plain, Handler: handler()}).ListenAndServe()
	}
	// A single-mode hot restart announces itself before the exec, as an
	// app stops its background work there.
	cfg.BeforeExec = func() { fmt.Fprintf(os.Stderr, "testserver: before exec pid=%d\n", os.Getpid()) }
	return server.Run(context.Background(), cfg, func() (http.Handler, error) {
		time.Sleep(*bootDelay)
		if os.Getenv("TESTSERVER_BOOT_FAIL") != "" {
			return nil, errors.New("boot failed on purpose")
		}
		return handler(), nil
	})
}

func handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello world\n")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "v%s len=%d pid=%d\n", version, n, os.Getpid())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "slept %dms pid=%d\n", ms, os.Getpid())
	})
	mux.HandleFunc("/pid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", os.Getpid())
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("on purpose")
	})
	// /freeze stops the whole worker process, as a hung app would: no
	// more check-ins, so the master must kill it.
	mux.HandleFunc("/freeze", func(w http.ResponseWriter, r *http.Request) {
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	})
	return mux
}
