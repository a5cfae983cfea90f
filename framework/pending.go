package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/errorpage"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// PendingMigrationsPath is where the development page for pending
// migrations posts to run them (Rails' /rails/actions).
const PendingMigrationsPath = "/gorails/pending_migrations"

// ErrPendingMigrations is returned (wrapped, naming them) when the app's
// database lacks migrations: by a development request's check and by the
// test environment's boot.
var ErrPendingMigrations = errors.New("migrations are pending")

// pendingCheck is development's check for pending migrations (Rails'
// ActiveRecord::Migration::CheckPending). It compares the app's migrations
// with schema_migrations once, then again only when db/migrate or
// db/schema.sql changes (db:migrate and db:rollback dump the schema), so a
// request costs two stats and no query while nothing is pending; while
// something is, every request checks again, so running db:migrate in a
// terminal shows at once. A database that was never migrated, in an app
// that has no db/schema.sql yet (a new app), is prepared on the first
// check instead, as bin/setup's db:prepare would.
type pendingCheck struct {
	app  *App
	csrf *csrf.Protection // no bypass, whatever the app's CSRF settings are

	count   int       // the app's migrations
	watched [2]string // db/migrate and db/schema.sql

	mu       sync.Mutex
	migrator *migrate.Migrator
	checked  bool
	stamp    fileStamp // db/migrate's and db/schema.sql's when checked
	pending  []string
}

func newPendingCheck(a *App) *pendingCheck {
	p, err := csrf.New(csrf.Config{Logger: a.Logger})
	if err != nil {
		panic(err) // the zero Config is valid
	}
	return &pendingCheck{app: a, csrf: p, watched: [2]string{a.Path("db", "migrate"), a.Path(SchemaPath)}}
}

// middleware is the check; outside development, or in an app without a
// database or migrations, it passes every request on.
func (p *pendingCheck) middleware(next http.Handler) http.Handler {
	a := p.app
	if p.count = len(a.Migrations()); !a.Env().IsDevelopment() || a.DB == nil || p.count == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PendingMigrationsPath {
			p.run(w, r)
			return
		}
		// The check's own statements are the framework's, not the
		// request's: they are counted apart from the request's log line.
		checkCtx, _ := record.WithStats(r.Context())
		pending, err := p.check(checkCtx)
		switch {
		case err != nil:
			a.renderError(w, r, failure{status: http.StatusInternalServerError, err: fmt.Errorf("checking for pending migrations: %w", err)})
		case len(pending) > 0:
			a.Logger.WarnContext(r.Context(), "migrations are pending", "pending", strings.Join(pending, ", "), "path", r.URL.Path)
			p.page(w, r, pending, nil)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// check returns the pending migrations, querying the database only when
// the files changed since the last check or something was pending then.
func (p *pendingCheck) check(ctx context.Context) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	stamp := p.fileStamp()
	if p.checked && len(p.pending) == 0 && stamp == p.stamp {
		return nil, nil
	}
	m, err := p.migratorLocked()
	if err != nil {
		return nil, err
	}
	pending, err := m.Pending(ctx)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 && len(pending) == p.count && !fileExists(p.app.Path(SchemaPath)) {
		// A new app's database: prepare it rather than ask.
		if err := m.Migrate(ctx, migrate.Latest); err != nil {
			return nil, fmt.Errorf("preparing the new database: %w", err)
		}
		p.app.Logger.InfoContext(ctx, "prepared the new development database", "migrations", strings.Join(pending, ", "))
		pending, stamp = nil, p.fileStamp()
	}
	p.checked, p.pending, p.stamp = true, pending, stamp
	return pending, nil
}

func (p *pendingCheck) migratorLocked() (*migrate.Migrator, error) {
	if p.migrator == nil {
		m, err := migrate.New(p.app.DB, p.app.Migrations(), p.app.MigrateOptions())
		if err != nil {
			return nil, err
		}
		p.migrator = m
	}
	return p.migrator, nil
}

// fileStamp is the modification times and sizes of the files whose change
// may change what is pending (-1 for one that is missing).
type fileStamp [2][2]int64

func (p *pendingCheck) fileStamp() fileStamp {
	var s fileStamp
	for i, name := range p.watched {
		s[i] = [2]int64{-1, -1}
		if st, err := os.Stat(name); err == nil {
			s[i] = [2]int64{st.ModTime().UnixNano(), st.Size()}
		}
	}
	return s
}

// page answers with the pending migrations page; runErr is a run that failed.
func (p *pendingCheck) page(w http.ResponseWriter, r *http.Request, pending []string, runErr error) {
	info := errorpage.PendingInfo{Migrations: pending, Err: runErr, ReturnTo: returnTo(r)}
	if localRequest(r) {
		info.RunPath, info.Token = PendingMigrationsPath, csrf.Token(r)
	}
	w.Header().Del("Content-Length")
	errorpage.ServePending(w, r, info)
}

// run applies the pending migrations for the page's button: a POST from
// this machine that passes CSRF protection (the token of the page's form,
// or a browser's same-origin Sec-Fetch-Site), then back to the page the
// button was on.
func (p *pendingCheck) run(w http.ResponseWriter, r *http.Request) {
	a := p.app
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "405 Method Not Allowed: the pending migrations run on a POST from their page", http.StatusMethodNotAllowed)
		return
	case !localRequest(r):
		a.Logger.WarnContext(r.Context(), "refused to run migrations for a request that is not local", "remote_addr", r.RemoteAddr)
		http.Error(w, "403 Forbidden: pending migrations can only be run from this machine; run gorails db:migrate", http.StatusForbidden)
		return
	}
	if err := p.csrf.Check(r); err != nil {
		a.Logger.WarnContext(r.Context(), "refused to run migrations", "reason", err.Error())
		http.Error(w, "422 Unprocessable Content: the request could not be verified as coming from the pending migrations page (CSRF protection)", http.StatusUnprocessableEntity)
		return
	}
	p.mu.Lock()
	m, err := p.migratorLocked()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Minute)
		err = m.Migrate(ctx, migrate.Latest)
		cancel()
	}
	p.checked = false
	p.mu.Unlock()
	if err != nil {
		a.Logger.ErrorContext(r.Context(), "pending migrations failed", "error", err.Error())
		pending, cerr := p.check(r.Context())
		if cerr != nil || len(pending) == 0 {
			a.renderError(w, r, failure{status: http.StatusInternalServerError, err: err})
			return
		}
		p.page(w, r, pending, err)
		return
	}
	a.Logger.InfoContext(r.Context(), "ran the pending migrations from their page")
	http.Redirect(w, r, safeReturnTo(r.PostFormValue("return_to")), http.StatusSeeOther)
}

// returnTo is the path (and query) of the request, where the button comes
// back to.
func returnTo(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/"
	}
	return r.URL.RequestURI()
}

// safeReturnTo keeps the redirect on this site: a path, never another host
// ("//evil.example", "/\evil.example", "https://...").
func safeReturnTo(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n") || s == PendingMigrationsPath {
		return "/"
	}
	return s
}

// localRequest reports whether r comes from this machine: a loopback peer,
// and, when a proxy says for whom it asks, loopback addresses only (fails
// closed: a header it cannot read makes the request not local).
func localRequest(r *http.Request) bool {
	if r.RemoteAddr != "" && r.RemoteAddr != "@" { // "" or "@": a unix socket, local by nature
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ip, err := netip.ParseAddr(host); err != nil || !ip.Unmap().IsLoopback() {
			return false
		}
	}
	if r.Header.Get("Forwarded") != "" {
		return false
	}
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(v, ",") {
			ip, err := netip.ParseAddr(strings.TrimSpace(hop))
			if err != nil || !ip.Unmap().IsLoopback() {
				return false
			}
		}
	}
	return true
}

// checkTestSchema is the test environment's check for pending migrations
// (Rails' maintain_test_schema): db/schema.sql, which the test database is
// built from, must record every migration the app has. A migration it
// lacks was never run in development, so the schema is behind and the
// tests would run against a database development never had; the boot
// stops with ErrPendingMigrations naming them. A new app without
// db/schema.sql gets every migration instead.
func (a *App) checkTestSchema() error {
	src, err := os.ReadFile(a.Path(SchemaPath))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	have := migrate.SchemaVersions(string(src))
	var pending []string
	for _, m := range a.Migrations() {
		if v, _, err := migrate.ParseFileName(m.File); err == nil && !have[v] {
			pending = append(pending, m.File)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w: %s; %s does not have them: run gorails db:migrate, which applies them in development and dumps the schema the test database is built from",
			ErrPendingMigrations, strings.Join(pending, ", "), SchemaPath)
	}
	return nil
}
