package security_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/security"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestDefaultHeaders(t *testing.T) {
	t.Parallel()
	rec := serve(security.Headers(security.DefaultHeaders())(ok), httptest.NewRequest("GET", "/", nil))
	tests := []struct{ header, want string }{
		{"X-Frame-Options", "SAMEORIGIN"},
		{"X-XSS-Protection", "0"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Permitted-Cross-Domain-Policies", "none"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
	}
	for _, tt := range tests {
		t.Run(tt.header+" is "+tt.want, func(t *testing.T) {
			if got := rec.Header().Get(tt.header); got != tt.want {
				t.Fatalf("%s = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
	t.Run("a handler may override a header", func(t *testing.T) {
		h := security.Headers(security.DefaultHeaders())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Frame-Options", "DENY")
		}))
		if got := serve(h, httptest.NewRequest("GET", "/", nil)).Header().Get("X-Frame-Options"); got != "DENY" {
			t.Fatalf("X-Frame-Options = %q", got)
		}
	})
}

func TestCSP(t *testing.T) {
	t.Parallel()
	mw, err := security.DefaultCSP().Middleware()
	if err != nil {
		t.Fatal(err)
	}
	var nonce string
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { nonce = security.Nonce(r) }))
	rec := serve(h, httptest.NewRequest("GET", "/", nil))
	first := nonce
	got := rec.Header().Get("Content-Security-Policy")
	want := "default-src 'self' https:; font-src 'self' https: data:; img-src 'self' https: data:; object-src 'none'; " +
		"script-src 'self' https: 'nonce-" + nonce + "'; style-src 'self' https: 'nonce-" + nonce + "'"
	if nonce == "" || got != want {
		t.Fatalf("CSP = %q\nwant  %q", got, want)
	}
	serve(h, httptest.NewRequest("GET", "/", nil))
	if nonce == first {
		t.Fatal("nonce reused across requests")
	}

	ro, _ := new(security.CSP).Set("default-src", security.Self).ReportOnly().Middleware()
	rec = serve(ro(ok), httptest.NewRequest("GET", "/", nil))
	if rec.Header().Get("Content-Security-Policy-Report-Only") != "default-src 'self'" || rec.Header().Get("Content-Security-Policy") != "" {
		t.Fatalf("report-only headers: %v", rec.Header())
	}
	if security.Nonce(httptest.NewRequest("GET", "/", nil)) != "" {
		t.Fatal("nonce without middleware")
	}
	for _, bad := range []*security.CSP{
		new(security.CSP).Set("script-src", "'self'; report-uri http://evil"),
		new(security.CSP).Set("script src", security.Self),
		new(security.CSP).Set("img-src", "a\r\nX-Injected: 1"),
	} {
		if _, err := bad.Middleware(); !errors.Is(err, security.ErrInvalidCSP) {
			t.Errorf("invalid policy accepted: %v", err)
		}
	}
}

func TestForceSSL(t *testing.T) {
	t.Parallel()
	proxies, _ := security.NewProxies("10.0.0.0/8")
	cookieSetter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		w.Header().Add("Set-Cookie", "b=2; Path=/; Secure")
		io.WriteString(w, "ok")
	})
	h := security.ForceSSL(security.SSL{Proxies: proxies})(cookieSetter)
	tests := []struct {
		name     string
		method   string
		url      string
		tls      bool
		remote   string
		proto    string
		code     int
		location string
	}{
		{"plain GET is redirected permanently", "GET", "http://example.com/a?b=1", false, "1.2.3.4:1", "", 301, "https://example.com/a?b=1"},
		{"plain POST keeps its method with 308", "POST", "http://example.com/a", false, "1.2.3.4:1", "", 308, "https://example.com/a"},
		{"the port is dropped", "GET", "http://example.com:8080/", false, "1.2.3.4:1", "", 301, "https://example.com/"},
		{"TLS passes", "GET", "https://example.com/", true, "1.2.3.4:1", "", 200, ""},
		{"a trusted proxy saying https passes", "GET", "http://example.com/", false, "10.1.1.1:1", "https", 200, ""},
		{"an untrusted client saying https is redirected", "GET", "http://example.com/", false, "1.2.3.4:1", "https", 301, "https://example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.url, nil)
			if !tt.tls {
				r.TLS = nil
			} else {
				r.TLS = &tls.ConnectionState{}
			}
			r.RemoteAddr = tt.remote
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec := serve(h, r)
			if rec.Code != tt.code || rec.Header().Get("Location") != tt.location {
				t.Fatalf("code %d location %q", rec.Code, rec.Header().Get("Location"))
			}
			if tt.code != 200 {
				return
			}
			if got := rec.Header().Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
				t.Errorf("HSTS = %q", got)
			}
			cs := rec.Header().Values("Set-Cookie")
			if len(cs) != 2 || !strings.HasSuffix(cs[0], "; Secure") || strings.Count(cs[1], "Secure") != 1 {
				t.Errorf("cookies not marked Secure exactly once: %q", cs)
			}
		})
	}
	t.Run("a bad host gets 400, not a redirect", func(t *testing.T) {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Host = "evil.com/x"
		if rec := serve(h, r); rec.Code != 400 {
			t.Fatalf("code %d", rec.Code)
		}
	})
	t.Run("AssumeSSL treats a plain request from anywhere as HTTPS", func(t *testing.T) {
		var scheme string
		h := security.ForceSSL(security.SSL{AssumeSSL: true})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scheme = r.URL.Scheme
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		}))
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = "203.0.113.7:1"
		rec := serve(h, r)
		if rec.Code != 200 || rec.Header().Get("Strict-Transport-Security") == "" || !strings.HasSuffix(rec.Header().Get("Set-Cookie"), "; Secure") {
			t.Fatalf("code %d, headers %v", rec.Code, rec.Header())
		}
		if scheme != "https" {
			t.Errorf("the app sees scheme %q, want https (for the URL helpers)", scheme)
		}
	})
	t.Run("a trusted proxy's https reaches the app as the URL's scheme", func(t *testing.T) {
		var scheme string
		h := security.ForceSSL(security.SSL{Proxies: proxies})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { scheme = r.URL.Scheme }))
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = "10.1.1.1:1"
		r.Header.Set("X-Forwarded-Proto", "https")
		if rec := serve(h, r); rec.Code != 200 || scheme != "https" {
			t.Fatalf("code %d, scheme %q", rec.Code, scheme)
		}
	})
	t.Run("excluded paths and HSTS options", func(t *testing.T) {
		h := security.ForceSSL(security.SSL{Exclude: func(r *http.Request) bool { return r.URL.Path == "/up" }, Port: 8443, HSTSMaxAge: time.Hour, ExcludeSubdomains: true, Preload: true})(ok)
		if rec := serve(h, httptest.NewRequest("GET", "http://example.com/up", nil)); rec.Code != 200 {
			t.Fatalf("excluded code %d", rec.Code)
		}
		if loc := serve(h, httptest.NewRequest("GET", "http://example.com/x", nil)).Header().Get("Location"); loc != "https://example.com:8443/x" {
			t.Fatalf("location %q", loc)
		}
		r := httptest.NewRequest("GET", "https://example.com/x", nil)
		if got := serve(h, r).Header().Get("Strict-Transport-Security"); got != "max-age=3600; preload" {
			t.Fatalf("HSTS %q", got)
		}
	})
}

func TestHostAuthorization(t *testing.T) {
	t.Parallel()
	prod, err := security.HostAuthorization(security.Hosts{Allowed: []string{"example.com", ".example.org", "10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := security.HostAuthorization(security.Hosts{Allowed: security.DevelopmentHosts(), Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		mw        func(http.Handler) http.Handler
		host      string
		forwarded string
		code      int
	}{
		{"production allows a configured host", prod, "example.com", "", 200},
		{"production allows a configured host with a port", prod, "EXAMPLE.com:443", "", 200},
		{"production allows a trailing dot", prod, "example.com.", "", 200},
		{"production rejects a subdomain of an exact host", prod, "www.example.com", "", 403},
		{"a leading dot allows the domain", prod, "example.org", "", 200},
		{"a leading dot allows subdomains", prod, "a.b.example.org", "", 200},
		{"a leading dot does not allow look-alikes", prod, "evilexample.org", "", 403},
		{"a CIDR allows addresses in it", prod, "10.2.3.4:80", "", 200},
		{"a CIDR rejects addresses outside it", prod, "11.2.3.4", "", 403},
		{"production rejects localhost", prod, "localhost:3000", "", 403},
		{"a bad X-Forwarded-Host is rejected", prod, "example.com", "evil.com", 403},
		{"a good X-Forwarded-Host passes", prod, "example.com", "www.example.org", 200},
		{"development allows localhost", dev, "localhost:3000", "", 200},
		{"development allows subdomains of localhost", dev, "app.localhost", "", 200},
		{"development allows .test", dev, "blog.test", "", 200},
		{"development allows IPv4", dev, "192.168.1.9:3000", "", 200},
		{"development allows IPv6", dev, "[::1]:3000", "", 200},
		{"development rejects other names", dev, "evil.com", "", 403},
		{"an empty host is rejected", prod, "", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tt.host
			if tt.forwarded != "" {
				r.Header.Set("X-Forwarded-Host", tt.forwarded)
			}
			rec := serve(tt.mw(ok), r)
			if rec.Code != tt.code {
				t.Fatalf("code %d, want %d", rec.Code, tt.code)
			}
		})
	}
	t.Run("the development page names the host, escaped", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = "<script>.evil"
		body := serve(dev(ok), r).Body.String()
		if strings.Contains(body, "<script>") || !strings.Contains(body, "Blocked hosts: &lt;script&gt;.evil") || !strings.Contains(body, "config.Hosts") {
			t.Fatalf("body %q", body)
		}
	})
	t.Run("configuration errors", func(t *testing.T) {
		if _, err := security.HostAuthorization(security.Hosts{}); !errors.Is(err, security.ErrNoHosts) {
			t.Fatalf("empty hosts: %v", err)
		}
		if _, err := security.HostAuthorization(security.Hosts{Allowed: []string{"10.0.0.0/99"}}); err == nil {
			t.Fatal("bad CIDR accepted")
		}
		all, _ := security.HostAuthorization(security.Hosts{AllowAll: true})
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = "anything"
		if serve(all(ok), r).Code != 200 {
			t.Fatal("AllowAll blocked")
		}
	})
}

func TestFilter(t *testing.T) {
	t.Parallel()
	f := security.NewFilter()
	tests := []struct {
		key       string
		sensitive bool
	}{
		{"password", true}, {"password_confirmation", true}, {"user[password]", true}, {"Passwd", true},
		{"secret", true}, {"client_secret", true}, {"token", true}, {"authenticity_token", true},
		{"api_key", true}, {"key", false}, {"keyboard", false}, {"encrypted_data", true}, {"salt", true},
		{"certificate", true}, {"otp_attempt", true}, {"ssn", true}, {"cvv", true}, {"cvc", true},
		{"title", false}, {"email", false}, {"user[name]", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := f.Sensitive(tt.key); got != tt.sensitive {
				t.Fatalf("Sensitive(%q) = %v", tt.key, got)
			}
			want := "v"
			if tt.sensitive {
				want = security.Filtered
			}
			if got := f.Value(tt.key, "v"); got != want {
				t.Fatalf("Value = %q", got)
			}
		})
	}
	t.Run("form values are filtered in a copy", func(t *testing.T) {
		in := url.Values{"user[password]": {"hunter2"}, "title": {"Hi"}}
		out := f.Values(in)
		if out.Get("user[password]") != security.Filtered || out.Get("title") != "Hi" || in.Get("user[password]") != "hunter2" {
			t.Fatalf("out %v in %v", out, in)
		}
	})
	t.Run("a query string is filtered", func(t *testing.T) {
		if got := f.Query("token=abc&page=2"); got != "page=2&token=%5BFILTERED%5D" {
			t.Fatalf("Query = %q", got)
		}
	})
	t.Run("nested JSON is filtered", func(t *testing.T) {
		in := map[string]any{"user": map[string]any{"name": "a", "password": "x", "cards": []any{map[string]any{"cvv": "123"}}}}
		want := map[string]any{"user": map[string]any{"name": "a", "password": security.Filtered, "cards": []any{map[string]any{"cvv": security.Filtered}}}}
		if got := f.Map(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("Map = %v", got)
		}
	})
	t.Run("custom parts", func(t *testing.T) {
		if !security.NewFilter("email").Sensitive("user_email") || security.NewFilter("email").Sensitive("password") {
			t.Fatal("custom filter")
		}
	})
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	p, err := security.NewProxies(security.DefaultProxyRanges()...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy: the peer", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "203.0.113.7:5000", []string{"1.1.1.1"}, "203.0.113.7"},
		{"a trusted proxy's header names the client", "10.0.0.1:5000", []string{"198.51.100.2"}, "198.51.100.2"},
		{"spoofed entries on the left are skipped", "10.0.0.1:5000", []string{"6.6.6.6, 198.51.100.2, 192.168.0.3"}, "198.51.100.2"},
		{"several header lines are one list", "10.0.0.1:5000", []string{"6.6.6.6", "198.51.100.2"}, "198.51.100.2"},
		{"all trusted: the leftmost", "127.0.0.1:1", []string{"10.0.0.9, 10.0.0.8"}, "10.0.0.9"},
		{"a malformed hop stops the walk", "10.0.0.1:5000", []string{"198.51.100.2, garbage"}, "10.0.0.1"},
		{"IPv6 peer", "[::1]:80", []string{"2001:db8::1"}, "2001:db8::1"},
		{"a hop with a port", "10.0.0.1:5000", []string{"198.51.100.2:1234"}, "198.51.100.2"},
		{"an IPv6 hop with a port", "10.0.0.1:5000", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"spelled otherwise than String spells it", "10.0.0.1:5000", []string{" 2001:DB8:0::1 "}, "2001:db8::1"},
		{"a mapped IPv4 peer", "[::ffff:203.0.113.7]:80", nil, "203.0.113.7"},
		{"a bracketed hop", "10.0.0.1:5000", []string{"[2001:db8::2]"}, "2001:db8::2"},
		{"a bracketed IPv4 hop", "10.0.0.1:5000", []string{"[198.51.100.3]"}, "198.51.100.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := p.ClientIP(r).String(); got != tt.want {
				t.Fatalf("ClientIP = %s, want %s", got, tt.want)
			}
			if got := p.ClientIPString(r); got != tt.want {
				t.Fatalf("ClientIPString = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("nil Proxies trusts nobody", func(t *testing.T) {
		var none *security.Proxies
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "127.0.0.1:1"
		r.Header.Set("X-Forwarded-For", "1.2.3.4")
		if got := none.ClientIP(r).String(); got != "127.0.0.1" {
			t.Fatalf("ClientIP = %s", got)
		}
	})
	if _, err := security.NewProxies("nope"); err == nil {
		t.Fatal("bad range accepted")
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	byUser := func(r *http.Request) string { return r.Header.Get("User") }
	tests := []struct {
		name  string
		steps []struct {
			wait time.Duration
			user string
			code int
		}
	}{
		{"three per minute, then refused until the window ends", []struct {
			wait time.Duration
			user string
			code int
		}{
			{0, "a", 200}, {10 * time.Second, "a", 200}, {10 * time.Second, "a", 200}, {0, "a", 429},
			{39 * time.Second, "a", 429}, {time.Second, "a", 200}, {0, "a", 200},
		}},
		{"keys are counted apart", []struct {
			wait time.Duration
			user string
			code int
		}{
			{0, "a", 200}, {0, "a", 200}, {0, "a", 200}, {0, "a", 429}, {0, "b", 200}, {0, "", 200}, {0, "", 200}, {0, "", 200}, {0, "", 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l, err := security.RateLimit(3, time.Minute, byUser)
				if err != nil {
					t.Fatal(err)
				}
				h := l.Handler(ok)
				for i, s := range tt.steps {
					time.Sleep(s.wait)
					r := httptest.NewRequest("GET", "/", nil)
					r.Header.Set("User", s.user)
					rec := serve(h, r)
					if rec.Code != s.code {
						t.Fatalf("step %d: code %d, want %d", i, rec.Code, s.code)
					}
					if s.code == 429 && rec.Header().Get("Retry-After") == "" {
						t.Fatalf("step %d: no Retry-After", i)
					}
				}
			})
		})
	}
	t.Run("Retry-After counts down", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l, _ := security.RateLimit(1, time.Minute, nil)
			h := l.Handler(ok)
			serve(h, httptest.NewRequest("GET", "/", nil))
			time.Sleep(45 * time.Second)
			if got := serve(h, httptest.NewRequest("GET", "/", nil)).Header().Get("Retry-After"); got != "15" {
				t.Fatalf("Retry-After = %q", got)
			}
		})
	})
	t.Run("the plain checker", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			l, _ := security.RateLimit(2, time.Hour, nil, security.WithName("login"))
			var d security.Decision
			for range 3 {
				d, _ = l.Check(httptest.NewRequest("POST", "/session", nil))
			}
			if d.Allowed || d.Count != 3 || d.Limit != 2 || d.RetryAfter() != time.Hour {
				t.Fatalf("decision %+v", d)
			}
		})
	})
	t.Run("a failing store lets requests through", func(t *testing.T) {
		l, _ := security.RateLimit(1, time.Minute, nil, security.WithStore(failing{}), security.WithLogger(discardLogger()))
		for range 3 {
			if serve(l.Handler(ok), httptest.NewRequest("GET", "/", nil)).Code != 200 {
				t.Fatal("refused on store failure")
			}
		}
	})
	t.Run("a custom refusal", func(t *testing.T) {
		l, _ := security.RateLimit(1, time.Minute, nil, security.WithRefusal(func(w http.ResponseWriter, r *http.Request, d security.Decision) {
			http.Redirect(w, r, "/slow-down", http.StatusSeeOther)
		}))
		serve(l.Handler(ok), httptest.NewRequest("GET", "/", nil))
		if serve(l.Handler(ok), httptest.NewRequest("GET", "/", nil)).Code != 303 {
			t.Fatal("custom refusal not used")
		}
	})
	if _, err := security.RateLimit(0, time.Minute, nil); !errors.Is(err, security.ErrInvalidLimit) {
		t.Fatalf("RateLimit(0) = %v", err)
	}
}

func TestMemoryStoreConcurrent(t *testing.T) {
	t.Parallel()
	s := security.NewMemoryStore()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				s.Increment(context.Background(), "k", time.Hour)
			}
		})
	}
	wg.Wait()
	if n, _, _ := s.Increment(context.Background(), "k", time.Hour); n != 4001 {
		t.Fatalf("count %d, want 4001", n)
	}
}

type failing struct{}

func (failing) Increment(context.Context, string, time.Duration) (int, time.Time, error) {
	return 0, time.Time{}, errors.New("down")
}

// namedParams stands for dispatch.Params: a named map type, as a form's
// nested hash (user[password]) is parsed.
type namedParams map[string]any

type namedList []any

// A password nested in a named map type is filtered too: the request log
// once printed sign-up passwords in full.
func TestFilterMapNestedNamedTypes(t *testing.T) {
	t.Parallel()
	f := security.NewFilter()
	got := f.Map(map[string]any{
		"user":  namedParams{"email_address": "a@example.com", "password": "hunter2", "password_confirmation": "hunter2"},
		"items": namedList{namedParams{"api_token": "t"}},
	})
	user, ok := got["user"].(map[string]any)
	if !ok || user["password"] != security.Filtered || user["password_confirmation"] != security.Filtered || user["email_address"] != "a@example.com" {
		t.Fatalf("user = %#v", got["user"])
	}
	items, ok := got["items"].([]any)
	if !ok || items[0].(map[string]any)["api_token"] != security.Filtered {
		t.Fatalf("items = %#v", got["items"])
	}
}

// BenchmarkClientIP: the request log's client address for a request from a
// trusted peer without X-Forwarded-For (the benchmark's loopback), and from
// a proxy with one: ClientIPString against the netip.Addr's String.
func BenchmarkClientIP(b *testing.B) {
	p, err := security.NewProxies(security.DefaultProxyRanges()...)
	if err != nil {
		b.Fatal(err)
	}
	direct := httptest.NewRequest("GET", "/", nil)
	direct.RemoteAddr = "127.0.0.1:40000"
	proxied := httptest.NewRequest("GET", "/", nil)
	proxied.RemoteAddr = "10.0.0.1:40000"
	proxied.Header.Set("X-Forwarded-For", "198.51.100.2, 10.0.0.7")
	for _, r := range []struct {
		name string
		r    *http.Request
	}{{"peer", direct}, {"forwarded", proxied}} {
		b.Run(r.name+"/String", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.ClientIP(r.r).String()
			}
		})
		b.Run(r.name+"/ClientIPString", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.ClientIPString(r.r)
			}
		})
	}
}

// BenchmarkHeaders: the default security headers set on a response by
// Headers, against the raw baseline of walking the header map into the
// response's (what Headers did before it kept a list).
func BenchmarkHeaders(b *testing.B) {
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	defaults := security.DefaultHeaders()
	walk := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dst := w.Header()
		for k, v := range defaults {
			dst[k] = v
		}
	})
	r := httptest.NewRequest("GET", "/", nil)
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"Headers", security.Headers(defaults)(noop)}, {"baseline=map walk", walk}} {
		b.Run(h.name, func(b *testing.B) {
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.Header())
				h.h.ServeHTTP(w, r)
			}
		})
	}
}

// TestForceSSLRequestsInSequence: ForceSSL reuses its cookie writers and,
// in the default stack, copies the URL into the request's scope. Requests
// in a row, inside a request scope and alone, each get their own cookies
// marked Secure (a writer left "done" by the request before would skip
// them), their own URL with the https scheme, and the caller's URL stays
// as it was.
func TestForceSSLRequestsInSequence(t *testing.T) {
	t.Parallel()
	for _, scoped := range []bool{true, false} {
		var seen []string
		h := security.ForceSSL(security.SSL{AssumeSSL: true})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.URL.String())
			http.SetCookie(w, &http.Cookie{Name: strings.Trim(r.URL.Path, "/"), Value: "1"})
			io.WriteString(w, r.URL.Path)
		}))
		for i, path := range []string{"/a", "/b", "/c"} {
			r := httptest.NewRequest("GET", "http://example.com"+path+"?q="+path, nil)
			orig := r.URL
			origText := orig.String()
			if scoped {
				// The request_id middleware's copy of the request, whose
				// context is its scope.
				r = r.WithContext(event.NewRequestScope(r.Context(), "id"+path))
			}
			rec := serve(h, r)
			if rec.Code != 200 || rec.Body.String() != path {
				t.Fatalf("scoped %v, %s: %d %q", scoped, path, rec.Code, rec.Body)
			}
			if got, want := rec.Header().Get("Set-Cookie"), strings.Trim(path, "/")+"=1; Secure"; got != want {
				t.Errorf("scoped %v, %s: Set-Cookie %q, want %q", scoped, path, got, want)
			}
			if want := "https://example.com" + path + "?q=" + path; seen[i] != want {
				t.Errorf("scoped %v, %s: the app saw %s, want %s", scoped, path, seen[i], want)
			}
			if orig.String() != origText {
				t.Errorf("scoped %v, %s: the caller's URL became %s", scoped, path, orig)
			}
		}
	}
}
