package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/cli"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type PagesController struct{ controller.Base }

func (c *PagesController) Home() error  { return nil }
func (c *PagesController) About() error { return nil }

func routes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*PagesController).Home))
	r.Get("about", dispatch.To((*PagesController).About))
}

func appFiles() fstest.MapFS {
	return fstest.MapFS{
		"app/views/layouts/application.html.tmpl": {Data: []byte(`{{template "content" .}}`)},
		"app/views/pages/home.html.tmpl":          {Data: []byte(`home`)},
		"app/views/pages/about.html.tmpl":         {Data: []byte(`about`)},
	}
}

type noteArgs struct {
	Body string `json:"body"`
}

// noteJob inserts a note: its effect is visible in the app's database.
type noteJob struct {
	db   *record.DB
	runs *atomic.Int64
}

func (j noteJob) Perform(ctx context.Context, a noteArgs) error {
	j.runs.Add(1)
	_, err := j.db.Exec(ctx, "INSERT INTO notes (body) VALUES (?)", a.Body)
	return err
}

func notesMigrations() []migrate.Migration {
	return []migrate.Migration{
		job.Migration(),
		migrate.File("20260201000000_create_notes.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("notes", func(t *migrate.Table) { t.Text("body") })
		}}),
	}
}

// newApp is a development app in root with a SQLite database holding notes
// and the jobs table, and noteJob registered; apps made in one root share
// the database, as the processes of one app do (each command closes its
// app). env maps environment variables; edit changes the config.
func newApp(t *testing.T, root string, env map[string]string, edit func(*framework.Config)) (*framework.App, *atomic.Int64) {
	t.Helper()
	files := appFiles()
	files["config/database.yml"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
		"development:\n  adapter: sqlite3\n  database: %[1]s\nproduction:\n  adapter: sqlite3\n  database: %[1]s\n",
		filepath.Join(root, "app.sqlite3")))}
	runs := new(atomic.Int64)
	cfg := framework.Config{
		Name: "cliapp", Env: framework.Development, Root: root, Files: files, Routes: routes,
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
		Logger:          slog.New(slog.DiscardHandler),
		Getenv:          func(k string) string { return env[k] },
		Migrations:      notesMigrations,
		RegisterJobs: func(app *framework.App) error {
			job.Register(app.Jobs, noteJob{db: app.DB, runs: runs})
			return nil
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	app := framework.New(cfg)
	t.Cleanup(func() { _ = app.Close() })
	return app, runs
}

// run runs one command of the app binary and fails the test unless it
// exits 0; it returns what the command printed.
func run(t *testing.T, app *framework.App, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), app, args, &out, &errOut); code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func TestRoutesCommand(t *testing.T) {
	t.Parallel()
	app, _ := newApp(t, t.TempDir(), nil, nil)
	if out := run(t, app, "routes", "-g", "about"); !strings.Contains(out, "/about") || !strings.Contains(out, "pages#about") || strings.Contains(out, "pages#home") {
		t.Errorf("routes -g about printed:\n%s", out)
	}
	app, _ = newApp(t, t.TempDir(), nil, nil)
	out := run(t, app, "routes", "--expanded", "-g", "about")
	if !strings.HasPrefix(out, "--[ Route 1 ]----") || !strings.Contains(out, "\nURI               | /about(.:format)\n") ||
		!strings.Contains(out, "\nController#Action | pages#about\n") || !strings.Contains(out, "\nSource Location   | ") {
		t.Errorf("routes --expanded -g about printed:\n%s", out)
	}
}

func TestUnknownCommandsAndBadConfigFailWithOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		edit func(*framework.Config)
		want string
	}{
		{"an unknown command", []string{"nosuch"}, nil, `cliapp: unknown command "nosuch"`},
		{"a stray argument", []string{"routes", "extra"}, nil, `unknown command "extra"`},
		{"ctl without a command", []string{"ctl"}, nil, `expected 1 argument(s), got 0: name the command`},
		{"ctl without a control URL", []string{"ctl", "stats"}, nil, `no control URL: set ControlURL in config/server.go or pass --control-url`},
		{"the server with a bad environment", []string{"server"}, func(c *framework.Config) { c.Env = "staging" }, `config: GORAILS_ENV="staging": unknown environment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, _ := newApp(t, t.TempDir(), nil, tt.edit)
			var out, errOut bytes.Buffer
			code := cli.Main(context.Background(), app, tt.args, &out, &errOut)
			if code != 1 || !strings.Contains(errOut.String(), tt.want) || strings.Count(errOut.String(), "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit 1 and one line saying %q", code, errOut.String(), tt.want)
			}
		})
	}
}

// An app binary's main is one line; Main is Run without the process.
func ExampleMain() {
	app := framework.New(framework.Config{
		Name: "blog", Env: framework.Test, Root: "/nonexistent", Files: appFiles(), Routes: routes,
		Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" },
	})
	var out bytes.Buffer
	code := cli.Main(context.Background(), app, []string{"routes"}, &out, &out)
	fmt.Print(code, "\n", out.String())
	// Output:
	// 0
	// Prefix Verb URI Pattern      Controller#Action
	//   root GET  /                pages#home
	//  about GET  /about(.:format) pages#about
}
