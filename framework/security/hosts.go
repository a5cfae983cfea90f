package security

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/netip"
	"strings"
)

// ErrNoHosts is returned by [HostAuthorization] when no host is allowed and
// AllowAll is not set.
var ErrNoHosts = errors.New("security: no allowed hosts; set the application's hosts (for example []string{\"example.com\", \".example.com\"})")

// Hosts configures [HostAuthorization].
type Hosts struct {
	// Allowed lists the accepted hosts: "example.com" exactly,
	// ".example.com" for the domain and all its subdomains, an IP address,
	// or a CIDR range ("10.0.0.0/8").
	Allowed []string
	// AllowAll turns the check off (Rails' empty config.hosts); it must be
	// chosen explicitly.
	AllowAll bool
	// Exclude exempts requests (health checks) from the check.
	Exclude func(*http.Request) bool
	// Verbose answers with a page that says how to allow the host, for
	// development; otherwise the 403 body is terse.
	Verbose bool
}

// DevelopmentHosts are Rails' development defaults: localhost and its
// subdomains, *.test, and any IP address.
func DevelopmentHosts() []string {
	return []string{"localhost", ".localhost", ".test", "0.0.0.0/0", "::/0"}
}

type hostMatcher struct {
	exact    map[string]bool
	suffixes []string // ".example.com"
	prefixes []netip.Prefix
}

func newHostMatcher(allowed []string) (*hostMatcher, error) {
	m := &hostMatcher{exact: map[string]bool{}}
	for _, h := range allowed {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "" || h == ".":
			return nil, fmt.Errorf("security: empty allowed host")
		case strings.HasPrefix(h, "."):
			m.suffixes = append(m.suffixes, h)
		case strings.Contains(h, "/"):
			p, err := netip.ParsePrefix(h)
			if err != nil {
				return nil, fmt.Errorf("security: allowed host %q: %w", h, err)
			}
			m.prefixes = append(m.prefixes, p.Masked())
		default:
			m.exact[strings.TrimSuffix(h, ".")] = true
		}
	}
	return m, nil
}

func (m *hostMatcher) allows(hostport string) bool {
	host := splitHost(hostport)
	if host == "" {
		return false
	}
	if m.exact[host] {
		return true
	}
	for _, s := range m.suffixes {
		if host == s[1:] || strings.HasSuffix(host, s) {
			return true
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		for _, p := range m.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// HostAuthorization returns middleware that answers 403 to requests whose
// Host (and X-Forwarded-Host, when present) is not allowed, which defeats
// DNS rebinding and Host header poisoning. It fails with [ErrNoHosts] when
// nothing is allowed and with an error for a malformed entry.
func HostAuthorization(cfg Hosts) (func(http.Handler) http.Handler, error) {
	if cfg.AllowAll {
		return func(next http.Handler) http.Handler { return next }, nil
	}
	if len(cfg.Allowed) == 0 {
		return nil, ErrNoHosts
	}
	m, err := newHostMatcher(cfg.Allowed)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.Exclude != nil && cfg.Exclude(r) {
				next.ServeHTTP(w, r)
				return
			}
			var blocked []string
			if !m.allows(r.Host) {
				blocked = append(blocked, r.Host)
			}
			// The canonical key indexed as is: Values would canonicalise it
			// on every request first.
			for _, fh := range r.Header["X-Forwarded-Host"] {
				for _, h := range strings.Split(fh, ",") {
					if h = strings.TrimSpace(h); !m.allows(h) {
						blocked = append(blocked, h)
					}
				}
			}
			if len(blocked) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			blockedHost(w, blocked, cfg.Verbose)
		})
	}, nil
}

func blockedHost(w http.ResponseWriter, blocked []string, verbose bool) {
	if !verbose {
		http.Error(w, "403 Forbidden: blocked host", http.StatusForbidden)
		return
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Blocked hosts</title></head><body>\n<h1>Blocked hosts: ")
	b.WriteString(html.EscapeString(strings.Join(blocked, ", ")))
	b.WriteString("</h1>\n<p>To allow requests to these hosts, make sure each is a valid hostname, then add it to the application's hosts, for example:</p>\n<pre>")
	for _, h := range blocked {
		b.WriteString(html.EscapeString(fmt.Sprintf("config.Hosts = append(config.Hosts, %q)", splitHost(h))))
		b.WriteString("\n")
	}
	b.WriteString("</pre>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(b.String()))
}
