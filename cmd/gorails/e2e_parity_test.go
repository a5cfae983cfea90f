package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// parityPages answers JSON or HTML by the request's format, with the tags
// param, as an action using respond_to and params does.
const parityPages = `package controllers

import "github.com/gorails/gorails/framework/controller"

// PagesController handles the pages pages.
type PagesController struct {
	ApplicationController
}

// Home answers HTML or JSON.
func (c *PagesController) Home() error {
	return c.RespondTo(controller.Formats{
		HTML: func() error { return nil },
		JSON: func() error {
			tags, err := c.Params().Strings("tags")
			if err != nil {
				return err
			}
			return c.JSON(200, map[string]any{"format": c.Format(), "tags": tags})
		},
	})
}
`

// TestRequestParityEndToEnd: in a generated app behind gorails server,
// requests meet Rails' rules (docs/rails-parity.md): ?format=json and
// Accept q-values choose JSON, a browser-like Accept does not, a[] is an
// empty list, JSON has no trailing newline, a malformed query is a 400
// even where the action reads no params, and a redirect route sends a
// full URL.
func TestRequestParityEndToEnd(t *testing.T) {
	dir := generateApp(t, "parity")
	if out, code := runCLI(t, dir, "generate", "controller", "pages", "home"); code != 0 {
		t.Fatalf("generate controller: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "app/controllers/pages_controller.go"), []byte(parityPages), 0o644); err != nil {
		t.Fatal(err)
	}
	routes := readFile(t, dir, "config/routes.go")
	root := "\tr.Root(dispatch.To((*controllers.WelcomeController).Index))"
	edited := strings.Replace(routes, root, root+"\n\tr.Get(\"old\", dispatch.Redirect(\"/pages/home\", 0))", 1)
	if edited == routes {
		t.Fatalf("config/routes.go has no root route:\n%s", routes)
	}
	if err := os.WriteFile(filepath.Join(dir, "config/routes.go"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := exec.Command("go", "generate", "./...")
	gen.Dir = dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go generate: %v\n%s", err, out)
	}
	srv := startServer(t, dir)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, accept string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", srv.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	tests := []struct {
		name, path, accept string
		status             int
		ctype, body        string // body: exact for JSON, a substring otherwise
	}{
		{"?format=json with an empty list", "/pages/home?format=json&tags[]", "", 200, "application/json", `{"format":"json","tags":[]}`},
		{"the .json suffix", "/pages/home.json?tags[]=a&tags[]", "", 200, "application/json", `{"format":"json","tags":["a"]}`},
		{"Accept q-values", "/pages/home?tags[]=y", "text/html;q=0.5, application/json", 200, "application/json", `{"format":"json","tags":["y"]}`},
		{"a browser-like Accept is HTML", "/pages/home", "application/json, text/plain, */*", 200, "text/html", "pages#home"},
		{"a key first without a value", "/pages/home?tags&tags[]=x", "application/json", 200, "application/json", `{"format":"json","tags":["x"]}`},
		{"a malformed query where params are read", "/pages/home?tags=%zz", "application/json", 400, "", ""},
		{"a malformed query where they are not", "/?a=%zz", "", 400, "", ""},
	}
	for _, tc := range tests {
		res, body := get(tc.path, tc.accept)
		ctype := res.Header.Get("Content-Type")
		switch {
		case res.StatusCode != tc.status:
			t.Errorf("%s: GET %s: %d, want %d\n%s", tc.name, tc.path, res.StatusCode, tc.status, body)
		case !strings.HasPrefix(ctype, tc.ctype):
			t.Errorf("%s: GET %s: Content-Type %q, want %s", tc.name, tc.path, ctype, tc.ctype)
		case tc.ctype == "application/json" && body != tc.body:
			t.Errorf("%s: GET %s: body %q, want %q", tc.name, tc.path, body, tc.body)
		case tc.ctype != "application/json" && !strings.Contains(body, tc.body):
			t.Errorf("%s: GET %s: body lacks %q:\n%s", tc.name, tc.path, tc.body, body)
		}
	}
	res, body := get("/old", "")
	if loc := res.Header.Get("Location"); res.StatusCode != 301 || loc != srv.base+"/pages/home" || body != "" {
		t.Errorf("the redirect route: %d Location %q body %q, want 301 to %s/pages/home", res.StatusCode, loc, body, srv.base)
	}
	if t.Failed() {
		t.Logf("server log:\n%s", srv.out)
	}
}
