package gorailstest_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/gorailstest"
	"github.com/gorails/gorails/framework/mail"
)

type ResetArgs struct {
	Email string `json:"email"`
}

// ResetsController sends a reset mail (later, or now with ?now=1) and
// answers the link it holds.
type ResetsController struct {
	controller.Base
	mailer *mail.Mailer
}

func (c *ResetsController) Callbacks(cb *controller.Chain[ResetsController]) {
	controller.Use(cb, func(c *ResetsController, m *mail.Mailer) { c.mailer = m })
}

func (c *ResetsController) Create() error {
	ctx := c.Request().Context()
	args := ResetArgs{Email: c.Request().Param("email")}
	var err error
	if c.Request().Param("now") != "" {
		_, err = mail.For[ResetArgs](c.mailer).DeliverNow(ctx, args)
	} else {
		err = mail.For[ResetArgs](c.mailer).DeliverLater(ctx, args)
	}
	if err != nil {
		return err
	}
	return c.Text(http.StatusOK, "sent")
}

func (c *ResetsController) Edit() error {
	return c.Text(http.StatusOK, "reset form for token "+c.Request().Param("token"))
}

func mailKitRoutes(r *dispatch.Mapper) {
	r.Get("resets/send", dispatch.To((*ResetsController).Create))
	r.Get("resets/:token/edit", dispatch.To((*ResetsController).Edit), dispatch.As("edit_reset"))
}

var mailKit = struct {
	once sync.Once
	app  *gorailstest.App
}{}

func mailKitApp(t *testing.T) *gorailstest.App {
	mailKit.once.Do(func() {
		root, err := os.MkdirTemp("", "mailkit")
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string]string{
			"go.mod":                                 "module example.com/mailkit\n",
			"app/views/layouts/mailer.html.tmpl":     `<html><body>{{template "content" .}}</body></html>`,
			"app/views/reset_mailer/reset.text.tmpl": `Reset it at {{.Data.URL}}.`,
			"app/views/reset_mailer/reset.html.tmpl": `<a href="{{.Data.URL}}">Reset</a> &amp; done`,
			"public/404.html":                        "not found",
		} {
			p := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mailKit.app = gorailstest.NewApp(func(fs.FS) *framework.App {
			return framework.New(framework.Config{
				Name: "mailkit", Env: framework.Test, Root: root, Routes: mailKitRoutes, LogOutput: io.Discard,
				Mail: framework.MailConfig{Defaults: mail.Defaults{From: "kit@example.com"}},
				RegisterMailers: func(app *framework.App) error {
					mail.Register(app.Mailer, "reset_mailer/reset", func(_ context.Context, a ResetArgs) (*mail.Message, error) {
						url := app.MailDefaultURL() + "/resets/tok42/edit?x=1&y=2"
						return &mail.Message{To: []string{a.Email}, Subject: "Reset your password", Data: map[string]any{"URL": url}}, nil
					})
					return nil
				},
			})
		})
	})
	return mailKit.app
}

func TestMailAssertions(t *testing.T) {
	app := mailKitApp(t)
	t.Run("deliver later waits for PerformEnqueuedJobs, then the link is followed", func(t *testing.T) {
		t.Parallel()
		tc := app.Test(t)
		s := tc.Session()
		s.Get("/resets/send?email=ann@example.com").AssertStatus(http.StatusOK)
		gorailstest.AssertMailCount(tc, 0)
		gorailstest.AssertMailsEnqueued(tc, 1)
		gorailstest.AssertMailEnqueued(tc, ResetArgs{Email: "ann@example.com"})
		if n := tc.PerformEnqueuedJobs(); n != 1 {
			t.Fatalf("performed %d jobs", n)
		}
		if got := gorailstest.PerformedMails(tc); len(got) != 1 || got[0].Action != "reset_mailer/reset" {
			t.Fatalf("performed mails %+v", got)
		}
		gorailstest.AssertMailCount(tc, 1)
		m := gorailstest.AssertMail(tc, "ann@example.com", "Reset your password")
		gorailstest.AssertMailContains(tc, m, "Reset it at http://www.example.com/resets/")
		link := gorailstest.MailLink(tc, m, "/resets/")
		if link != "/resets/tok42/edit?x=1&y=2" {
			t.Fatalf("link %q", link)
		}
		s.Get(link).AssertStatus(http.StatusOK).AssertContains("reset form for token tok42")
	})
	t.Run("parallel tests see only their own mail", func(t *testing.T) {
		t.Parallel()
		tc := app.Test(t)
		tc.Session().Get("/resets/send?now=1&email=bob@example.com").AssertStatus(http.StatusOK)
		gorailstest.AssertMailCount(tc, 1)
		gorailstest.AssertMail(tc, "bob@example.com", "Reset your password")
		gorailstest.AssertMailsEnqueued(tc, 0)
	})
}

// TestMailAssertionsFail: each assertion fails, with what was delivered.
func TestMailAssertionsFail(t *testing.T) {
	app := mailKitApp(t)
	tests := []struct {
		name string
		fn   func(tc *gorailstest.Case)
		want string
	}{
		{"count", func(tc *gorailstest.Case) { gorailstest.AssertMailCount(tc, 2) }, `1 deliveries, want 2:
	to carl@example.com: "Reset your password"`},
		{"mail", func(tc *gorailstest.Case) { gorailstest.AssertMail(tc, "nobody@example.com", "x") }, "0 deliveries to nobody@example.com"},
		{"contains", func(tc *gorailstest.Case) {
			gorailstest.AssertMailContains(tc, tc.Mails().Last(), "not there")
		}, `does not contain "not there"`},
		{"no link", func(tc *gorailstest.Case) { gorailstest.MailLink(tc, tc.Mails().Last(), "/elsewhere") }, "no link containing \"/elsewhere\" (links: http://www.example.com/resets/"},
		{"a link off the app", func(tc *gorailstest.Case) {
			gorailstest.MailLink(tc, &mail.Envelope{Message: &mail.Message{Text: "go to https://evil.example/resets/x"}}, "/resets/")
		}, "leaves the app"},
		{"enqueued", func(tc *gorailstest.Case) { gorailstest.AssertMailEnqueued(tc, ResetArgs{Email: "x@example.com"}) }, "no reset_mailer/reset mail enqueued"},
		{"enqueued count", func(tc *gorailstest.Case) { gorailstest.AssertMailsEnqueued(tc, 3) }, "0 mails enqueued, want 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failure(t, func(ft *fakeT) {
				tc := app.Test(ft)
				tc.Session().Get("/resets/send?now=1&email=carl@example.com")
				tt.fn(tc)
			})
			if !strings.Contains(got, tt.want) {
				t.Fatalf("failure %q; want it to contain %q", got, tt.want)
			}
		})
	}
}
