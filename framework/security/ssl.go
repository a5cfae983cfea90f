package security

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// SSL configures [ForceSSL]. The zero value redirects to port 443 and sends
// HSTS for two years including subdomains.
type SSL struct {
	// HSTSMaxAge is Strict-Transport-Security's max-age; 0 means two years,
	// a negative value sends no HSTS header.
	HSTSMaxAge time.Duration
	// ExcludeSubdomains drops includeSubDomains from HSTS.
	ExcludeSubdomains bool
	// Preload adds "preload" to HSTS.
	Preload bool
	// Port is the HTTPS port to redirect to; 0 means 443.
	Port int
	// Exclude exempts requests (health checks) from redirection.
	Exclude func(*http.Request) bool
	// Proxies may report X-Forwarded-Proto: https.
	Proxies *Proxies
	// AssumeSSL treats every request as HTTPS (Rails' assume_ssl): for an
	// app behind a TLS-terminating proxy that does not say so in
	// X-Forwarded-Proto, or that is not among Proxies. Nothing is
	// redirected; HSTS and Secure cookies still are sent.
	AssumeSSL bool
}

func (c SSL) hsts() string {
	age := c.HSTSMaxAge
	if age < 0 {
		return ""
	}
	if age == 0 {
		age = 2 * 365 * 24 * time.Hour
	}
	v := "max-age=" + strconv.FormatInt(int64(age/time.Second), 10)
	if !c.ExcludeSubdomains {
		v += "; includeSubDomains"
	}
	if c.Preload {
		v += "; preload"
	}
	return v
}

// ForceSSL returns middleware (Rails' force_ssl) that redirects plain HTTP
// to HTTPS (301 for GET and HEAD, 308 otherwise so the method and body are
// kept), adds Strict-Transport-Security to HTTPS responses and marks every
// cookie the response sets Secure. A request that came over HTTPS through a
// trusted proxy (or any request with AssumeSSL) gets r.URL.Scheme "https",
// so URLs built from the request (dispatch's BaseURL) are https ones. The
// redirect target uses the Host header: a host that is not a plain name is
// a 400.
func ForceSSL(cfg SSL) func(http.Handler) http.Handler {
	hsts := cfg.hsts()
	hstsValue := []string{hsts}
	writers := &sync.Pool{New: func() any { return new(secureCookieWriter) }}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.Exclude != nil && cfg.Exclude(r) {
				next.ServeHTTP(w, r)
				return
			}
			if !cfg.AssumeSSL && !cfg.Proxies.IsHTTPS(r) {
				redirectToHTTPS(w, r, cfg.Port)
				return
			}
			if r.TLS == nil && r.URL.Scheme != "https" {
				// A request whose context is its event.RequestScope is
				// the default stack's own copy: its URL is set in place,
				// to a copy held in the scope. Alone, the middleware
				// copies the request and its URL.
				sc := event.ScopeOf(r.Context())
				u := sc.ClaimURL()
				if u == nil {
					u = new(url.URL)
				}
				*u = *r.URL
				u.Scheme = "https"
				if sc == nil {
					r = r.WithContext(r.Context()) // a shallow copy
				}
				r.URL = u
			}
			if hsts != "" {
				// One value slice for every response, as Headers shares
				// its values: Header().Set would allocate one each time.
				w.Header()["Strict-Transport-Security"] = hstsValue
			}
			// The writers are reused: a handler must not use its
			// ResponseWriter after it returned.
			sw := writers.Get().(*secureCookieWriter)
			*sw = secureCookieWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			sw.flag()
			// Not deferred: after a panic the writer is left to the GC.
			*sw = secureCookieWriter{}
			writers.Put(sw)
		})
	}
}

func redirectToHTTPS(w http.ResponseWriter, r *http.Request, port int) {
	host := splitHost(r.Host)
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:") != "" {
		http.Error(w, "400 Bad Request: invalid host", http.StatusBadRequest)
		return
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != 0 && port != 443 {
		host += ":" + strconv.Itoa(port)
	}
	code := http.StatusMovedPermanently
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		code = http.StatusPermanentRedirect
	}
	http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), code)
}

// secureCookieWriter adds the Secure attribute to Set-Cookie headers just
// before the headers are sent.
type secureCookieWriter struct {
	http.ResponseWriter
	done bool
}

func (w *secureCookieWriter) flag() {
	if w.done {
		return
	}
	w.done = true
	cs := w.ResponseWriter.Header()["Set-Cookie"]
	for i, c := range cs {
		if !hasSecure(c) {
			cs[i] = c + "; Secure"
		}
	}
}

func hasSecure(cookie string) bool {
	for _, attr := range strings.Split(cookie, ";")[1:] {
		if strings.EqualFold(strings.TrimSpace(attr), "secure") {
			return true
		}
	}
	return false
}

func (w *secureCookieWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.flag()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *secureCookieWriter) Write(p []byte) (int, error) {
	w.flag()
	return w.ResponseWriter.Write(p)
}

// Flush flags cookies and flushes, if the underlying writer can.
func (w *secureCookieWriter) Flush() {
	w.flag()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands over the connection, if the underlying writer can; cookies
// not yet sent are lost.
func (w *secureCookieWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *secureCookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
