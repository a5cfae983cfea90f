package main

import (
	"fmt"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/testenv"
)

// databaseModules are the Go modules of the three database clients.
var databaseModules = map[string]string{
	"sqlite3":    "modernc.org/sqlite",
	"postgresql": "github.com/jackc/pgx/v5",
	"mysql":      "github.com/go-sql-driver/mysql",
}

// TestEachDatabaseAppLinksOnlyItsDriver: an app made with `gorails new
// --database X` builds a binary that links X's client and no other
// database's, migrates, and passes its own tests against X: model tests
// writing in a transaction they roll back, and a scaffold's controller test
// that saves and shows a record with a column of every generator type.
func TestEachDatabaseAppLinksOnlyItsDriver(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	for _, tt := range []struct{ database, server string }{
		{"sqlite3", ""},
		{"postgresql", "127.0.0.1:5432"},
		{"mysql", "127.0.0.1:3306"},
	} {
		t.Run(tt.database, func(t *testing.T) {
			if tt.server != "" {
				c, err := net.DialTimeout("tcp", tt.server, 3*time.Second)
				if err != nil {
					testenv.Unavailable(t, tt.database, err)
				}
				c.Close()
			}
			name := fmt.Sprintf("%.2sapp%d", tt.database, time.Now().UnixNano()%1_000_000_000)
			parent := t.TempDir()
			if out, code := runCLI(t, parent, "new", name, "--database", tt.database); code != 0 {
				t.Fatalf("gorails new --database %s: exit %d\n%s", tt.database, code, out)
			}
			dir := filepath.Join(parent, name)
			t.Setenv("DATABASE_URL", "")
			bin := filepath.Join(dir, "tmp", "bin", name)
			t.Cleanup(func() {
				for _, env := range []string{"development", "test"} {
					drop := osexec.Command(bin, "db:drop")
					drop.Dir, drop.Env = dir, append(os.Environ(), "GORAILS_ENV="+env)
					_ = drop.Run()
				}
			})
			for _, args := range [][]string{
				// Every column type a generator writes, through a scaffold
				// whose generated test saves and reads each one on X.
				{"generate", "model", "Author", "name:string"},
				{"generate", "scaffold", "Book", "title:string", "pages:integer", "copies:bigint", "weight:float", "price:decimal",
					"available:boolean", "published_on:date", "released_at:datetime", "opens:time", "meta:json", "isbn:uuid:uniq", "author:references"},
				{"db:create"},
				{"db:migrate"},
			} {
				if out, code := runCLI(t, dir, args...); code != 0 {
					t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
				}
			}
			deps := linkedModules(t, bin)
			for db, module := range databaseModules {
				if linked := slices.Contains(deps, module); linked != (db == tt.database) {
					t.Errorf("the %s app's binary links %s: %v, want %v\n(modules: %s)", tt.database, module, linked, db == tt.database, strings.Join(deps, " "))
				}
			}
			test := osexec.Command("go", "test", "./...")
			test.Dir = dir
			if out, err := test.CombinedOutput(); err != nil {
				t.Fatalf("the generated %s app's tests fail: %v\n%s", tt.database, err, out)
			}
		})
	}
}

// linkedModules lists the modules compiled into the binary at path.
func linkedModules(t *testing.T, path string) []string {
	t.Helper()
	out, err := osexec.Command("go", "version", "-m", path).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", path, err)
	}
	var mods []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "dep" {
			mods = append(mods, f[1])
		}
	}
	return mods
}

// TestDatabaseURLForAnUnlinkedAdapter: a SQLite app pointed at PostgreSQL
// by DATABASE_URL does not boot, and says which import to add.
func TestDatabaseURLForAnUnlinkedAdapter(t *testing.T) {
	dir := generateApp(t, "relinked")
	t.Setenv("DATABASE_URL", "postgres://app:topsecret@db.internal/relinked")
	out, code := runCLI(t, dir, "db:migrate")
	if code == 0 {
		t.Fatalf("db:migrate with an adapter the app does not link exited 0\n%s", out)
	}
	want := `names the postgresql database, but the app links only sqlite3: import "github.com/gorails/gorails/framework/record/postgres" in config/database.go and add postgres.Driver{} to DatabaseDrivers`
	if !strings.Contains(out, want) {
		t.Errorf("the error should say which import to add (%q):\n%s", want, out)
	}
	if strings.Contains(out, "topsecret") {
		t.Errorf("the password is in the output:\n%s", out)
	}
}
