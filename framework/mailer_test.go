package framework_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/mail"
	"github.com/gorails/gorails/internal/testenv"
)

// welcomeArgs are the arguments of the user_mailer/welcome action.
type welcomeArgs struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

func registerWelcome(app *framework.App) error {
	mail.Register(app.Mailer, "user_mailer/welcome", func(_ context.Context, a welcomeArgs) (*mail.Message, error) {
		return &mail.Message{To: []string{a.Email}, Subject: "Welcome, " + a.Name, Data: map[string]any{"Name": a.Name}}, nil
	})
	mail.For[welcomeArgs](app.Mailer).PreviewWith(welcomeArgs{Email: "preview@example.com", Name: "Preview"})
	return nil
}

// MailsController sends the welcome mail later, through the Mailer it
// receives as a generated ApplicationController does.
type MailsController struct {
	controller.Base
	mailer *mail.Mailer
}

func (c *MailsController) Callbacks(cb *controller.Chain[MailsController]) {
	controller.Use(cb, func(c *MailsController, m *mail.Mailer) { c.mailer = m })
}

func (c *MailsController) Create() error {
	args := welcomeArgs{Email: c.Request().Param("email"), Name: "Ann"}
	if err := mail.For[welcomeArgs](c.mailer).DeliverLater(c.Request().Context(), args); err != nil {
		return err
	}
	return c.Text(http.StatusAccepted, "sent")
}

func mailRoutes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*PagesController).Home))
	r.Get("posts/:id", dispatch.To((*PagesController).About), dispatch.As("post"))
	r.Post("mails", dispatch.To((*MailsController).Create))
}

func mailRouteHelpers(t testing.TB) dispatch.RouteHelpers {
	t.Helper()
	env := &controller.Env{}
	controller.Provide(env, (*mail.Mailer)(nil)) // the type, for the check
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	if err := rs.Draw(mailRoutes); err != nil {
		t.Fatal(err)
	}
	return rs.Helpers()
}

func mailFiles() fstest.MapFS {
	files := appFiles()
	files["app/views/layouts/mailer.html.tmpl"] = &fstest.MapFile{Data: []byte(`<html><body data-layout="mailer">{{template "content" .}}</body></html>`)}
	files["app/views/layouts/mailer.text.tmpl"] = &fstest.MapFile{Data: []byte("{{template \"content\" .}}\n-- \nThe team\n")}
	files["app/views/user_mailer/welcome.html.tmpl"] = &fstest.MapFile{Data: []byte(`<p>Hello {{.Data.Name}}, <a href="{{post_url $ 7}}">read</a> {{pluralize 2 "post"}}</p>`)}
	files["app/views/user_mailer/welcome.text.tmpl"] = &fstest.MapFile{Data: []byte(`Hello {{.Data.Name}}, read {{post_url $ 7}}`)}
	return files
}

// mailApp is an app with the welcome mailer, booted in appEnv.
func mailApp(t *testing.T, appEnv framework.Env, env map[string]string, cfg func(*framework.Config)) (*framework.App, error) {
	t.Helper()
	c := framework.Config{
		Name: "mailapp", Env: appEnv, Root: t.TempDir(), Files: mailFiles(), Routes: mailRoutes,
		RouteHelpers: mailRouteHelpers(t),
		Logger:       slog.New(slog.DiscardHandler),
		Getenv: func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return productionEnv(k)
		},
		JobBackend:      framework.JobBackendInline,
		Mail:            framework.MailConfig{Defaults: mail.Defaults{From: "App <app@example.com>"}},
		RegisterMailers: registerWelcome,
	}
	if cfg != nil {
		cfg(&c)
	}
	app := framework.New(c)
	t.Cleanup(func() { _ = app.Close() })
	return app, app.Boot(context.Background())
}

func TestMailerDeliveryPerEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    framework.Env
		vars   map[string]string
		method string
		url    string
	}{
		{"development writes files", framework.Development, nil, mail.MethodFile, "http://localhost:3000"},
		{"test keeps an outbox", framework.Test, nil, mail.MethodTest, "http://www.example.com"},
		{"production sends by smtp", framework.Production, nil, mail.MethodSMTP, "https://example.com"},
		{"GORAILS_MAIL_DELIVERY overrides", framework.Development, map[string]string{"GORAILS_MAIL_DELIVERY": "Log", "GORAILS_MAIL_URL": "https://mail.example.org/"}, mail.MethodLog, "https://mail.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, err := mailApp(t, tt.env, tt.vars, func(c *framework.Config) {
				if tt.env == framework.Production {
					c.Mail.SMTP = mail.SMTPConfig{Host: "127.0.0.1", Port: 2525}
					c.ForceSSL = true // links are https, as the site is
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := app.MailDeliveryMethod(); got != tt.method {
				t.Errorf("delivery method %q; want %q", got, tt.method)
			}
			if got := app.MailDefaultURL(); got != tt.url {
				t.Errorf("default URL %q; want %q", got, tt.url)
			}
			if tt.method == mail.MethodFile && app.Mailer.FileDir() != app.Path("tmp", "mails") {
				t.Errorf("file dir %q; want tmp/mails under the app", app.Mailer.FileDir())
			}
		})
	}
}

func TestMailerRendersViewsWithTheAppsHelpers(t *testing.T) {
	t.Parallel()
	app, err := mailApp(t, framework.Test, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	env, err := mail.For[welcomeArgs](app.Mailer).DeliverNow(context.Background(), welcomeArgs{Email: "ann@example.com", Name: "Ann <3"})
	if err != nil {
		t.Fatal(err)
	}
	m := env.Message
	for _, want := range []string{`<body data-layout="mailer">`, "Hello Ann &lt;3", `href="http://www.example.com/posts/7"`, "2 posts"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, m.HTML)
		}
	}
	for _, want := range []string{"Hello Ann <3, read http://www.example.com/posts/7", "-- \nThe team"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, m.Text)
		}
	}
	if m.From != "App <app@example.com>" || app.Mailer.Outbox().Len() != 1 {
		t.Errorf("from %q, %d deliveries", m.From, app.Mailer.Outbox().Len())
	}
}

// TestMailerRendersTextOnlyAndWithoutALayout: a part whose view is missing
// is left out; a layout missing in a format renders the view alone.
func TestMailerRendersTextOnlyAndWithoutALayout(t *testing.T) {
	t.Parallel()
	app, err := mailApp(t, framework.Test, nil, func(c *framework.Config) {
		files := c.Files.(fstest.MapFS)
		delete(files, "app/views/user_mailer/welcome.html.tmpl")
		delete(files, "app/views/layouts/mailer.text.tmpl")
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := mail.For[welcomeArgs](app.Mailer).Build(context.Background(), welcomeArgs{Email: "a@example.com", Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if env.Message.HTML != "" || env.Message.Text != "Hello A, read http://www.example.com/posts/7" {
		t.Fatalf("html %q text %q", env.Message.HTML, env.Message.Text)
	}
}

// TestMailerDeliverLaterFromAController: the controller receives the
// Mailer, deliver-later enqueues a mail.Delivery job carrying the action
// and its typed arguments, and performing it delivers.
func TestMailerDeliverLaterFromAController(t *testing.T) {
	t.Parallel()
	app, err := mailApp(t, framework.Test, nil, func(c *framework.Config) { c.JobBackend = framework.JobBackendTest })
	if err != nil {
		t.Fatal(err)
	}
	rec := job.NewRecorder()
	box := mail.NewOutbox()
	ctx := mail.WithOutbox(rec.Context(context.Background()), box)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost/mails?email=bob@example.com", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST /mails: %d %s", w.Code, w.Body.String())
	}
	if box.Len() != 0 {
		t.Fatal("delivered before the job ran")
	}
	enq := rec.Enqueued()
	if len(enq) != 1 || enq[0].Kind != "mail.Delivery" || !strings.Contains(string(enq[0].Args), `"action":"user_mailer/welcome"`) || !strings.Contains(string(enq[0].Args), `"email":"bob@example.com"`) {
		t.Fatalf("enqueued %+v", enq)
	}
	if n, err := rec.Perform(ctx, app.Jobs, app.Now()); n != 1 || err != nil {
		t.Fatalf("performed %d: %v", n, err)
	}
	box.MustFind(t, "bob@example.com", "Welcome, Ann")
	if app.Mailer.Outbox().Len() != 0 {
		t.Error("the test's delivery reached the app's shared outbox")
	}
}

// TestMailDeliveryJobRetriesOrDiscards: a temporary failure is returned
// for a retry, a permanent one (an unknown action) is discarded.
func TestMailDeliveryJobRetriesOrDiscards(t *testing.T) {
	t.Parallel()
	fails := 0
	app, err := mailApp(t, framework.Test, nil, func(c *framework.Config) {
		c.Mail.Delivery = mail.DeliveryFunc(func(context.Context, *mail.Envelope) error {
			fails++
			return errors.New("421 try again later")
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = job.For[mail.Later](app.Jobs).PerformNow(ctx, mail.Later{Action: "user_mailer/welcome", Args: []byte(`{"email":"a@example.com"}`)})
	if err == nil || fails != 1 || mail.Permanent(err) {
		t.Fatalf("temporary failure: %v after %d tries; want an error to retry", err, fails)
	}
	err = job.For[mail.Later](app.Jobs).PerformNow(ctx, mail.Later{Action: "user_mailer/gone"})
	if !errors.Is(err, mail.ErrUnknownAction) {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestMailPreviewPageOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	for _, env := range []framework.Env{framework.Development, framework.Test, framework.Production} {
		t.Run(string(env), func(t *testing.T) {
			t.Parallel()
			app, err := mailApp(t, env, nil, func(c *framework.Config) {
				c.Mail.SMTP = mail.SMTPConfig{Host: "127.0.0.1"}
			})
			if err != nil {
				t.Fatal(err)
			}
			rec := serve(app, http.MethodGet, "/rails/mailers?p=user_mailer/welcome")
			if env != framework.Development {
				if rec.Code != http.StatusNotFound || app.MailPreviewPath() != "" {
					t.Fatalf("%s serves the preview page: %d", env, rec.Code)
				}
				return
			}
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Welcome, Preview") {
				t.Fatalf("preview: %d\n%s", rec.Code, rec.Body.String())
			}
			rec = serve(app, http.MethodGet, "/rails/mailers?p=user_mailer/welcome&part=html")
			if !strings.Contains(rec.Body.String(), `href="http://localhost:3000/posts/7"`) {
				t.Fatalf("html part:\n%s", rec.Body.String())
			}
			rec = serve(app, http.MethodGet, "/rails/mailers")
			if !strings.Contains(rec.Body.String(), "user_mailer") || !strings.Contains(rec.Body.String(), "welcome") {
				t.Fatalf("index:\n%s", rec.Body.String())
			}
		})
	}
}

func TestMailerBootErrors(t *testing.T) {
	t.Parallel()
	const password = "s3cret-Pa55"
	tests := []struct {
		name    string
		env     framework.Env
		vars    map[string]string
		cfg     func(*framework.Config)
		wantErr string // "" boots
	}{
		{"production with mailers and no SMTP host", framework.Production, nil, nil, "address (the SMTP host) is not set"},
		{"production without mailers boots", framework.Production, nil, func(c *framework.Config) { c.RegisterMailers = nil }, ""},
		{"SMTP chosen without a host", framework.Development, map[string]string{"GORAILS_MAIL_DELIVERY": "smtp"}, func(c *framework.Config) { c.RegisterMailers = nil }, "address (the SMTP host) is not set"},
		{"a password without a user", framework.Production, nil, func(c *framework.Config) {
			c.Mail.SMTP = mail.SMTPConfig{Host: "smtp.example.com", Password: password}
		}, "user_name and password must be set together"},
		{"production without a host for links", framework.Production, map[string]string{"GORAILS_HOSTS": ""}, func(c *framework.Config) {
			c.AllowAllHosts = true
			c.Mail.SMTP = mail.SMTPConfig{Host: "127.0.0.1"}
		}, "no default URL"},
		{"a bad default URL", framework.Development, map[string]string{"GORAILS_MAIL_URL": "javascript:alert(1)"}, nil, "GORAILS_MAIL_URL"},
		{"a default URL with a password", framework.Development, map[string]string{"GORAILS_MAIL_URL": "https://u:" + password + "@example.com"}, nil, "GORAILS_MAIL_URL"},
		{"a default URL with a path", framework.Development, nil, func(c *framework.Config) { c.Mail.DefaultURL = "https://example.com/app?x=1" }, "Config.Mail.DefaultURL"},
		{"a preview path that is not a path", framework.Development, nil, func(c *framework.Config) { c.Mail.PreviewPath = "mailers" }, "must start with /"},
		{"an unknown method", framework.Development, map[string]string{"GORAILS_MAIL_DELIVERY": "pigeon"}, nil, "pigeon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := mailApp(t, tt.env, tt.vars, tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `"mailer"`) {
				t.Fatalf("boot = %v; want an error of the mailer initializer with %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), password) {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

// TestMailerWritesFilesInDevelopment: development delivers to tmp/mails.
func TestMailerWritesFilesInDevelopment(t *testing.T) {
	t.Parallel()
	app, err := mailApp(t, framework.Development, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.For[welcomeArgs](app.Mailer).DeliverLater(context.Background(), welcomeArgs{Email: "c@example.com", Name: "C"}); err != nil {
		t.Fatal(err)
	}
	list, err := mail.ReadIndex(app.Path("tmp", "mails"))
	if err != nil || len(list) != 1 || list[0].Subject != "Welcome, C" {
		t.Fatalf("index %+v, %v", list, err)
	}
	entries, _ := os.ReadDir(filepath.Join(app.Config.Root, "tmp", "mails"))
	if len(entries) < 2 {
		t.Fatalf("tmp/mails holds %d files", len(entries))
	}
}

// TestMailerDeliversLaterThroughRedisWithARetry: on the Redis job backend a
// deliver-later waits in Redis, a worker runs it, a temporary failure is
// retried and the next attempt delivers.
func TestMailerDeliversLaterThroughRedisWithARetry(t *testing.T) {
	addr := testenv.Redis(t)
	var mu sync.Mutex
	var attempts int
	delivered := make(chan *mail.Envelope, 1)
	app, err := mailApp(t, framework.Development, map[string]string{"GORAILS_JOB_BACKEND": "redis", "REDIS_URL": "redis://" + addr + "/0"}, func(c *framework.Config) {
		c.Name = fmt.Sprintf("mailredis%d", time.Now().UnixNano()) // the jobs' key prefix: this test's own
		c.JobBackend = ""
		c.Mail.Delivery = mail.DeliveryFunc(func(_ context.Context, e *mail.Envelope) error {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			if attempts == 1 {
				return errors.New("421 try again later")
			}
			delivered <- e
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := mail.For[welcomeArgs](app.Mailer).DeliverLater(ctx, welcomeArgs{Email: "dan@example.com", Name: "Dan"}); err != nil {
		t.Fatal(err)
	}
	if st, err := app.Jobs.Stats(ctx); err != nil || st.Ready["default"] != 1 {
		t.Fatalf("stats %+v, %v: want the mail waiting in Redis", st, err)
	}
	w, err := job.NewWorker(app.Jobs, job.WorkerConfig{PollInterval: 20 * time.Millisecond, ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	defer func() { stop(); <-done }()
	select {
	case e := <-delivered:
		if e.Message.Subject != "Welcome, Dan" || attempts != 2 {
			t.Fatalf("delivered %q after %d attempts", e.Message.Subject, attempts)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("not delivered after %d attempts", attempts)
	}
}
