package framework_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework"
)

func TestDefaultSecurityHeaders(t *testing.T) {
	t.Parallel()
	rec := serve(newApp(t, framework.Production, io.Discard), "GET", "/")
	for name, want := range map[string]string{
		"X-Frame-Options":        "SAMEORIGIN",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestHostAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  framework.Env
		host string
		want int
	}{
		{"development answers localhost", framework.Development, "localhost", 200},
		{"development answers an IP address", framework.Development, "127.0.0.1", 200},
		{"development blocks another host", framework.Development, "evil.example", 403},
		{"production answers a configured host", framework.Production, "example.com", 200},
		{"production blocks another host", framework.Production, "evil.example", 403},
		{"test with no hosts configured answers every host", framework.Test, "anything.example", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, tt.env, io.Discard)
			if tt.env == framework.Test {
				app = framework.New(framework.Config{Env: framework.Test, Root: t.TempDir(), Files: appFiles(), Routes: routes,
					Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }})
				if err := app.Boot(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, httptest.NewRequest("GET", "http://"+tt.host+"/", nil))
			if rec.Code != tt.want {
				t.Errorf("GET http://%s/ = %d, want %d", tt.host, rec.Code, tt.want)
			}
		})
	}
}

func TestCSRFGuardsUnsafeRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"a cross-site POST is rejected", map[string]string{"Sec-Fetch-Site": "cross-site"}, 422},
		{"a POST from another origin is rejected", map[string]string{"Origin": "https://evil.example"}, 422},
		{"a POST with neither header nor token is rejected", nil, 422},
		{"a same-origin POST reaches the router", map[string]string{"Sec-Fetch-Site": "same-origin"}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, framework.Test, io.Discard)
			req := httptest.NewRequest("POST", "http://localhost/about", strings.NewReader("title=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			// /about is GET-only, so a POST that passes CSRF gets the router's answer.
			if rec.Code != tt.want && !(tt.want == 404 && rec.Code == http.StatusMethodNotAllowed) {
				t.Errorf("status %d, want %d\n%s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func TestRequestLogFiltersSecrets(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	app := newApp(t, framework.Test, &log)
	serve(app, "GET", "/about?password=hunter2&page=2")
	if strings.Contains(log.String(), "hunter2") {
		t.Errorf("the log shows a password:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "page=2") {
		t.Errorf("the log lacks the harmless query parameter:\n%s", log.String())
	}
}

// TestForceSSLInProduction: with ForceSSL (a generated app's setting) a
// production app redirects plain HTTP and sends HSTS over HTTPS, believes
// a trusted proxy's X-Forwarded-Proto, and is switched by GORAILS_FORCE_SSL
// and GORAILS_ASSUME_SSL; a typo in either stops the boot.
func TestForceSSLInProduction(t *testing.T) {
	t.Parallel()
	boot := func(t *testing.T, env map[string]string) (*framework.App, error) {
		app := framework.New(framework.Config{
			Name: "test", Env: framework.Production, Root: t.TempDir(), Files: appFiles(), Routes: routes,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ForceSSL: true,
			Getenv: func(k string) string {
				if v, ok := env[k]; ok {
					return v
				}
				return productionEnv(k)
			},
		})
		err := app.Boot(context.Background())
		t.Cleanup(func() { _ = app.Close() })
		return app, err
	}
	tests := []struct {
		name     string
		env      map[string]string
		target   string
		remote   string
		proto    string
		code     int
		location string
		hsts     bool
	}{
		{"plain HTTP is redirected to HTTPS", nil, "http://example.com/about?x=1", "203.0.113.9:1", "", 301, "https://example.com/about?x=1", false},
		{"HTTPS through a trusted proxy is served with HSTS", nil, "http://example.com/about", "127.0.0.1:1", "https", 200, "", true},
		{"an untrusted client's X-Forwarded-Proto is not believed", nil, "http://example.com/about", "203.0.113.9:1", "https", 301, "https://example.com/about", false},
		{"the /up health check is not redirected", nil, "http://example.com/up", "203.0.113.9:1", "", 404, "", false},
		{"GORAILS_FORCE_SSL=false opts out", map[string]string{"GORAILS_FORCE_SSL": "false"}, "http://example.com/about", "203.0.113.9:1", "", 200, "", false},
		{"GORAILS_ASSUME_SSL=true serves plain HTTP as HTTPS", map[string]string{"GORAILS_ASSUME_SSL": "true"}, "http://example.com/about", "203.0.113.9:1", "", 200, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, err := boot(t, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", tt.target, nil)
			r.RemoteAddr = tt.remote
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, r)
			if rec.Code != tt.code || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d Location %q, want %d %q", rec.Code, rec.Header().Get("Location"), tt.code, tt.location)
			}
			if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tt.hsts {
				t.Errorf("HSTS sent: %v, want %v", got, tt.hsts)
			}
		})
	}
	t.Run("a value that is not a boolean stops the boot", func(t *testing.T) {
		t.Parallel()
		_, err := boot(t, map[string]string{"GORAILS_FORCE_SSL": "flase"})
		if err == nil || !strings.Contains(err.Error(), `GORAILS_FORCE_SSL="flase": want true or false`) {
			t.Fatalf("boot: %v", err)
		}
	})
}

// TestClientIPTrustsOnlyTheProxies: App.ClientIP (the request log's, the
// rate limits' and the authentication sessions' client address) believes
// X-Forwarded-For from a trusted proxy only.
func TestClientIPTrustsOnlyTheProxies(t *testing.T) {
	t.Parallel()
	app := newApp(t, framework.Test, io.Discard) // default proxies: loopback and private ranges
	tests := []struct {
		name, peer, forwarded, want string
	}{
		{"a direct client", "203.0.113.7:4000", "", "203.0.113.7"},
		{"through a trusted proxy", "127.0.0.1:4000", "198.51.100.9", "198.51.100.9"},
		{"through two trusted proxies", "10.0.0.2:4000", "198.51.100.9, 10.0.0.1", "198.51.100.9"},
		{"a spoofed header from an untrusted peer", "203.0.113.7:4000", "198.51.100.9", "203.0.113.7"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		if tt.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		if got := app.ClientIP(r); got != tt.want {
			t.Errorf("%s: ClientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
}
