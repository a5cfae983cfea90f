package gorails_test

import (
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails"
)

// This file is the module's import policy, in the manner of the standard
// library's go/build/deps_test.go: every package of the module is listed
// with what it may import, bottom layer first, and a layer that imports
// upward fails the build. It is DESIGN.md's picture, made executable:
//
//   - the web stack (dispatch, view, session, csrf, security, middleware,
//     errorpage, controller) imports nothing of records or jobs, so a
//     program using only dispatch+controller links no database driver and
//     no go-redis;
//   - view and dispatch never import controller;
//   - record imports nothing of the web stack (not even net/http);
//   - server imports nothing of gorails: it serves any http.Handler;
//   - framework (the App) may import everything except the database
//     drivers, which an app imports itself (only its own);
//   - framework/cli, the app binary's command line, sits on the App;
//   - cmd/gorails never runs an app in process: it builds the app binary
//     and hands it the command, so it imports neither framework nor cli.
//
// The standard library is allowed everywhere unless a rule denies part of
// it. Third-party modules are allowed only where a rule names them.
//
// Where today's code breaks the policy, the break is listed in exceptions
// with the work that removes it. An exception that the code no longer
// needs fails the test too, so it is deleted when that work merges.

// Third-party modules, by what they are. A name ending in "/..." matches
// the module and every package in it.
var modules = map[string][]string{
	"YAML":         {"gopkg.in/yaml.v3"},
	"SECURECOOKIE": {"github.com/gorilla/securecookie"},
	"FSNOTIFY":     {"github.com/fsnotify/fsnotify"},
	"PFLAG":        {"github.com/spf13/pflag"},
	"COBRA":        {"github.com/spf13/cobra"},
	"XSYS":         {"golang.org/x/sys/..."},
	"REDIS":        {"github.com/redis/go-redis/v9/..."},
	"PGX":          {"github.com/jackc/pgx/v5/..."},
	"MYSQL":        {"github.com/go-sql-driver/mysql/..."},
	"SQLITE":       {"modernc.org/sqlite/..."},
	"OTEL":         {"go.opentelemetry.io/otel/...", "go.opentelemetry.io/auto/sdk/...", "github.com/go-logr/...", "github.com/google/uuid"},
	"GOQUERY":      {"github.com/PuerkitoBio/goquery"},
	"CHROMEDP":     {"github.com/chromedp/chromedp/...", "github.com/chromedp/cdproto/..."},
	"XCRYPTO":      {"golang.org/x/crypto/..."},
}

// drivers are the modules a program links only when it imports a database
// driver package itself.
var drivers = []string{"PGX", "MYSQL", "SQLITE"}

// A rule places one package of the module (a path relative to the module
// root; "." is the root package): it may import the packages and modules
// in may and, transitively, whatever those may import. Rules come bottom
// layer first, so a package can only be allowed what is placed below it.
type rule struct {
	pkg  string
	may  []string
	deny []string // standard library packages (and their subpackages) it must not import
	// planned names the work that creates a package being written on
	// another branch, placed here so that its merge finds its layer; a rule
	// for a missing package without it is a stale rule. Once the package
	// has merged, planned is only a note and may be deleted.
	planned string
}

// noWeb is the standard library's web stack, which the record layer stays
// out of.
var noWeb = []string{"net/http", "html/template"}

var policy = []rule{
	// The module's facts, helpers and generator templates.
	{pkg: "."},
	{pkg: "internal/inflect"},
	{pkg: "internal/formpeek"},
	{pkg: "internal/generator"},
	{pkg: "internal/railsjson"}, // encoding/json with Rails' times, for render json and record associations
	{pkg: "templates"},
	{pkg: "internal/testenv", may: []string{"PGX", "MYSQL"}}, // for tests only: no package may import it

	// Events (ActiveSupport::Notifications): the standard library only, so
	// every layer can report what it did without importing another.
	{pkg: "framework/event"},

	// The web stack, each layer usable alone.
	// security (CSP's nonce, force_ssl) and session put their per-request
	// values in event.RequestScope, the default stack's one context layer,
	// instead of copying the request each: event is the standard library
	// only and below every layer, so this adds no weight and no cycle.
	{pkg: "framework/security", may: []string{"framework/event"}},
	{pkg: "framework/middleware", may: []string{"framework/event"}}, // chi-style: the standard library (and events) only
	{pkg: "framework/session", may: []string{"SECURECOOKIE", "framework/event"}},
	{pkg: "framework/csrf", may: []string{"framework/session", "internal/formpeek"}},
	// Authentication (Warden's shape) over the cookie jar and the session;
	// nothing of record: the app's models implement its SessionStore.
	{pkg: "framework/auth", may: []string{"framework/session"}},
	{pkg: "framework/secrets", may: []string{"YAML"}},
	{pkg: "framework/dispatch", may: []string{"internal/formpeek", "internal/inflect"}},
	{pkg: "framework/view", may: []string{"FSNOTIFY", "internal/inflect", "internal/railsjson", "framework/event"}},
	{pkg: "framework/errorpage", may: []string{"framework/view"}},
	{pkg: "framework/controller", may: []string{
		"framework/dispatch", "framework/view", "framework/session", "framework/csrf", "framework/security", "framework/middleware", "framework/event",
		"internal/railsjson",
	}},

	// The server serves any http.Handler and knows nothing of gorails.
	{pkg: "framework/server", may: []string{"PFLAG", "XSYS"}},
	{pkg: "framework/server/internal/testserver", may: []string{"framework/server"}},

	// Records: the user's API over the implementer's API, one package per
	// database, nothing of the web stack.
	{pkg: "framework/record/internal/sqlscan", deny: noWeb},
	{pkg: "framework/record/driver", may: []string{"framework/record/internal/sqlscan"}, deny: noWeb},
	{pkg: "framework/record/internal/catalog", may: []string{"framework/record/driver"}, deny: noWeb},
	{pkg: "framework/record/internal/checkout", may: []string{"framework/record/driver"}, deny: noWeb},
	{pkg: "framework/record/internal/sqldb", may: []string{"framework/record/internal/checkout"}, deny: noWeb},
	{pkg: "framework/record", may: []string{"framework/record/driver", "framework/event", "YAML", "internal/inflect", "internal/railsjson"}, deny: noWeb},
	{pkg: "framework/record/sqlite", may: []string{"framework/record/internal/catalog", "framework/record/internal/sqldb", "SQLITE"}, deny: noWeb},
	{pkg: "framework/record/postgres", may: []string{"framework/record/internal/catalog", "framework/record/internal/checkout", "PGX"}, deny: noWeb},
	{pkg: "framework/record/mysql", may: []string{"framework/record/internal/catalog", "framework/record/internal/sqldb", "MYSQL"}, deny: noWeb},
	{pkg: "framework/record/migrate", may: []string{"framework/record"}, deny: noWeb},
	// has_secure_password and lockable: bcrypt over record, no web stack.
	{pkg: "framework/auth/password", may: []string{"framework/record", "XCRYPTO"}, deny: noWeb},
	{pkg: "framework/record/migrate/internal/appmigrate", may: []string{"framework/record/migrate"}, deny: noWeb}, // a test fixture: an app's db/migrate

	// Caching (Redis or memory) and mail, used by the App, not by controller.
	{pkg: "framework/cache", may: []string{"framework/event", "REDIS"}, planned: "cache (issue 18)"},
	{pkg: "framework/cache/cachetest", may: []string{"framework/cache"}, planned: "cache (issue 18)"},
	// The database store (Solid Cache) sits on records.
	{pkg: "framework/cache/dbstore", may: []string{"framework/cache", "framework/record/migrate"}, deny: noWeb},
	{pkg: "framework/mail", may: []string{"framework/event"}, planned: "mail"},

	// Jobs: over records (the database backend) and Redis.
	{pkg: "framework/job", may: []string{"framework/record/migrate", "framework/event", "REDIS"}},
	{pkg: "framework/job/internal/crashworker", may: []string{
		"framework/job", "framework/record/sqlite", "framework/record/postgres", "framework/record/mysql",
	}},

	// OpenTelemetry over the events, optional: only an app that imports it links it.
	{pkg: "framework/telemetry", may: []string{"framework/event", "OTEL"}},

	// The App: every layer but the database drivers.
	{pkg: "framework", may: []string{
		"framework/controller", "framework/errorpage", "framework/middleware", "framework/secrets",
		"framework/server", "framework/job", "framework/cache", "framework/cache/dbstore", "framework/mail",
	}},
	// The app binary's command line, on the App.
	{pkg: "framework/cli", may: []string{"framework", "COBRA"}},
	// The testing kit: for an app's tests, so it may import the whole App
	// and an HTML query library; the system tests' browser driver is in
	// its own package, so a test binary without them does not link it.
	{pkg: "framework/gorailstest", may: []string{"framework", "GOQUERY", "YAML", "internal/inflect"}},
	{pkg: "framework/gorailstest/system", may: []string{"framework/gorailstest", "CHROMEDP"}},

	// The gorails command: generators, the development loop (it holds the
	// sockets of the server it runs) and the delegation to the app binary.
	{pkg: "cmd/gorails", may: []string{
		".", "internal/generator", "internal/inflect", "templates",
		"framework/dispatch", "framework/controller", "framework/record/migrate", "framework/secrets", "framework/server", "COBRA", "FSNOTIFY",
	}},
}

// An exception is an import the policy forbids that today's code still
// makes, with the work that removes it. to is a package of the module or a
// module name from modules.
type exception struct {
	from, to  string
	removedBy string
}

var exceptions = []exception{}

// graph is the module's packages (relative paths) and their direct
// imports outside tests (full import paths).
type graph map[string][]string

// loadGraph reads the imports of every package under the module root for
// the platforms the module supports, without building anything.
func loadGraph(t *testing.T) graph {
	t.Helper()
	root, err := os.Getwd() // go test runs in the package's directory: the module root
	if err != nil {
		t.Fatal(err)
	}
	g := graph{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "tmp" || fileExists(filepath.Join(path, "go.mod"))) {
			return filepath.SkipDir // not the module's packages (another module, such as bench/, or data)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		imports := map[string]bool{}
		found := false
		for _, goos := range []string{"linux", "darwin", "windows"} {
			ctxt := build.Default
			ctxt.GOOS = goos
			ctxt.CgoEnabled = false
			pkg, err := ctxt.ImportDir(path, build.ImportComment)
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				continue
			}
			if err != nil {
				return err
			}
			found = true
			for _, imp := range pkg.Imports {
				imports[imp] = true
			}
		}
		if found {
			g[filepath.ToSlash(rel)] = slices.Sorted(maps.Keys(imports))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(g) < 20 {
		t.Fatalf("found only %d packages: is the test running in the module root?", len(g))
	}
	return g
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// rel turns an import path of the module into its policy name ("." for the
// root); ok is false for other modules and the standard library.
func rel(importPath string) (string, bool) {
	if importPath == gorails.ModulePath {
		return ".", true
	}
	if r, ok := strings.CutPrefix(importPath, gorails.ModulePath+"/"); ok {
		return r, true
	}
	return "", false
}

// moduleOf names the third-party module an import belongs to, or "".
func moduleOf(importPath string) string {
	for name, paths := range modules {
		for _, p := range paths {
			if base, ok := strings.CutSuffix(p, "/..."); ok {
				if importPath == base || strings.HasPrefix(importPath, base+"/") {
					return name
				}
			} else if importPath == p {
				return name
			}
		}
	}
	return ""
}

func isStd(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}

// allowed computes, for each rule's package, everything it may import:
// what it names and, transitively, what those may import. It fails on a
// rule that names something not placed below it.
func allowed(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for _, r := range policy {
		if _, dup := out[r.pkg]; dup {
			t.Fatalf("policy: %s is placed twice", r.pkg)
		}
		set := map[string]bool{}
		for _, m := range r.may {
			if _, isModule := modules[m]; isModule {
				set[m] = true
				continue
			}
			below, ok := out[m]
			if !ok {
				t.Fatalf("policy: %s may import %s, which is not placed below it", r.pkg, m)
			}
			set[m] = true
			for p := range below {
				set[p] = true
			}
		}
		out[r.pkg] = set
	}
	return out
}

// importName is how the policy names an import: a package of the module
// by its relative path, a third-party module by its name from modules.
func importName(importPath string) (name string, std bool) {
	if r, ok := rel(importPath); ok {
		return r, false
	}
	if isStd(importPath) {
		return importPath, true
	}
	if m := moduleOf(importPath); m != "" {
		return m, false
	}
	return importPath, false
}

func isException(from, to string) bool {
	for _, e := range exceptions {
		if e.from == from && e.to == to {
			return true
		}
	}
	return false
}

func TestImportPolicy(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	may := allowed(t)
	rules := map[string]rule{}
	for _, r := range policy {
		rules[r.pkg] = r
	}
	used := map[exception]bool{}
	for _, pkg := range slices.Sorted(maps.Keys(g)) {
		r, placed := rules[pkg]
		if !placed {
			t.Errorf("%s is not in the import policy: add a rule to deps_test.go that places it in its layer", pkg)
			continue
		}
		for _, imp := range g[pkg] {
			name, std := importName(imp)
			if std {
				for _, d := range r.deny {
					if imp == d || strings.HasPrefix(imp, d+"/") {
						t.Errorf("%s imports %s, which it must not: see its rule in deps_test.go", pkg, imp)
					}
				}
				continue
			}
			if name == pkg || may[pkg][name] {
				continue
			}
			if isException(pkg, name) {
				for _, e := range exceptions {
					if e.from == pkg && e.to == name {
						used[e] = true
					}
				}
				continue
			}
			t.Errorf("%s imports %s, which the policy does not allow: a layer may import only what is placed below it (deps_test.go)", pkg, imp)
		}
	}
	for _, e := range exceptions {
		if !used[e] {
			t.Errorf("the exception %s -> %s is no longer needed (%s): delete it from deps_test.go", e.from, e.to, e.removedBy)
		}
	}
	for _, r := range policy {
		if _, exists := g[r.pkg]; !exists && r.planned == "" {
			t.Errorf("the policy places %s, which does not exist: delete its rule from deps_test.go", r.pkg)
		}
	}
}

// links returns the third-party modules (by name) and packages of the
// module that a program importing roots links, following the module's own
// imports (but not the exceptions, so that it checks the policy's target).
func links(g graph, roots ...string) map[string]bool {
	seen := map[string]bool{}
	var visit func(pkg string)
	visit = func(pkg string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		for _, imp := range g[pkg] {
			name, std := importName(imp)
			if std || isException(pkg, name) {
				continue
			}
			if _, isModule := modules[name]; isModule {
				seen[name] = true
				continue
			}
			visit(name)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return seen
}

// TestWhatProgramsLink: the layers that DESIGN.md says can be used alone
// link nothing they do not use.
func TestWhatProgramsLink(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	tests := []struct {
		name     string
		roots    []string
		mustNot  []string
		wantSome []string // a sanity check that the walk reached something
	}{
		{"a program using only dispatch and controller links no database driver, go-redis, record or job",
			[]string{"framework/dispatch", "framework/controller"},
			append([]string{"REDIS", "framework/record", "framework/job"}, drivers...), []string{"framework/view"}},
		{"a program serving with server alone links nothing else of gorails",
			[]string{"framework/server"},
			[]string{"framework/dispatch", "framework/record", "framework/view", "REDIS", "PGX"}, []string{"PFLAG"}},
		{"a program using record links none of the web stack",
			[]string{"framework/record", "framework/record/migrate"},
			[]string{"framework/dispatch", "framework/controller", "framework/view", "framework/session"}, []string{"YAML"}},
		{"a program using record with its SQLite driver links no other database client",
			[]string{"framework/record", "framework/record/sqlite"},
			[]string{"PGX", "MYSQL"}, []string{"SQLITE"}},
		{"migrations and jobs link no database driver",
			[]string{"framework/record/migrate", "framework/job"},
			drivers, []string{"framework/record", "REDIS"}},
		{"an app links no database driver it does not import itself",
			[]string{"framework", "framework/cli"},
			drivers, []string{"framework/record", "COBRA"}},
		{"an app links no OpenTelemetry unless it imports framework/telemetry",
			[]string{"framework", "framework/cli"},
			[]string{"OTEL", "framework/telemetry"}, []string{"framework/event"}},
		{"framework/telemetry links OpenTelemetry and nothing of the App",
			[]string{"framework/telemetry"},
			[]string{"framework", "framework/record", "framework/view", "framework/dispatch"}, []string{"OTEL"}},
		{"the middleware link nothing of gorails but events",
			[]string{"framework/middleware"},
			[]string{"framework/record", "framework/dispatch", "framework/view"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := links(g, tt.roots...)
			for _, bad := range tt.mustNot {
				if got[bad] {
					t.Errorf("links %s (%s)", bad, pathTo(g, tt.roots, bad))
				}
			}
			for _, want := range tt.wantSome {
				if !got[want] {
					t.Errorf("does not link %s: the walk is broken", want)
				}
			}
		})
	}
}

// pathTo explains how roots reach target: "a -> b -> target".
func pathTo(g graph, roots []string, target string) string {
	prev := map[string]string{}
	queue := append([]string(nil), roots...)
	for _, r := range roots {
		prev[r] = ""
	}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		for _, imp := range g[pkg] {
			name, std := importName(imp)
			if std || isException(pkg, name) {
				continue
			}
			if _, seen := prev[name]; seen {
				continue
			}
			prev[name] = pkg
			if name == target {
				var chain []string
				for n := name; n != ""; n = prev[n] {
					chain = append(chain, n)
				}
				slices.Reverse(chain)
				return strings.Join(chain, " -> ")
			}
			if _, isModule := modules[name]; !isModule {
				queue = append(queue, name)
			}
		}
	}
	return "no path"
}

// TestImportPolicyCatchesAnUpwardImport shows the policy failing: a view
// that imported controller, or a record that imported net/http, would be
// reported.
func TestImportPolicyCatchesAnUpwardImport(t *testing.T) {
	t.Parallel()
	may := allowed(t)
	tests := []struct {
		from, imp string
		allowed   bool
	}{
		{"framework/view", gorails.ModulePath + "/framework/controller", false},
		{"framework/dispatch", gorails.ModulePath + "/framework/controller", false},
		{"framework/controller", gorails.ModulePath + "/framework/dispatch", true},
		{"framework/controller", gorails.ModulePath + "/internal/inflect", true}, // transitively, through dispatch
		{"framework/server", gorails.ModulePath + "/framework/dispatch", false},
		{"framework/record", gorails.ModulePath + "/framework/view", false},
		{"framework", gorails.ModulePath + "/framework/cli", false},
		{"framework", gorails.ModulePath + "/framework/record/sqlite", false},
		{"framework", "github.com/jackc/pgx/v5/pgxpool", false},
		{"framework/cli", "github.com/spf13/cobra", true},
		{"framework", "github.com/spf13/cobra", false},
		{"framework/middleware", "github.com/go-chi/chi/v5", false},
		{"cmd/gorails", gorails.ModulePath + "/framework", false},
	}
	for _, tt := range tests {
		name, _ := importName(tt.imp)
		if got := may[tt.from][name]; got != tt.allowed {
			t.Errorf("%s importing %s: allowed = %v, want %v", tt.from, tt.imp, got, tt.allowed)
		}
	}
	var record rule
	for _, r := range policy {
		if r.pkg == "framework/record" {
			record = r
		}
	}
	if !slices.Contains(record.deny, "net/http") {
		t.Error("record may import net/http")
	}
}
