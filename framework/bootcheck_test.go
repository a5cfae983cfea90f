package framework_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/dispatch"
)

// pageHelpers are the route helpers `gorails generate routes` would write
// for routes: what a generated app passes as Config.RouteHelpers.
func pageHelpers(extra ...*dispatch.RouteHelper) dispatch.RouteHelpers {
	infos, err := dispatch.Describe(routes)
	if err != nil {
		panic(err)
	}
	var hs dispatch.RouteHelpers
	for _, ri := range infos {
		if ri.Name != "" {
			hs = append(hs, dispatch.NewRouteHelper(ri.Name, ri.Path))
		}
	}
	return append(hs, extra...)
}

func withView(path, src string) fstest.MapFS {
	f := appFiles()
	f[path] = &fstest.MapFile{Data: []byte(src)}
	return f
}

func TestBootChecksViewsAndRouteHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   fstest.MapFS
		helpers dispatch.RouteHelpers
		want    string
	}{
		{"a view calling a controller method", withView("app/views/pages/about.html.tmpl", "<h1>\n{{.Data.Head 500}}</h1>"), pageHelpers(),
			"pages/about.html.tmpl:2: .Data.Head: Head is not in the view's data: PagesController views read PagesController's exported fields (Title), never its methods"},
		{"a view linking to a route without a helper", withView("app/views/pages/about.html.tmpl", `<a href="{{root_path}}">home</a> <a href="{{post_path 1}}">`), pageHelpers(),
			`pages/about.html.tmpl:1: function "post_path" not defined`},
		{"a template outside the routed controllers", withView("app/views/shared/_nav.html.tmpl", "{{if}}"), pageHelpers(),
			"shared/_nav.html.tmpl:1"},
		{"route helpers older than the routes", appFiles(), pageHelpers(dispatch.NewRouteHelper("posts", "/posts(.:format)")),
			"the route helpers are stale: helper posts_path names no route; regenerate them with `go generate ./...` (or `gorails generate routes`)"},
	}
	for _, tt := range tests {
		for _, env := range []framework.Env{framework.Test, framework.Production} {
			t.Run(tt.name+" fails the boot in "+string(env), func(t *testing.T) {
				t.Parallel()
				app := framework.New(framework.Config{Env: env, Root: t.TempDir(), Files: tt.files, Routes: routes, RouteHelpers: tt.helpers,
					Logger: slog.New(slog.DiscardHandler), Getenv: productionEnv})
				t.Cleanup(func() { _ = app.Close() })
				err := app.Boot(context.Background())
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Boot() = %v\nwant an error containing %q", err, tt.want)
				}
			})
		}
		t.Run(tt.name+" is logged in development, which serves anyway", func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			app := framework.New(framework.Config{Env: framework.Development, Root: t.TempDir(), Files: tt.files, Routes: routes, RouteHelpers: tt.helpers,
				Logger: slog.New(slog.NewTextHandler(&log, nil)), Getenv: productionEnv})
			t.Cleanup(func() { _ = app.Close() })
			if err := app.Boot(context.Background()); err != nil {
				t.Fatalf("Boot() = %v", err)
			}
			if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), strings.ReplaceAll(tt.want, `"`, `\"`)) {
				t.Errorf("log lacks the problem %q:\n%s", tt.want, log.String())
			}
			if rec := serve(app, "GET", "/"); rec.Code != 200 {
				t.Errorf("GET / = %d", rec.Code)
			}
		})
	}
	t.Run("an app with matching helpers boots, and its views call them", func(t *testing.T) {
		t.Parallel()
		files := withView("app/views/pages/about.html.tmpl", `<a href="{{root_path}}">home</a> <a href="{{root_url $}}">`)
		app := framework.New(framework.Config{Env: framework.Test, Root: t.TempDir(), Files: files, Routes: routes, RouteHelpers: pageHelpers(),
			Logger: slog.New(slog.DiscardHandler), Getenv: productionEnv})
		t.Cleanup(func() { _ = app.Close() })
		if err := app.Boot(context.Background()); err != nil {
			t.Fatal(err)
		}
		rec := serve(app, "GET", "/about")
		if want := `<a href="/">home</a> <a href="http://localhost/">`; !strings.Contains(rec.Body.String(), want) {
			t.Fatalf("GET /about = %d %s, want %s", rec.Code, rec.Body, want)
		}
	})
}
