package main

import (
	"fmt"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/testenv"
)

var statusRE = regexp.MustCompile(`(?m)^\s*(up|down)\s+(\d{14})\s+(.+?)\s*$`)

// migrationStatus runs db:status and returns "up create posts" lines.
func migrationStatus(t *testing.T, dir string) []string {
	t.Helper()
	out, code := runCLI(t, dir, "db:status")
	if code != 0 {
		t.Fatalf("db:status exit %d\n%s", code, out)
	}
	var lines []string
	for _, m := range statusRE.FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1]+" "+strings.ToLower(m[3]))
	}
	if !strings.Contains(out, "db/development.sqlite3") {
		t.Errorf("db:status does not name the database:\n%s", out)
	}
	return lines
}

func TestMigrationsEndToEndOnSQLite(t *testing.T) {
	dir := generateApp(t, "journal")
	if out, code := runCLI(t, dir, "generate", "model", "Post", "title:string", "body:text"); code != 0 {
		t.Fatalf("generate model: exit %d\n%s", code, out)
	}
	// A new app's first migrations create the jobs and cache tables.
	status := func(framework, posts string) []string {
		return []string{framework + " create gorails jobs", framework + " create gorails cache entries", framework + " add meta to gorails jobs", posts + " create posts"}
	}
	if got, want := migrationStatus(t, dir), status("down", "down"); !slices.Equal(got, want) {
		t.Fatalf("before migrating, db:status = %q, want %q", got, want)
	}
	out, code := runCLI(t, dir, "db:migrate")
	if code != 0 {
		t.Fatalf("db:migrate exit %d\n%s", code, out)
	}
	schema, err := os.ReadFile(filepath.Join(dir, "db", "schema.sql"))
	if err != nil || !strings.Contains(string(schema), "posts") || !strings.Contains(string(schema), "gorails_jobs") ||
		!strings.Contains(string(schema), "gorails_cache_entries") {
		t.Fatalf("db/schema.sql after migrate: %v\n%s", err, schema)
	}
	if got, want := migrationStatus(t, dir), status("up", "up"); !slices.Equal(got, want) {
		t.Fatalf("after db:migrate, db:status = %q, want %q", got, want)
	}
	if out, code := runCLI(t, dir, "db:rollback"); code != 0 {
		t.Fatalf("db:rollback exit %d\n%s", code, out)
	}
	if got, want := migrationStatus(t, dir), status("up", "down"); !slices.Equal(got, want) {
		t.Fatalf("after db:rollback, db:status = %q, want %q", got, want)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("second db:migrate exit %d\n%s", code, out)
	}
	if got, want := migrationStatus(t, dir), status("up", "up"); !slices.Equal(got, want) {
		t.Fatalf("after db:migrate again, db:status = %q, want %q", got, want)
	}
	// The app's own tests run in the test environment against a database
	// prepared from the schema.
	test := osexec.Command("go", "test", "./...")
	test.Dir = dir
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the generated app's tests fail: %v\n%s", err, out)
	}
}

func TestMigrateAgainstAnUnreachableServer(t *testing.T) {
	parent := t.TempDir()
	if out, code := runCLI(t, parent, "new", "offline", "--database", "postgresql"); code != 0 {
		t.Fatalf("gorails new --database postgresql: exit %d\n%s", code, out)
	}
	dir := filepath.Join(parent, "offline")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/offline?connect_timeout=2")
	out, code := runCLI(t, dir, "db:migrate")
	if code == 0 {
		t.Fatalf("db:migrate against an unreachable server exited 0\n%s", out)
	}
	if last := lastLine(out); !strings.Contains(last, "unavailable") && !strings.Contains(last, "refused") {
		t.Errorf("last line %q should say the server cannot be reached\n%s", last, out)
	}
	if strings.Contains(out, "nobody@") && strings.Contains(out, "password") {
		t.Errorf("credentials in the error:\n%s", out)
	}
}

// TestNewPostgresAppMigrates creates an app for PostgreSQL and runs its
// database tasks against the real server: db:create, generate model,
// db:migrate, db:status, db:drop.
func TestNewPostgresAppMigrates(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", 3*time.Second); err != nil {
		testenv.Unavailable(t, "PostgreSQL", err)
	} else {
		c.Close()
	}
	name := fmt.Sprintf("pgapp%d", time.Now().UnixNano()%1_000_000_000)
	parent := t.TempDir()
	if out, code := runCLI(t, parent, "new", name, "--database", "postgresql"); code != 0 {
		t.Fatalf("gorails new --database postgresql: exit %d\n%s", code, out)
	}
	dir := filepath.Join(parent, name)
	t.Setenv("DATABASE_URL", "")
	t.Cleanup(func() { runCLI(t, dir, "db:drop") })
	// db:create says what it did, and an existing database is one line; in
	// development it creates the test database too, as Rails does.
	for _, want := range []string{
		"Created database '" + name + "_development'\nCreated database '" + name + "_test'\n",
		"Database '" + name + "_development' already exists\nDatabase '" + name + "_test' already exists\n",
	} {
		if out, code := runCLI(t, dir, "db:create"); code != 0 || !strings.HasSuffix(out, want) || strings.Contains(out, "WARN") {
			t.Fatalf("db:create: exit %d, printed %q, want it to end with %q and warn of nothing", code, out, want)
		}
	}
	for _, args := range [][]string{
		{"generate", "model", "Book", "title:string", "pages:integer"},
		{"generate", "model", "Shelf", "label:string"},
		{"routes"}, // builds tmp/bin/NAME
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	// Two migrators started at the same moment: the lock makes one wait,
	// and each migration is applied exactly once.
	bin := filepath.Join(dir, "tmp", "bin", name)
	var procs []*osexec.Cmd
	var outs []*strings.Builder
	for range 2 {
		cmd := osexec.Command(bin, "db:migrate")
		cmd.Dir = dir
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		procs, outs = append(procs, cmd), append(outs, out)
	}
	for _, p := range procs {
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
	}
	migrated := 0
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("migrator %d: %v\n%s", i, err, outs[i])
		}
		migrated += strings.Count(outs[i].String(), ": migrated (")
	}
	if migrated != 5 { // gorails_jobs, gorails_cache_entries, meta on gorails_jobs, books, shelves
		t.Errorf("the two migrators applied %d migrations between them, want each of the 5 exactly once:\n%s\n---\n%s", migrated, outs[0], outs[1])
	}
	out, code := runCLI(t, dir, "db:status")
	if code != 0 || !strings.Contains(out, name+"_development") || !regexp.MustCompile(`up\s+\d{14}\s+Create books`).MatchString(out) ||
		!regexp.MustCompile(`up\s+\d{14}\s+Create shelves`).MatchString(out) {
		t.Fatalf("db:status: exit %d\n%s", code, out)
	}
	schema, err := os.ReadFile(filepath.Join(dir, "db", "schema.sql"))
	if err != nil || !strings.Contains(string(schema), "books") || !strings.Contains(string(schema), "postgresql") {
		t.Errorf("db/schema.sql: %v\n%s", err, schema)
	}
}

// TestMigrationsAreTheirFilesEndToEnd: deleting a migration file, by hand or
// with `gorails destroy migration`, leaves an app that builds and whose
// db:status tells the truth (issue 13 item 8: it used to break the build
// with "undefined: AddSlugToArticles" in a generated list).
func TestMigrationsAreTheirFilesEndToEnd(t *testing.T) {
	dir := generateApp(t, "press")
	for _, args := range [][]string{
		{"generate", "model", "Article", "title:string"},
		{"generate", "migration", "AddSlugToArticles", "slug:string"},
		{"db:migrate"},
		{"generate", "migration", "AddBodyToArticles", "body:text"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	// The applied AddSlugToArticles goes through destroy, the pending
	// AddBodyToArticles is deleted by hand.
	out, code := runCLI(t, dir, "destroy", "migration", "AddSlugToArticles")
	if code != 0 || !regexp.MustCompile(`remove  db/migrate/\d{14}_add_slug_to_articles.go`).MatchString(out) {
		t.Fatalf("destroy migration: exit %d\n%s", code, out)
	}
	body, err := filepath.Glob(filepath.Join(dir, "db", "migrate", "*_add_body_to_articles.go"))
	if err != nil || len(body) != 1 {
		t.Fatalf("the AddBodyToArticles file: %v %v", body, err)
	}
	if err := os.Remove(body[0]); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := osexec.Command("go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v after deleting migration files: %v\n%s", args, err, out)
		}
	}
	out, code = runCLI(t, dir, "db:status")
	if code != 0 {
		t.Fatalf("db:status: exit %d\n%s", code, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`up\s+\d{14}\s+Create articles`),
		regexp.MustCompile(`up\s+\d{14}\s+\*+ NO FILE \*+`), // the applied slug migration, now without its file
	} {
		if !want.MatchString(out) {
			t.Errorf("db:status lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Add body to articles") {
		t.Errorf("db:status still lists the deleted AddBodyToArticles:\n%s", out)
	}
	if out, code := runCLI(t, dir, "destroy", "migration", "AddBodyToArticles"); code == 0 || !strings.Contains(out, "no migration AddBodyToArticles in db/migrate") {
		t.Errorf("destroying a migration that is gone: exit %d\n%s", code, out)
	}
}
