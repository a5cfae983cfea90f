package main

import (
	"flag"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestNewGolden pins what `gorails new blog` writes, file by file, against
// testdata/golden/new/blog. Run `go test ./cmd/gorails -run Golden -update`
// after changing a template, and read the diff.
func TestNewGolden(t *testing.T) {
	t.Parallel()
	data := appData{
		Name: "blog", Module: "blog", Title: "Blog", GoVersion: "1.26.8", Database: "sqlite3",
		GoMod: "require github.com/gorails/gorails v0.0.0-00010101000000-000000000000\n\nreplace github.com/gorails/gorails => /path/to/gorails\n",
	}
	files, err := renderApp(data)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "..", "testdata", "golden", "new", "blog")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(golden, filepath.FromSlash(f.Path)) + ".golden"
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []string
	err = filepath.Walk(golden, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(golden, p)
			want = append(want, strings.TrimSuffix(filepath.ToSlash(rel), ".golden"))
		}
		return err
	})
	if err != nil {
		t.Fatalf("read golden files (run with -update to create them): %v", err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		wantData, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(f.Path)) + ".golden")
		if err != nil {
			t.Errorf("%s: no golden file (run with -update): %v", f.Path, err)
			continue
		}
		if strings.HasSuffix(f.Path, ".go") {
			// gofmt'ed, so that generators which format what they edit
			// (generate authentication) change only what they add.
			if formatted, err := format.Source(f.Data); err != nil || string(formatted) != string(f.Data) {
				t.Errorf("%s is not gofmt'ed (%v)", f.Path, err)
			}
		}
		if string(wantData) != string(f.Data) {
			t.Errorf("%s differs from its golden file:\n--- got\n%s\n--- want\n%s", f.Path, f.Data, wantData)
		}
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("generated files\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRequirementsParsesGoMod(t *testing.T) {
	t.Parallel()
	gomod := "module x\n\ngo 1.26\n\nrequire a.b/c v1.0.0\n\nrequire (\n\td.e/f v2.0.0 // indirect\n\tg.h/i v0.1.0\n)\n"
	got := strings.Join(requirements(gomod), ",")
	if want := "a.b/c v1.0.0,d.e/f v2.0.0,g.h/i v0.1.0"; got != want {
		t.Errorf("requirements = %q, want %q", got, want)
	}
}

func TestValidateAppName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"blog", true}, {"my_blog", true}, {"my-blog2", true},
		{"", false}, {"Blog", false}, {"2blog", false}, {"my blog", false}, {"blog!", false},
		{"net", false}, {"gorails", false}, {"test", false},
	}
	for _, tt := range tests {
		if err := validateAppName(tt.name); (err == nil) != tt.ok {
			t.Errorf("validateAppName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestNewDatabaseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct{ database, want, driver string }{
		{"sqlite3", "database: db/development.sqlite3", "sqlite"},
		{"postgresql", "adapter: postgresql", "postgres"},
		{"mysql", "adapter: mysql", "mysql"},
	}
	for _, tt := range tests {
		t.Run(tt.database, func(t *testing.T) {
			t.Parallel()
			files, err := generator.Render(templates.FS, "app", appData{Name: "shop", Module: "shop", Title: "Shop", GoVersion: "1.26.8", Database: tt.database}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if f.Path == "config/database.go" {
					// The app imports its one driver, and no other.
					for _, pkg := range []string{"sqlite", "postgres", "mysql"} {
						imported := strings.Contains(string(f.Data), `"github.com/gorails/gorails/framework/record/`+pkg+`"`)
						if imported != (pkg == tt.driver) || !strings.Contains(string(f.Data), tt.driver+".Driver{}") {
							t.Errorf("config/database.go for %s imports %s: %v\n%s", tt.database, pkg, imported, f.Data)
						}
					}
				}
				if f.Path != "config/database.yml" {
					continue
				}
				if !strings.Contains(string(f.Data), tt.want) || (tt.database != "sqlite3" && !strings.Contains(string(f.Data), "database: shop_test")) {
					t.Errorf("config/database.yml for %s:\n%s", tt.database, f.Data)
				}
				cfg, err := record.ParseConfig(f.Data, "test", func(string) string { return "" })
				if err != nil {
					t.Fatalf("the generated database.yml does not parse: %v", err)
				}
				if want := map[string]string{"sqlite3": record.SQLite, "postgresql": record.PostgreSQL, "mysql": record.MySQL}[tt.database]; cfg.WithDefaults().Adapter != want {
					t.Errorf("adapter %q, want %q", cfg.Adapter, want)
				}
			}
			if !slices.ContainsFunc(files, func(f generator.File) bool { return f.Path == "config/database.yml" }) ||
				!slices.ContainsFunc(files, func(f generator.File) bool { return f.Path == "config/database.go" }) {
				t.Fatal("no config/database.yml or config/database.go")
			}
		})
	}
}

func TestGoTestArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{nil, "test -p 1 ./..."},
		{[]string{"-v"}, "test -p 1 -v ./..."},
		{[]string{"-run", "TestPost", "./app/models"}, "test -p 1 -run TestPost ./app/models"},
		{[]string{"-run", "TestPost"}, "test -p 1 -run TestPost ./..."},
		{[]string{"-p", "4", "-count=1"}, "test -p 4 -count=1 ./..."},
		{[]string{"-race", "./..."}, "test -p 1 -race ./..."},
	}
	for _, c := range cases {
		if got := strings.Join(goTestArgs(c.args), " "); got != c.want {
			t.Errorf("goTestArgs(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestDevCacheTogglesTheFile(t *testing.T) {
	root := t.TempDir()
	for i, want := range []bool{true, false, true} {
		on, err := toggleDevCache(root)
		if err != nil || on != want {
			t.Fatalf("toggle %d: %v, %v; want %v", i+1, on, err, want)
		}
		_, err = os.Stat(filepath.Join(root, "tmp", "caching-dev.txt"))
		if exists := err == nil; exists != want {
			t.Fatalf("toggle %d: the file exists: %v; want %v", i+1, exists, want)
		}
	}
}
