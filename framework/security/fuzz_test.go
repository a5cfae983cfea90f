package security_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/security"
)

// FuzzClientIP feeds X-Forwarded-For, X-Forwarded-Proto and the peer
// address: ClientIP never panics; a client that is not a trusted proxy is
// always its own address, whatever it claims; IsHTTPS believes a claim only
// from a trusted proxy.
func FuzzClientIP(f *testing.F) {
	for _, s := range [][3]string{
		{"203.0.113.9:1234", "10.0.0.1, 198.51.100.7", "https"},
		{"10.0.0.2:1", "198.51.100.7, 10.0.0.1", "https, http"},
		{"10.0.0.2:1", "garbage, 10.0.0.1", "HTTPS"},
		{"[::1]:5", "[2001:db8::1]:443, ::ffff:10.0.0.1", "http"},
		{"not an address", "", ""},
		{"127.0.0.1:1", strings.Repeat("10.0.0.1,", 100), "https"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	proxies, err := security.NewProxies(security.DefaultProxyRanges()...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff, proto string) {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("X-Forwarded-Proto", proto)
		ip := proxies.ClientIP(r)
		if s, want := proxies.ClientIPString(r), ip.String(); !ip.IsValid() && s != "" || ip.IsValid() && s != want {
			t.Fatalf("ClientIPString = %q, ClientIP = %v", s, ip)
		}
		var peer netip.Addr
		if ap, err := netip.ParseAddrPort(remote); err == nil {
			peer = ap.Addr().Unmap()
		} else if a, err := netip.ParseAddr(remote); err == nil {
			peer = a.Unmap()
		}
		if peer.IsValid() && !proxies.Trusted(peer) {
			if ip != peer {
				t.Fatalf("untrusted peer %v became %v through X-Forwarded-For %q", peer, ip, xff)
			}
			if proxies.IsHTTPS(r) {
				t.Fatalf("untrusted peer %v made the request HTTPS with %q", peer, proto)
			}
		}
	})
}

// FuzzHostAuthorization feeds allowed-host patterns and Host headers: the
// middleware is built or refused with an error, never a panic, and a host
// outside an exact allow-list is blocked.
func FuzzHostAuthorization(f *testing.F) {
	for _, s := range [][2]string{
		{"example.com", "example.com:8080"},
		{".example.com", "a.b.example.com"},
		{"10.0.0.0/8", "10.1.2.3:80"},
		{"10.0.0.0/33", "10.0.0.1"},
		{"::1/128", "[::1]:3000"},
		{"example.com", "example.com."},
		{"example.com", "evil.com#@example.com"},
		{".", ""},
	} {
		f.Add(s[0], s[1])
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	f.Fuzz(func(t *testing.T, pattern, host string) {
		mw, err := security.HostAuthorization(security.Hosts{Allowed: strings.Split(pattern, ",")})
		if err != nil {
			return
		}
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Host = host
		rec := httptest.NewRecorder()
		mw(ok).ServeHTTP(rec, r)
		if rec.Code != 200 && rec.Code != 403 {
			t.Fatalf("pattern %q host %q: status %d", pattern, host, rec.Code)
		}
		if pattern == "example.com" && rec.Code == 200 {
			h := strings.ToLower(host)
			if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
				h = h[:i]
			}
			if strings.TrimSuffix(h, ".") != "example.com" {
				t.Fatalf("allow-list example.com let %q through", host)
			}
		}
	})
}
