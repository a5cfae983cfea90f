// Command ginapp is the blog benchmark's gin server: the three endpoints
// as a gin user writes them (gin.Default(), so gin's request logger and
// recovery; GIN_MODE=release in production), over the same hand-written
// SQL and templates as the plain server (package baseline).
//
//	GIN_MODE=release ginapp -addr 127.0.0.1:8080 -db sqlite3:/tmp/blog.sqlite3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

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
		fmt.Fprintln(os.Stderr, "ginapp:", err)
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

func routes(store baseline.Store) *gin.Engine {
	r := gin.Default()
	r.SetHTMLTemplate(baseline.Templates)
	r.GET("/hello", func(c *gin.Context) {
		c.String(http.StatusOK, baseline.Hello)
	})
	r.GET("/posts", func(c *gin.Context) {
		posts, err := store.Newest(c.Request.Context(), baseline.PageSize)
		if err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		c.HTML(http.StatusOK, "index", posts)
	})
	r.GET("/posts/:file", func(c *gin.Context) {
		num, ok := strings.CutSuffix(c.Param("file"), ".json")
		id, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			c.Status(http.StatusNotFound)
			return
		}
		post, err := store.Find(c.Request.Context(), id)
		if errors.Is(err, baseline.ErrNotFound) {
			c.Status(http.StatusNotFound)
			return
		}
		if err != nil {
			_ = c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		// gin's c.JSON writes no final newline; gorails (and the plain
		// server) do, and the bodies must be byte-identical.
		c.Header("Content-Type", baseline.JSONType)
		c.Status(http.StatusOK)
		_ = baseline.WriteJSON(c.Writer, post)
	})
	return r
}
