package controller_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// jsonPost is a record in Rails' JSON shape, with text to escape.
type jsonPost struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Score     float64 `json:"score"`
	CreatedAt string  `json:"created_at"`
}

func newJSONPost() jsonPost {
	return jsonPost{ID: 500, Title: "Tom & Jerry's <b>show</b>", Body: strings.Repeat("Ünïcode & <text> 'quoted' \u2028 ", 8), Score: 1.5, CreatedAt: "2026-01-14T22:47:05.165Z"}
}

// JSONPostsController answers GET /posts/:id.json with c.JSON.
type JSONPostsController struct {
	controller.Base
}

func (c *JSONPostsController) Show() error {
	if id, _ := c.Params().String("id"); id == "bad" {
		return c.JSON(http.StatusOK, map[string]any{"nan": math.NaN()})
	}
	return c.JSON(http.StatusOK, newJSONPost())
}

func jsonHandler(tb testing.TB) http.Handler {
	env := &controller.Env{Logger: slog.New(slog.DiscardHandler)}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	if err := rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("posts", dispatch.For[JSONPostsController](), dispatch.Only("show"))
	}); err != nil {
		tb.Fatal(err)
	}
	return rs
}

// TestJSONBytes: c.JSON answers json.Marshal's bytes (HTML characters
// escaped, no trailing newline); a value that does not encode is an error
// before anything is written.
func TestJSONBytes(t *testing.T) {
	t.Parallel()
	h := jsonHandler(t)
	want, _ := json.Marshal(newJSONPost())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/posts/500.json", nil))
	if rec.Code != 200 || rec.Body.String() != string(want) || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %q %q\nwant %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body, want)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/posts/bad.json", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "{") {
		t.Fatalf("a value that does not encode: %d %q", rec.Code, rec.Body)
	}
}

// BenchmarkJSON is a show action answering one record as JSON through
// routing, the controller and c.JSON, against the raw baseline: a
// net/http handler writing json.Marshal's bytes.
func BenchmarkJSON(b *testing.B) {
	raw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := json.Marshal(newJSONPost())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"gorails", jsonHandler(b)}, {"raw/net-http", raw}} {
		b.Run(bc.name, func(b *testing.B) {
			w := serveLoop(b, bc.h, "/posts/500.json")
			if w.code != 200 || w.n == 0 {
				b.Fatalf("status %d, %d bytes", w.code, w.n)
			}
		})
	}
}

// PathParamController answers GET /items/:id with the id read as an
// integer.
type PathParamController struct{ controller.Base }

func (c *PathParamController) Show() error {
	id, err := c.Params().Int64("id")
	if err != nil {
		return err
	}
	return c.Text(http.StatusOK, strconv.FormatInt(id, 10))
}

// BenchmarkPathParam is a show action reading its path param with
// c.Params().Int64 through routing and the controller (no query, no body:
// the params are not built), against the raw baseline: net/http's
// ServeMux, PathValue and strconv.ParseInt.
func BenchmarkPathParam(b *testing.B) {
	env := &controller.Env{Logger: slog.New(slog.DiscardHandler)}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	if err := rs.Draw(func(r *dispatch.Mapper) {
		r.Get("items/:id", dispatch.To((*PathParamController).Show))
	}); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, strconv.FormatInt(id, 10))
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"gorails", rs}, {"raw/net-http", mux}} {
		b.Run(bc.name, func(b *testing.B) {
			w := serveLoop(b, bc.h, "/items/500")
			if w.code != 200 || w.n != 3 {
				b.Fatalf("status %d, %d bytes", w.code, w.n)
			}
		})
	}
}
