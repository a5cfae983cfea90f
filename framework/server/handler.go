package server

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
)

// front is the handler net/http calls for every request. On the
// connection's own goroutine it checks the limits and buffers the body
// (the work of Puma's reactor), then waits for a slot in the pool and runs
// the application in it (Puma's thread pool). A slow client therefore
// holds a goroutine, never a slot.
type front struct {
	app     http.Handler
	cfg     *Config
	pool    *pool
	log     *slog.Logger
	closing *atomic.Bool // the server is stopping
}

func (h *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c := connFrom(r.Context()); c != nil {
		c.inHandler.Store(true)
		defer c.inHandler.Store(false)
		if n := c.requests.Add(1); h.cfg.MaxKeepAliveRequests > 0 && n >= int64(h.cfg.MaxKeepAliveRequests) {
			w.Header().Set("Connection", "close")
		}
	}
	// A chunked request's connection ends with its answer. net/http drops
	// the Content-Length of a request that also has Transfer-Encoding:
	// chunked before a handler sees it, so a smuggling attempt (both
	// headers, RFC 9112 section 6.3: close after answering) cannot be told
	// from a plain chunked upload; closing is required for the one and
	// costs the other a reconnect (browsers never send chunked bodies).
	// A stopping server closes every connection it answers on.
	if len(r.TransferEncoding) > 0 || (h.closing != nil && h.closing.Load()) {
		w.Header().Set("Connection", "close")
	}
	if h.cfg.MaxURILength > 0 && len(r.RequestURI) > h.cfg.MaxURILength {
		h.reject(w, r, http.StatusRequestURITooLong, "request URI too long")
		return
	}
	body, status, err := bufferBody(w, r, h.cfg)
	if err != nil {
		h.reject(w, r, status, err.Error())
		return
	}
	defer body.Close()
	if err := h.pool.acquire(r.Context()); err != nil {
		return // the client went away while waiting
	}
	defer h.pool.release()
	h.serveApp(w, r)
}

// serveApp runs the application; a panic becomes a 500 (or an aborted
// response if the headers were out) and a log line, and the worker lives.
func (h *front) serveApp(w http.ResponseWriter, r *http.Request) {
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		h.log.Error("handler panic", "method", r.Method, "uri", r.RequestURI, "panic", fmt.Sprint(v),
			"stack", string(debug.Stack()))
		if rw.wroteHeader {
			panic(http.ErrAbortHandler) // too late for a 500: cut the response short
		}
		plain(w, http.StatusInternalServerError)
	}()
	h.app.ServeHTTP(rw, r)
}

// reject answers with a short plain response, closes the connection and logs why.
func (h *front) reject(w http.ResponseWriter, r *http.Request, status int, reason string) {
	uri := r.RequestURI
	if len(uri) > 120 {
		uri = uri[:120] + "..."
	}
	h.log.Warn("rejected request", "status", status, "reason", reason, "method", r.Method,
		"uri", uri, "remote", r.RemoteAddr)
	w.Header().Set("Connection", "close")
	plain(w, status)
}

func plain(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "%d %s\n", status, http.StatusText(status))
}

// responseWriter records whether the headers went out. It keeps the
// optional interfaces net/http's writer has (Flusher, Hijacker,
// ReaderFrom) and Unwrap for http.ResponseController.
type responseWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (w *responseWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(p)
}

func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.wroteHeader = true
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
}

func (w *responseWriter) Flush() {
	w.wroteHeader = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.wroteHeader = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
