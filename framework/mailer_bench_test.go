package framework_test

import (
	"context"
	"io"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/mail"
)

// BenchmarkMailBuild builds the welcome mail (both parts rendered in the
// mailer layout, encoded) through the App's mailer, whose renderer is the
// app's view set with its helpers; the baseline is the same templates
// through mail.Templates, which parses them on every render, on a bare
// Mailer.
func BenchmarkMailBuild(b *testing.B) {
	ctx := context.Background()
	args := welcomeArgs{Email: "ann@example.com", Name: "Ann"}
	build := func(b *testing.B, m *mail.Mailer) {
		b.Helper()
		act := mail.For[welcomeArgs](m)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := act.Build(ctx, args); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("app", func(b *testing.B) {
		c := framework.Config{Name: "mailbench", Env: framework.Test, Root: b.TempDir(), Files: mailFiles(), Routes: mailRoutes,
			RouteHelpers: mailRouteHelpers(b), JobBackend: framework.JobBackendInline, LogOutput: io.Discard,
			Mail: framework.MailConfig{Defaults: mail.Defaults{From: "app@example.com"}}, RegisterMailers: registerWelcome}
		app := framework.New(c)
		b.Cleanup(func() { _ = app.Close() })
		if err := app.Boot(ctx); err != nil {
			b.Fatal(err)
		}
		build(b, app.Mailer)
	})
	b.Run("baseline_mail_templates", func(b *testing.B) {
		// The same views with the helpers' output written out (mail.Templates
		// has no route helpers).
		views := fstest.MapFS{
			"layouts/mailer.html.tmpl":      {Data: []byte(`<html><body data-layout="mailer">{{template "content" .}}</body></html>`)},
			"layouts/mailer.text.tmpl":      {Data: []byte("{{template \"content\" .}}\n-- \nThe team\n")},
			"user_mailer/welcome.html.tmpl": {Data: []byte(`<p>Hello {{.Data.Name}}, <a href="http://www.example.com/posts/7">read</a> 2 posts</p>`)},
			"user_mailer/welcome.text.tmpl": {Data: []byte(`Hello {{.Data.Name}}, read http://www.example.com/posts/7`)},
		}
		m, err := mail.New(mail.Config{Env: "test", Defaults: mail.Defaults{From: "app@example.com"}, Renderer: mail.Templates(views)})
		if err != nil {
			b.Fatal(err)
		}
		mail.Register(m, "user_mailer/welcome", func(_ context.Context, a welcomeArgs) (*mail.Message, error) {
			return &mail.Message{To: []string{a.Email}, Subject: "Welcome, " + a.Name, Data: map[string]any{"Name": a.Name}}, nil
		})
		build(b, m)
	})
}
