package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gserver "github.com/gorails/gorails/framework/server"
)

// TestFailurePageShowsTheOutputAndTheAppsSource renders the page the
// development server answers with while the app does not build, boot or
// run: the headline, the app's file:line with the lines around it, the
// output (escaped), and a JSON error for JSON requests. Only files inside
// the app are ever read.
func TestFailurePageShowsTheOutputAndTheAppsSource(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	src := "package controllers\n\nfunc (c *PostsController) Index() error {\n\treturn nil +\n}\n"
	writeFile(t, filepath.Join(root, "app", "controllers", "posts_controller.go"), src)
	writeFile(t, filepath.Join(root, "config", "application.go"), "package config\n\nfunc App() {\n\tpanic(\"boom\")\n}\n")
	secret := filepath.Join(t.TempDir(), "secret.go")
	writeFile(t, secret, "package secret\n// TOP SECRET\n")
	tests := []struct {
		name     string
		failure  gserver.Failure
		accept   string
		want     []string
		wantNot  []string
		wantJSON map[string]any
	}{
		{
			name: "a compiler error names the file and line and shows the source",
			failure: gserver.Failure{Stage: "build", Message: "the application does not compile",
				Output: "# blog/app/controllers\napp/controllers/posts_controller.go:5:1: syntax error: unexpected }, expected expression\n"},
			want: []string{"<title>Build failed in app/controllers/posts_controller.go:5</title>",
				`<h1 id="message">syntax error: unexpected }, expected expression</h1>`,
				`<mark>   5  }</mark>`, `<span>   4  	return nil &#43;</span>`, "# blog/app/controllers"},
		},
		{
			name: "a crash's stack trace finds the app's frame by its absolute path",
			failure: gserver.Failure{Stage: "exit", Message: "exit status 2",
				Output: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/usr/lib/go/src/runtime/proc.go:283 +0x28\n\t" +
					filepath.Join(root, "config", "application.go") + ":4 +0x25\n"},
			want: []string{"The application&#39;s server exited", `id="location">config/application.go:4</code>`,
				`<mark>   4  	panic(&#34;boom&#34;)</mark>`, "<h1 id=\"message\">exit status 2</h1>"},
		},
		{
			name: "hostile output is escaped and files outside the app are never read",
			failure: gserver.Failure{Stage: "boot", Message: `boot: <script>alert(1)</script>`,
				Output: "../../../etc/passwd:1: x\n" + secret + ":2: y\n<img src=x onerror=alert(1)>"},
			want:    []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "did not boot"},
			wantNot: []string{"<script>alert", "<img", "TOP SECRET", `id="location"`},
		},
		{
			name: "a JSON request gets a JSON error",
			failure: gserver.Failure{Stage: "build", Message: "the application does not compile",
				Output: "app/controllers/posts_controller.go:5:1: syntax error\n"},
			accept: "application/json",
			wantJSON: map[string]any{"status": float64(500), "error": "Build failed", "stage": "build",
				"location": "app/controllers/posts_controller.go:5"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/posts", nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			failurePage(root)(rec, req, tt.failure)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", rec.Code)
			}
			body := rec.Body.String()
			if tt.wantJSON != nil {
				var got map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatalf("not JSON (%v): %s", err, body)
				}
				for k, v := range tt.wantJSON {
					if got[k] != v {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("page has %q:\n%s", w, body)
				}
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
