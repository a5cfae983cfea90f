package security

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorails/gorails/framework/event"
)

// Source expressions for [CSP.Set].
const (
	Self          = "'self'"
	None          = "'none'"
	UnsafeInline  = "'unsafe-inline'"
	UnsafeEval    = "'unsafe-eval'"
	StrictDynamic = "'strict-dynamic'"
	HTTPS         = "https:"
	Data          = "data:"
	Blob          = "blob:"
)

// ErrInvalidCSP reports a directive or source that would corrupt the header.
var ErrInvalidCSP = errors.New("security: invalid Content-Security-Policy")

type directive struct {
	name    string
	sources []string
}

// CSP builds a Content-Security-Policy. Configure it at boot with Set,
// NonceFor and ReportOnly, then call Middleware; it must not be changed
// afterwards. The zero value is an empty policy.
type CSP struct {
	directives []directive
	nonceFor   []string
	reportOnly bool
}

// DefaultCSP returns the policy Rails' generated initializer suggests:
// default-src 'self' https:; font-src 'self' https: data:; img-src 'self'
// https: data:; object-src 'none'; script-src 'self' https:; style-src
// 'self' https:, with nonces for script-src and style-src.
func DefaultCSP() *CSP {
	return new(CSP).
		Set("default-src", Self, HTTPS).
		Set("font-src", Self, HTTPS, Data).
		Set("img-src", Self, HTTPS, Data).
		Set("object-src", None).
		Set("script-src", Self, HTTPS).
		Set("style-src", Self, HTTPS).
		NonceFor("script-src", "style-src")
}

// Set sets directive name to sources, replacing an earlier setting; no
// sources removes the directive.
func (c *CSP) Set(name string, sources ...string) *CSP {
	for i, d := range c.directives {
		if d.name == name {
			if len(sources) == 0 {
				c.directives = append(c.directives[:i], c.directives[i+1:]...)
			} else {
				c.directives[i].sources = sources
			}
			return c
		}
	}
	if len(sources) > 0 {
		c.directives = append(c.directives, directive{name, sources})
	}
	return c
}

// NonceFor makes the named directives (usually script-src and style-src)
// carry the request's nonce.
func (c *CSP) NonceFor(directives ...string) *CSP {
	c.nonceFor = directives
	return c
}

// ReportOnly sends the policy as Content-Security-Policy-Report-Only.
func (c *CSP) ReportOnly() *CSP {
	c.reportOnly = true
	return c
}

// String returns the header value for nonce ("" means none).
func (c *CSP) String(nonce string) string {
	var b strings.Builder
	for i, d := range c.directives {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.name)
		for _, s := range d.sources {
			b.WriteByte(' ')
			b.WriteString(s)
		}
		if nonce != "" && c.wantsNonce(d.name) {
			b.WriteString(" 'nonce-")
			b.WriteString(nonce)
			b.WriteByte('\'')
		}
	}
	return b.String()
}

func (c *CSP) wantsNonce(name string) bool {
	for _, n := range c.nonceFor {
		if n == name {
			return true
		}
	}
	return false
}

func (c *CSP) validate() error {
	for _, d := range c.directives {
		if d.name == "" || strings.Trim(d.name, "abcdefghijklmnopqrstuvwxyz-") != "" {
			return fmt.Errorf("%w: directive %q", ErrInvalidCSP, d.name)
		}
		for _, s := range d.sources {
			if s == "" || strings.ContainsAny(s, ";,\"\r\n\t ") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
				return fmt.Errorf("%w: source %q in %s", ErrInvalidCSP, s, d.name)
			}
		}
	}
	return nil
}

type nonceKey struct{}

// Middleware validates the policy and returns middleware that sends it on
// every response, with a fresh random nonce per request when NonceFor named
// any directive. It fails with [ErrInvalidCSP].
func (c *CSP) Middleware() (func(http.Handler) http.Handler, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	header := "Content-Security-Policy"
	if c.reportOnly {
		header = "Content-Security-Policy-Report-Only"
	}
	if len(c.nonceFor) == 0 {
		value := c.String("")
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set(header, value)
				next.ServeHTTP(w, r)
			})
		}, nil
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nonce := newNonce()
			w.Header().Set(header, c.String(nonce))
			// In the default stack the nonce goes in the request's
			// event.RequestScope, without a copy of the request.
			if !event.ScopeOf(r.Context()).Set(nonceKey{}, nonce) {
				r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

func newNonce() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// Nonce returns the request's CSP nonce for nonce="..." attributes, or ""
// when the CSP middleware did not set one.
func Nonce(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}
