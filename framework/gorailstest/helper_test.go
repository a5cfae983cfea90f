package gorailstest_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/gorailstest"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

// The app under test: users write posts; creating one enqueues a
// notification in the same transaction.

type User struct {
	record.Model
	Name string
}

type Post struct {
	record.Model
	Title  string
	UserID int64
}

type NotifyArgs struct {
	PostID int64 `json:"post_id"`
}

// NotifyJob marks the post as notified by prefixing its title.
type NotifyJob struct{ db *record.DB }

func (j NotifyJob) Perform(ctx context.Context, a NotifyArgs) error {
	_, err := j.db.Exec(ctx, "UPDATE posts SET title = 'notified: ' || title WHERE id = ?", a.PostID)
	if err != nil && j.db.Adapter() == record.MySQL {
		_, err = j.db.Exec(ctx, "UPDATE posts SET title = CONCAT('notified: ', title) WHERE id = ?", a.PostID)
	}
	return err
}

type ApplicationController struct {
	controller.Base
	db   *record.DB
	jobs *job.Client
}

func (c *ApplicationController) Callbacks(cb *controller.Chain[ApplicationController]) {
	controller.Use(cb, func(c *ApplicationController, db *record.DB) { c.db = db })
	controller.Use(cb, func(c *ApplicationController, jobs *job.Client) { c.jobs = jobs })
}

type PostsController struct {
	ApplicationController
	Posts []Post
	Post  Post
	Count int
}

func (c *PostsController) Index() error {
	ctx := c.Request().Context()
	var err error
	c.Posts, err = record.Query[Post](c.db).Order("id").All(ctx)
	c.Count = len(c.Posts)
	return err
}

func (c *PostsController) New() error { return nil }

func (c *PostsController) Create() error {
	ctx := c.Request().Context()
	title, err := c.Params().Require("post").String("title")
	if err != nil {
		return err
	}
	if title == "" {
		c.Flash().Now("alert", "Title can't be blank")
		return c.Render(controller.Template("new"), controller.Status(http.StatusUnprocessableEntity))
	}
	err = record.Transaction(ctx, c.db, func(tx *record.Tx) error {
		c.Post = Post{Title: title, UserID: gorailstest.ID("alice")}
		if err := record.Create(ctx, tx, &c.Post); err != nil {
			return err
		}
		_, err := job.For[NotifyArgs](c.jobs).PerformLaterTx(ctx, tx, NotifyArgs{PostID: c.Post.ID})
		return err
	})
	if err != nil {
		return err
	}
	c.Flash().Set("notice", "Post was created.")
	return c.Redirect(fmt.Sprintf("/posts/%d", c.Post.ID))
}

func (c *PostsController) Show() error {
	id, err := c.Params().Int64("id")
	if err != nil {
		return err
	}
	c.Post, err = record.Query[Post](c.db).Find(c.Request().Context(), id)
	return err
}

// Counter keeps a number in the session.
type CounterController struct {
	controller.Base
	N string
}

func (c *CounterController) Index() error {
	n, _ := c.Session().Get("n")
	c.Session().Set("n", n+"I")
	return c.Text(http.StatusOK, n+"I")
}

func (c *CounterController) Create() error {
	add, err := c.Params().String("add")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"got": add})
}

func routes(r *dispatch.Mapper) {
	r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("index", "new", "create", "show"))
	r.Get("counter", dispatch.To((*CounterController).Index))
	r.Post("counter", dispatch.To((*CounterController).Create))
}

var files = map[string]string{
	"go.mod": "module example.com/kitapp\n",
	"app/views/layouts/application.html.tmpl": `<!DOCTYPE html><html><head><title>Kit</title>{{csrf_meta_tags .}}</head><body>` +
		`{{with .Flash.notice}}<p id="notice">{{.}}</p>{{end}}{{with .Flash.alert}}<p id="alert">{{.}}</p>{{end}}{{template "content" .}}</body></html>`,
	"app/views/posts/index.html.tmpl": `<h1>Posts</h1><p class="count">{{.Data.Count}}</p><ul>{{range .Data.Posts}}<li class="post" data-id="{{.ID}}">{{.Title}}</li>{{end}}</ul>`,
	"app/views/posts/new.html.tmpl": `<h1>New post</h1><form action="/posts" method="post" id="new_post">` +
		`<input type="hidden" name="authenticity_token" value="{{csrf_token .}}">` +
		`<input type="text" name="post[title]" value=""><input type="checkbox" name="post[draft]" value="1">` +
		`<input type="submit" name="commit" value="Create Post"></form>`,
	"app/views/posts/show.html.tmpl": `<h1>{{.Data.Post.Title}}</h1><time>{{.Data.Post.CreatedAt.Format "2006-01-02"}}</time>`,
	"public/404.html":                "not found",
	"public/422.html":                "unprocessable",
	"public/500.html":                "error",
	"test/fixtures/users.yml":        "alice:\n  name: Alice\nbob:\n  name: Bob\n",
	"test/fixtures/posts.yml":        "first:\n  title: First post by $LABEL\n  user: alice\nsecond:\n  title: Second\n  user_id: 7\n",
}

func migrations() []migrate.Migration {
	return []migrate.Migration{
		{File: "20260101000000_create_users.go", Change: func(s *migrate.Schema) {
			s.CreateTable("users", func(t *migrate.Table) {
				t.String("name")
				t.Timestamps()
			})
		}},
		{File: "20260101000001_create_posts.go", Change: func(s *migrate.Schema) {
			s.CreateTable("posts", func(t *migrate.Table) {
				t.String("title")
				t.References("user")
				t.Timestamps()
			})
		}},
	}
}

// newApp writes the app's files into a directory of its own with
// config/database.yml for adapter and returns the kit's App on it.
func newApp(t *testing.T, adapter string) *gorailstest.App {
	t.Helper()
	root := t.TempDir()
	yml := "test:\n  adapter: sqlite3\n  database: db/test.sqlite3\n"
	switch adapter {
	case record.PostgreSQL:
		yml = "test:\n  url: " + testenv.PostgresDB(t, "kit") + "\n"
	case record.MySQL:
		yml = "test:\n  adapter: mysql\n  url: \"" + testenv.MySQLDB(t, "kit") + "\"\n"
	}
	all := map[string]string{"config/database.yml": yml}
	for k, v := range files {
		all[k] = v
	}
	for name, data := range all {
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
			Name: "kitapp", Env: framework.Test, Root: root, Routes: routes, Stderr: testWriter{t},
			DatabaseDrivers: []driver.Driver{sqlite.Driver{}, postgres.Driver{}, mysql.Driver{}},
			Migrations:      migrations,
			RegisterJobs: func(app *framework.App) error {
				job.Register(app.Jobs, NotifyJob{db: app.DB})
				return nil
			},
		})
		t.Cleanup(func() { _ = app.Close() })
		return app
	})
}

// testWriter sends the app's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
