package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vaultController sorts by a request param and redirects to one: the two
// holes issue 15 found in a production app (SQL injection through Order,
// an open redirect through return_to).
const vaultController = `package controllers

import (
	"github.com/gorails/gorails/framework/record"

	"vault/app/models"
)

type BooksController struct {
	ApplicationController
	Books []models.Book
}

func (c *BooksController) Index() error {
	var err error
	q := c.Request().HTTP().URL.Query()
	c.Books, err = record.Query[models.Book](c.DB()).Order(q.Get("sort")).All(c.Request().Context())
	return err
}

func (c *BooksController) Back() error {
	return c.Redirect(c.Request().HTTP().URL.Query().Get("return_to"))
}
`

// TestHardeningEndToEnd runs a generated app in production, as deployed
// (ForceSSL on, behind a loopback proxy saying X-Forwarded-Proto: https),
// and sends it the attacks: plain HTTP is redirected to HTTPS, a
// sort param that is SQL and a return_to on another host are 400s, and the
// SQLite database file is private to its owner.
func TestHardeningEndToEnd(t *testing.T) {
	dir := generateApp(t, "vault")
	if out, code := runCLI(t, dir, "generate", "model", "Book", "title:string"); code != 0 {
		t.Fatalf("generate model: exit %d\n%s", code, out)
	}
	writeFiles(t, dir, map[string]string{
		"app/controllers/books_controller.go": vaultController,
		"app/views/books/index.html.tmpl":     `{{range .Data.Books}}<li>{{.Title}}</li>{{end}}`,
	})
	appendRoutes(t, dir,
		`r.Get("books", dispatch.To((*controllers.BooksController).Index))`,
		`r.Get("back", dispatch.To((*controllers.BooksController).Back))`)
	if out, code := runCLI(t, dir, "generate", "routes"); code != 0 {
		t.Fatalf("generate routes: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	// Production as deployed: no GORAILS_FORCE_SSL=false.
	env := []string{"GORAILS_ENV=production", "SECRET_KEY_BASE=" + strings.Repeat("0123456789abcdef", 8), "GORAILS_HOSTS=127.0.0.1"}
	runApp(t, dir, env, "db:migrate")
	db := filepath.Join(dir, "db", "production.sqlite3")
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("db/production.sqlite3 is %v, want -rw------- (0600)", mode)
	}
	srv := startServerEnv(t, dir, env)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(t *testing.T, path string, https bool) (*http.Response, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.base+path, nil)
		if https {
			req.Header.Set("X-Forwarded-Proto", "https") // the TLS-terminating proxy, on loopback
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}

	t.Run("plain HTTP is redirected to HTTPS", func(t *testing.T) {
		res, _ := do(t, "/books?sort=title", false)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "https://127.0.0.1/books?sort=title" {
			t.Fatalf("status %d Location %q\n%s", res.StatusCode, res.Header.Get("Location"), srv.out)
		}
	})
	t.Run("HTTPS through the proxy is served with HSTS and a sort by a column", func(t *testing.T) {
		res, body := do(t, "/books?sort=title+desc", true)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Fatalf("status %d HSTS %q\n%s\n%s", res.StatusCode, res.Header.Get("Strict-Transport-Security"), body, srv.out)
		}
	})
	for _, sort := range []string{"(select 1 from pg_sleep(1.5))", "CASE WHEN (SELECT 1) = 1 THEN title ELSE id END", "title; DROP TABLE books", "password_digest"} {
		t.Run("a sort param that is not a column is a 400: "+sort, func(t *testing.T) {
			res, body := do(t, "/books?sort="+url.QueryEscape(sort), true)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", res.StatusCode, body)
			}
		})
	}
	for _, to := range []string{"https://evil.com", "//evil.com", `/\evil.com`, "javascript:alert(1)", "https:evil.com"} {
		t.Run("a return_to off the site is a 400: "+to, func(t *testing.T) {
			res, _ := do(t, "/back?return_to="+url.QueryEscape(to), true)
			if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
				t.Fatalf("status %d Location %q, want 400 and none", res.StatusCode, res.Header.Get("Location"))
			}
		})
	}
	t.Run("a return_to on the site redirects", func(t *testing.T) {
		res, _ := do(t, "/back?return_to=%2Fbooks%3Fsort%3Dtitle", true)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/books?sort=title" {
			t.Fatalf("status %d Location %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
	for _, want := range []string{"unsafe redirect", "want a column name", `"status":400`} {
		if !strings.Contains(srv.out.String(), want) {
			t.Errorf("the server log does not say %q:\n%s", want, srv.out)
		}
	}
}
