package dispatch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func TestDrawReportsBadRoutes(t *testing.T) {
	t.Parallel()
	show := dispatch.To((*PostsController).Show)
	tests := []struct {
		name string
		draw func(r *dispatch.Mapper)
		want error
	}{
		{"two routes given the same name", func(r *dispatch.Mapper) {
			r.Get("a", show, dispatch.As("x"))
			r.Get("b", show, dispatch.As("x"))
		}, dispatch.ErrDuplicateName},
		{"two routes that can never be told apart", func(r *dispatch.Mapper) {
			r.Get("posts/:id", show)
			r.Get("posts/:slug", dispatch.To((*PostsController).Preview))
		}, dispatch.ErrUnreachable},
		{"a route after a Match that covers its method", func(r *dispatch.Mapper) {
			r.Match("x", show, dispatch.Via("all"))
			r.Post("x", show)
		}, dispatch.ErrUnreachable},
		{"a resource drawn twice", func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController]())
			r.Resources("posts", dispatch.For[PostsController]())
		}, dispatch.ErrUnreachable},
		{"a mount drawn twice", func(r *dispatch.Mapper) {
			r.Mount("/jobs", jobsDashboard{})
			r.Mount("/jobs", jobsDashboard{})
		}, dispatch.ErrUnreachable},
		{"a closure target", func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To(func(*PostsController) error { return nil }))
		}, dispatch.ErrInvalidTarget},
		{"a zero target", func(r *dispatch.Mapper) { r.Get("x", dispatch.Target{}) }, dispatch.ErrInvalidTarget},
		{"a redirect with a 200", func(r *dispatch.Mapper) { r.Get("x", dispatch.Redirect("/", 200)) }, dispatch.ErrInvalidTarget},
		{"Member outside resources", func(r *dispatch.Mapper) { r.Member(func(*dispatch.Mapper) {}) }, dispatch.ErrInvalidRoute},
		{"Only naming an unknown action", func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("archive"))
		}, dispatch.ErrInvalidRoute},
		{"Only naming an action the type lacks", func(r *dispatch.Mapper) {
			r.Resources("profiles", dispatch.For[ProfilesController](), dispatch.Only("index"))
		}, dispatch.ErrInvalidRoute},
		{"a bad constraint", func(r *dispatch.Mapper) { r.Get(":id", show, dispatch.Constrain("id", "(")) }, dispatch.ErrInvalidRoute},
		{"a glob before the end", func(r *dispatch.Mapper) { r.Get("*a/b", show) }, dispatch.ErrInvalidRoute},
		{"two params without text between", func(r *dispatch.Mapper) { r.Get("p/:id:slug", show) }, dispatch.ErrInvalidRoute},
		{"an unbalanced optional group", func(r *dispatch.Mapper) { r.Get("p(/:id", show) }, dispatch.ErrInvalidRoute},
		{"Match without Via", func(r *dispatch.Mapper) { r.Match("x", show) }, dispatch.ErrInvalidRoute},
		{"a wrong argument type", func(r *dispatch.Mapper) { r.Resources("posts", dispatch.For[PostsController](), 42) }, dispatch.ErrInvalidRoute},
		{"a scope without a block", func(r *dispatch.Mapper) { r.Scope("/x") }, dispatch.ErrInvalidRoute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := dispatch.NewRouteSet(withInvoker(dispatch.Config{})).Draw(tc.draw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Draw: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDistinguishableRoutesDraw(t *testing.T) {
	t.Parallel()
	show := dispatch.To((*PostsController).Show)
	draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("p/:id", show, dispatch.Constrain("id", `\d+`))
		r.Get("p/:slug", show)
		r.Get("q", show, dispatch.Format(false))
		r.Get("q", show, dispatch.Format(true))
		r.Get("s", show, dispatch.Subdomain("api"))
		r.Get("s", show)
		r.Post("s", show)
	})
}

func TestRedrawReplacesTheRoutes(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) { r.Get("a", dispatch.To((*PostsController).Show)) })
	if err := rs.Draw(func(r *dispatch.Mapper) { r.Get("a", dispatch.Target{}) }); err == nil {
		t.Fatal("bad redraw succeeded")
	}
	if len(rs.Routes()) != 1 {
		t.Fatalf("a failed Draw changed the routes: %v", rs.Routes())
	}
}

func TestNamesInScopes(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Namespace("admin", func(r *dispatch.Mapper) {
			r.Mount("/jobs", jobsDashboard{}, dispatch.As("jobs"))
			r.Get("stats", dispatch.To((*WelcomeController).About))
		})
		r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("show"), func(r *dispatch.Mapper) {
			r.Member(func(r *dispatch.Mapper) {
				r.Get("raw", dispatch.To((*PostsController).Preview), dispatch.As(""))
			})
		})
	})
	want := []string{
		"admin_jobs /admin/jobs JobsDashboard",
		"admin_stats GET /admin/stats(.:format) admin/welcome#about",
		"GET /posts/:id/raw(.:format) posts#preview",
		"post GET /posts/:id(.:format) posts#show",
	}
	if got := rows(rs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p, err := rs.Path("admin_jobs"); p != "/admin/jobs" || err != nil {
		t.Fatalf("Path(admin_jobs) = %q, %v", p, err)
	}
}
