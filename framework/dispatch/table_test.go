package dispatch_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// sampleApp is the route file of a small blog, as `gorails routes` sees it.
func sampleApp(r *dispatch.Mapper) {
	r.Root(dispatch.To((*WelcomeController).Index))
	r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
		r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("create", "destroy"))
		r.Member(func(r *dispatch.Mapper) { r.Get("preview", dispatch.To((*PostsController).Preview)) })
	})
	r.Resource("profile", dispatch.For[ProfilesController](), dispatch.Except("new", "create"))
	r.Namespace("admin", func(r *dispatch.Mapper) {
		r.Resources("users", dispatch.For[AdminUsersController]())
	})
	r.Get("about", dispatch.To((*WelcomeController).About))
	r.Constraints(dispatch.Subdomain("api"), func(r *dispatch.Mapper) {
		r.Get("v/:version/status", dispatch.To((*WelcomeController).About), dispatch.Constrain("version", `\d+`))
	})
	r.Get("stories", dispatch.Redirect("/posts", 0))
	r.Mount("/jobs", jobsDashboard{}, dispatch.As("jobs"))
}

func TestWriteRoutesGolden(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, sampleApp)
	for _, tc := range []struct{ file, grep string }{
		{"routes.golden", ""},
		{"routes_grep_post.golden", "post"},
		{"routes_grep_none.golden", "nothing-matches"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := dispatch.WriteRoutes(&buf, rs.Routes(), tc.grep); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("WriteRoutes(grep %q):\n%s\nwant (%s):\n%s", tc.grep, buf.Bytes(), golden, want)
			}
		})
	}
}

func TestWriteRoutesRejectsABadGrep(t *testing.T) {
	t.Parallel()
	if err := dispatch.WriteRoutes(&bytes.Buffer{}, nil, "("); err == nil {
		t.Fatal("no error for an invalid pattern")
	}
}
