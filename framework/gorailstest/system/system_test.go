package system

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/gorailstest"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type Note struct {
	record.Model
	Body string
}

type NotesController struct {
	controller.Base
	db    *record.DB
	Notes []Note
}

func (c *NotesController) Callbacks(cb *controller.Chain[NotesController]) {
	controller.Use(cb, func(c *NotesController, db *record.DB) { c.db = db })
}

func (c *NotesController) Index() error {
	var err error
	c.Notes, err = record.Query[Note](c.db).Order("id").All(c.Request().Context())
	return err
}

func (c *NotesController) Create() error {
	body, err := c.Params().Require("note").String("body")
	if err != nil {
		return err
	}
	if err := record.Create(c.Request().Context(), c.db, &Note{Body: body}); err != nil {
		return err
	}
	c.Flash().Set("notice", "Noted.")
	return c.Redirect("/notes", http.StatusSeeOther)
}

var appFiles = map[string]string{
	"go.mod":              "module example.com/sysapp\n",
	"config/database.yml": "test:\n  adapter: sqlite3\n  database: db/test.sqlite3\n",
	"app/views/layouts/application.html.tmpl": `<!DOCTYPE html><html><head><title>Notes</title>{{csrf_meta_tags .}}</head><body>` +
		`{{with .Flash.notice}}<p id="notice">{{.}}</p>{{end}}{{template "content" .}}</body></html>`,
	"app/views/notes/index.html.tmpl": `<h1>Notes</h1><ul>{{range .Data.Notes}}<li>{{.Body}}</li>{{end}}</ul>` +
		`<form action="/notes" method="post"><input type="hidden" name="authenticity_token" value="{{csrf_token .}}">` +
		`<input type="text" name="note[body]" id="body"><button type="submit" id="save">Save</button></form>`,
	"public/widgets.html": `<!DOCTYPE html><html><body><input type="date" id="day"><select id="pick"><option value="a">A</option><option value="b">B</option></select>` +
		`<input type="checkbox" id="ok"><textarea id="empty"></textarea><textarea id="full">old</textarea><button id="go">Go</button><p id="out"></p><script src="/widgets.js"></script></body></html>`,
	"public/widgets.js": `document.getElementById("go").addEventListener("click", () => {
  document.getElementById("out").textContent = confirm("Really?") ? "accepted" : "dismissed";
});`,
	"public/404.html": "not found",
	"public/500.html": "error",
}

func newApp(t *testing.T) *gorailstest.App {
	root := t.TempDir()
	for name, data := range appFiles {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return gorailstest.NewApp(func(fs.FS) *framework.App {
		app := framework.New(framework.Config{
			Name: "sysapp", Env: framework.Test, Root: root,
			Routes: func(r *dispatch.Mapper) {
				r.Resources("notes", dispatch.For[NotesController](), dispatch.Only("index", "create"))
			},
			DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
			Migrations: func() []migrate.Migration {
				return []migrate.Migration{{File: "20260101000000_create_notes.go", Change: func(s *migrate.Schema) {
					s.CreateTable("notes", func(t *migrate.Table) {
						t.Text("body")
						t.Timestamps()
					})
				}}}
			},
		})
		t.Cleanup(func() { _ = app.Close() })
		return app
	})
}

func TestBrowser(t *testing.T) {
	app := newApp(t)
	t.Run("a form filled in and submitted in Chromium writes in the test's transaction", func(t *testing.T) {
		tc := app.Test(t)
		b := Browser(tc)
		b.Visit("/notes")
		b.AssertText("h1", "Notes")
		b.FillIn("#body", "bought milk")
		b.Click("#save")
		b.AssertText("#notice", "Noted.")
		b.AssertText("ul", "bought milk")
		if b.Path() != "/notes" {
			t.Errorf("path %q, want /notes", b.Path())
		}
		n, err := record.Query[Note](tc.DB()).Count(tc.Context())
		if err != nil || n != 1 {
			t.Errorf("the test's transaction holds %d notes (%v), want 1", n, err)
		}
	})
	t.Run("the next test starts from an empty table", func(t *testing.T) {
		tc := app.Test(t)
		b := Browser(tc)
		b.Visit("/notes")
		if got := b.Text("ul"); got != "" {
			t.Errorf("notes left by the previous test: %q", got)
		}
	})
	t.Run("dates, selects, checkboxes and a confirm dialog", func(t *testing.T) {
		tc := app.Test(t)
		b := Browser(tc)
		b.Visit("/widgets.html")
		b.SetValue("#day", "2026-01-02")
		b.SetValue("#pick", "b")
		b.Check("#ok")
		b.Check("#ok") // stays checked
		b.FillIn("#empty", "typed")
		b.FillIn("#full", "new")
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("day").value + " " + document.getElementById("pick").value + " " + document.getElementById("ok").checked + " " + document.getElementById("empty").value + " " + document.getElementById("full").value`))
		if err != nil {
			t.Fatal(err)
		}
		if want := "2026-01-02 b true typed new"; got != want {
			t.Errorf("values %q, want %q", got, want)
		}
		if msg := b.AcceptConfirm(func() { b.Click("#go") }); msg != "Really?" {
			t.Errorf("AcceptConfirm = %q, want the dialog's message", msg)
		}
		b.AssertText("#out", "accepted")
	})
	t.Run("a failure leaves a screenshot and the page's HTML", func(t *testing.T) {
		tc := app.Test(t)
		b := Browser(tc)
		b.Visit("/notes")
		b.saveFailure()
		base := tc.App.Path("tmp", "screenshots", "TestBrowser_a_failure_leaves_a_screenshot_and_the_page_s_HTML")
		for _, ext := range []string{".png", ".html"} {
			if st, err := os.Stat(base + ext); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", base+ext, err)
			}
		}
	})
}
