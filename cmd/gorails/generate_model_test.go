package main

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// genTime is the clock of the golden tests: versions are 20261123085000.
var genTime = time.Date(2026, 11, 23, 8, 50, 0, 0, time.UTC)

// checkGolden compares files (slash paths relative to root, plus
// "output.txt" for what was printed) with testdata/golden/DIR, or rewrites
// them with -update.
func checkGolden(t *testing.T, dir string, got map[string]string) {
	t.Helper()
	golden := filepath.Join("..", "..", "testdata", "golden", filepath.FromSlash(dir))
	for p, data := range got {
		if strings.HasSuffix(p, ".go") {
			if formatted, err := format.Source([]byte(data)); err != nil || string(formatted) != data {
				t.Errorf("%s is not gofmt'ed (%v)", p, err)
			}
		}
		gp := filepath.Join(golden, filepath.FromSlash(p)) + ".golden"
		if *update {
			if err := os.MkdirAll(filepath.Dir(gp), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(gp, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(gp)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/gorails -run Generate -update)", err)
		}
		if string(want) != data {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", p, gp, data, want)
		}
	}
}

func TestGenerateModelGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	err := generateModel(root, "Post", []string{"title:string", "body:text", "published:boolean:index", "slug:string:uniq", "published_at:datetime", "user:references"}, genTime, false, &out)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "model/post", map[string]string{
		"output.txt":                                out.String(),
		"app/models/post.go":                        readFile(t, root, "app/models/post.go"),
		"app/models/post_test.go":                   readFile(t, root, "app/models/post_test.go"),
		"app/models/app_test.go":                    readFile(t, root, "app/models/app_test.go"),
		"test/fixtures/posts.yml":                   readFile(t, root, "test/fixtures/posts.yml"),
		"db/migrate/20261123085000_create_posts.go": readFile(t, root, "db/migrate/20261123085000_create_posts.go"),
	})
}

func TestGenerateMigrationGolden(t *testing.T) {
	cases := []struct {
		dir, name string
		args      []string
		file      string
	}{
		{"add_published_to_posts", "AddPublishedToPosts", []string{"published:boolean:index", "author:references"}, "20261123085000_add_published_to_posts.go"},
		{"remove_body_from_posts", "RemoveBodyFromPosts", []string{"body:text"}, "20261123085000_remove_body_from_posts.go"},
		{"create_tags", "create_tags", []string{"name:string:uniq"}, "20261123085000_create_tags.go"},
		{"backfill_slugs", "BackfillSlugs", nil, "20261123085000_backfill_slugs.go"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := newTestApp(t)
			var out bytes.Buffer
			if err := generateMigration(root, tc.name, tc.args, genTime, &out); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "migration/"+tc.dir, map[string]string{
				"output.txt":            out.String(),
				"db/migrate/" + tc.file: readFile(t, root, "db/migrate/"+tc.file),
			})
		})
	}
}

func TestGenerateMigrationVersionsStayUniqueAndOrdered(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	for _, n := range []string{"CreatePosts", "AddTitleToPosts", "AddBodyToPosts"} {
		if err := generateMigration(root, n, nil, genTime, &out); err != nil {
			t.Fatal(err)
		}
	}
	files, err := migrationFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"20261123085000_create_posts.go", "20261123085001_add_title_to_posts.go", "20261123085002_add_body_to_posts.go"}
	if !slices.Equal(files, want) {
		t.Errorf("files = %v, want %v", files, want)
	}
	methods, err := migrationMethods(root)
	if err != nil || methods["AddBodyToPosts"] != "20261123085002_add_body_to_posts.go" {
		t.Errorf("the migration methods are %v (%v), want AddBodyToPosts in 20261123085002_add_body_to_posts.go", methods, err)
	}
	if err := generateMigration(root, "AddTitleToPosts", nil, genTime, &out); err == nil || !strings.Contains(err.Error(), "already named add_title_to_posts") {
		t.Errorf("a second AddTitleToPosts: err = %v", err)
	}
}

func TestGenerateMigrationRefuses(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"an app whose migrations.go is an old generated list", map[string]string{
			"migrations.go": "package migrate\nimport \"github.com/gorails/gorails/framework/record/migrate\"\nfunc All() []migrate.Migration { return nil }\n",
		}, []string{"db/migrate does not declare the Migrations type", "func (Migrations) NAME() migrate.Migration"}},
		{"a method name another file already declares", map[string]string{
			"20261123085000_titles.go": "package migrate\nimport \"github.com/gorails/gorails/framework/record/migrate\"\nfunc (Migrations) AddTitleToPosts() migrate.Migration { return migrate.Migration{} }\n",
		}, []string{"another migration is already called AddTitleToPosts: db/migrate/20261123085000_titles.go"}},
		{"a file that does not parse", map[string]string{"20261123085000_broken.go": "package migrate\nfunc (\n"}, []string{"20261123085000_broken.go:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := newTestApp(t)
			dir := filepath.Join(root, "db", "migrate")
			for n, src := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, root)
			err := generateMigration(root, "AddTitleToPosts", nil, genTime, &bytes.Buffer{})
			if err == nil {
				t.Fatal("generate succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if after := snapshot(t, root); after != before {
				t.Errorf("the failed generate wrote files:\n%s", after)
			}
		})
	}
}

func TestDestroyMigration(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	for _, n := range []string{"CreatePosts", "AddTitleToPosts"} {
		if err := generateMigration(root, n, nil, genTime, &out); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ name, arg, removed, err string }{
		{"by its CamelCase name", "AddTitleToPosts", "db/migrate/20261123085001_add_title_to_posts.go", ""},
		{"by its version", "20261123085000", "db/migrate/20261123085000_create_posts.go", ""},
		{"one that is gone", "AddTitleToPosts", "", "no migration AddTitleToPosts in db/migrate"},
		{"a name that is not one", "../../etc/passwd", "", "invalid migration name"},
	}
	for _, tt := range tests {
		out.Reset()
		err := destroyMigration(root, tt.arg, &out)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !strings.Contains(out.String(), "remove  "+tt.removed) || !strings.Contains(out.String(), "gorails db:rollback") {
			t.Errorf("%s printed:\n%s", tt.name, out.String())
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(tt.removed))); err == nil {
			t.Errorf("%s: %s is still there", tt.name, tt.removed)
		}
	}
}

func TestParseColumnArgsRejectsBadInput(t *testing.T) {
	cases := map[string][]string{
		"an unknown type":     {"title:strng"},
		"a CamelCase name":    {"Title:string"},
		"a field given twice": {"title", "title:text"},
		"a Model column":      {"created_at:datetime"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := parseColumnArgs(args); err == nil {
				t.Errorf("parseColumnArgs(%q) succeeded", args)
			}
		})
	}
}

func TestDestroyModel(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	if err := generateModel(root, "Post", []string{"title"}, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	if err := generateModel(root, "Tag", []string{"name"}, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := destroyModel(root, "Post", &out); err != nil {
		t.Fatal(err)
	}
	want := `      remove  app/models/post.go
      remove  app/models/post_test.go
      remove  test/fixtures/posts.yml
      remove  db/migrate/20261123085000_create_posts.go
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if !isFile(filepath.Join(root, "app", "models", "app_test.go")) || !isFile(filepath.Join(root, "test", "fixtures", "tags.yml")) {
		t.Error("destroy model removed what the package's other tests need (app_test.go) or another model's fixtures")
	}
	if methods, err := migrationMethods(root); err != nil || methods["CreatePosts"] != "" || methods["CreateTags"] == "" {
		t.Errorf("migrations after destroy: %v (%v)", methods, err)
	}
}

func TestGeneratedModelCompilesAndPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated app; skipped with -short")
	}
	root := generateApp(t, "blog")
	var out bytes.Buffer
	for _, g := range []func() error{
		func() error {
			return generateModel(root, "User", []string{"name:string:uniq", "admin:boolean"}, genTime, false, &out)
		},
		func() error {
			return generateModel(root, "Post", []string{"title", "body:text", "score:decimal", "user:references"}, genTime, false, &out)
		},
		func() error {
			return generateMigration(root, "AddPublishedAtToPosts", []string{"published_at:datetime:index"}, genTime, &out)
		},
	} {
		if err := g(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "./app/models/", "./db/migrate/")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test in the generated app: %v\n%s", err, b)
	}
	// The files are the migrations: deleting one by hand breaks nothing.
	if err := os.Remove(filepath.Join(root, "db", "migrate", "20261123085002_add_published_at_to_posts.go")); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("go", "vet", "./...")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("after deleting a migration file, go vet in the generated app: %v\n%s", err, b)
	}
}

func TestModelCommandsRunInsideAnApp(t *testing.T) {
	root := newTestApp(t)
	t.Chdir(root)
	steps := []struct {
		cmd   func() *cobra.Command
		args  []string
		check string // a file (a glob) that must exist afterwards ("!" prefix: must not)
	}{
		{generateModelCommand, []string{"Comment", "body:text"}, "app/models/comment.go"},
		{generateMigrationCommand, []string{"AddAuthorToComments", "author:string"}, "db/migrate/*_add_author_to_comments.go"},
		{generateMigrationCommand, []string{"AddSlugToComments", "slug:string"}, "db/migrate/*_add_slug_to_comments.go"},
		{destroyModelCommand, []string{"Comment"}, "!app/models/comment.go"},
		{destroyMigrationCommand, []string{"AddSlugToComments"}, "!db/migrate/*_add_slug_to_comments.go"},
	}
	for _, s := range steps {
		c := s.cmd()
		var out bytes.Buffer
		c.SetOut(&out)
		c.SetErr(&out)
		c.SetArgs(s.args)
		if err := c.Execute(); err != nil {
			t.Fatalf("%s %v: %v\n%s", c.Name(), s.args, err, out.String())
		}
		p, mustNotExist := strings.CutPrefix(s.check, "!")
		found, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil || (len(found) == 1) == mustNotExist {
			t.Errorf("after %s %v: %s matches %q (%v)", c.Name(), s.args, p, found, err)
		}
	}
	if methods, err := migrationMethods(root); err != nil || len(methods) != 1 || methods["AddAuthorToComments"] == "" {
		t.Errorf("migrations: %v (%v), want AddAuthorToComments alone", methods, err)
	}
}
