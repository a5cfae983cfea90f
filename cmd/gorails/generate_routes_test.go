package main

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

// The controllers of a route set like a real app's, for Describe.
type (
	PostsController    struct{}
	CommentsController struct{}
	UsersController    struct{}
)

func (*PostsController) Index() error    { return nil }
func (*PostsController) Show() error     { return nil }
func (*PostsController) New() error      { return nil }
func (*PostsController) Create() error   { return nil }
func (*PostsController) Edit() error     { return nil }
func (*PostsController) Update() error   { return nil }
func (*PostsController) Destroy() error  { return nil }
func (*PostsController) Preview() error  { return nil }
func (*CommentsController) Show() error  { return nil }
func (*CommentsController) Index() error { return nil }
func (*UsersController) Index() error    { return nil }

func sampleRoutes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*PostsController).Index))
	r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
		r.Member(func(r *dispatch.Mapper) { r.Get("preview", dispatch.To((*PostsController).Preview)) })
		r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index", "show"))
	})
	r.Namespace("api", func(r *dispatch.Mapper) { r.Resources("users", dispatch.For[UsersController]()) })
	r.Get("archive/:year", dispatch.To((*PostsController).Index), dispatch.As("archive"), dispatch.Constrain("year", `\d{4}`))
	r.Get("files/*path", dispatch.To((*PostsController).Show), dispatch.As("file"))
	r.Get("feed/:type", dispatch.To((*PostsController).Index), dispatch.As("feed"), dispatch.Format(true))
	r.Mount("/status", http.NotFoundHandler(), dispatch.As("status"))
	r.Get("unnamed/:id", dispatch.To((*PostsController).Show), dispatch.As(""))
	// The DSL forms of Rails beyond resources: optional groups, params
	// sharing a segment, defaults, path names, concerns, a controller scope.
	r.Get("photos(/:id)", dispatch.To((*PostsController).Show), dispatch.As("photos"))
	r.Get("calendar/:kind(/:year(/:month))", dispatch.To((*PostsController).Index), dispatch.As("calendar"), dispatch.Default("kind", "all"))
	r.Get("read/:id-:slug", dispatch.To((*PostsController).Show), dispatch.As("slugged"), dispatch.Constrain("id", `\d+`))
	r.Concern("commentable", func(r *dispatch.Mapper) {
		r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index"))
	})
	r.Scope("(:locale)", dispatch.Constrain("locale", "en|nl"), func(r *dispatch.Mapper) {
		r.Resources("articles", dispatch.For[PostsController](), dispatch.Only("new", "show"), dispatch.Concerns("commentable"),
			dispatch.PathNames(map[string]string{"new": "neu"}))
	})
	r.Controller(dispatch.For[PostsController](), func(r *dispatch.Mapper) { r.Get("drafts", dispatch.ToAction("preview")) })
	r.Direct("homepage", func(...any) (string, error) { return "https://rubyonrails.org", nil })
}

// TestRouteHelpersSourceGolden pins the helpers generated for a route set
// with resources, nesting, a namespace, a constraint, a glob, a required
// format and a mount, and type-checks them.
func TestRouteHelpersSourceGolden(t *testing.T) {
	t.Parallel()
	routes, err := dispatch.Describe(sampleRoutes)
	if err != nil {
		t.Fatal(err)
	}
	directs, err := dispatch.DescribeDirects(sampleRoutes)
	if err != nil {
		t.Fatal(err)
	}
	src, err := helpersSource(routes, directs...)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "..", "testdata", "golden", "routes", "routes.go.golden")
	if *update {
		if err := os.WriteFile(golden, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != string(src) {
		t.Errorf("the helpers differ from %s (run with -update after reading the diff):\n%s", golden, src)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "routes.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("blog/app/routes", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatalf("the generated helpers do not compile: %v", err)
	}
	for name, sig := range map[string]string{
		"RootPath":            "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"PostCommentPath":     "func(postID any, id any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"EditPostURL":         "func(base string, id any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"APIUsersPath":        "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"FeedPath":            "func(typeParam any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"Helpers":             "func() github.com/gorails/gorails/framework/dispatch.RouteHelpers",
		"PreviewPostPath":     "func(id any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"StatusPath":          "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"ArchivePath":         "func(year any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"FilePath":            "func(path any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"PostCommentsURL":     "func(base string, postID any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"NewPostPath":         "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"PostsPath":           "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"PostPath":            "func(id any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"PhotosPath":          "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"CalendarURL":         "func(base string, kind any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"SluggedPath":         "func(id any, slug any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"ArticlePath":         "func(id any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"NewArticlePath":      "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"ArticleCommentsPath": "func(articleID any, query ...github.com/gorails/gorails/framework/dispatch.Params) string",
		"DraftsPath":          "func(query ...github.com/gorails/gorails/framework/dispatch.Params) string",
	} {
		obj := pkg.Scope().Lookup(name)
		if obj == nil {
			t.Errorf("no %s in the generated helpers", name)
			continue
		}
		if got := obj.Type().String(); got != sig {
			t.Errorf("%s is %s, want %s", name, got, sig)
		}
	}
}

func TestRouteHelpersSourceRefusesNamesItCannotWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		routes []dispatch.RouteInfo
		want   string
	}{
		{[]dispatch.RouteInfo{{Name: "post_comments", Path: "/a"}, {Name: "postComments", Path: "/b"}}, "routes post_comments and postComments both make the helper PostCommentsPath"},
		{[]dispatch.RouteInfo{{Name: "_", Path: "/a"}}, "route _: its name makes no Go function name"},
	} {
		if _, err := helpersSource(tc.routes); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("helpersSource(%v) = %v, want %q", tc.routes, err, tc.want)
		}
	}
}

func TestParamIdent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"id": "id", "post_id": "postID", "api_key": "apiKey", "type": "typeParam", "query": "queryParam",
		"base": "baseParam", "len": "lenParam", "path": "path", "ID": "id", "url_slug": "urlSlug",
	} {
		if got := paramIdent(in); got != want {
			t.Errorf("paramIdent(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHelperNames finds the helpers an app's code names, whatever the
// import is called, and only in the files the build compiles.
func TestHelperNames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                                   "module blog\n",
		"app/controllers/posts_controller.go":      "package controllers\nimport \"blog/app/routes\"\nfunc a() string { return routes.PostPath(1) + routes.NewPostURL(\"\") }\nvar _ = routes.Helpers\n",
		"app/controllers/other.go":                 "package controllers\nimport r \"blog/app/routes\"\nfunc b() string { return r.ArchivePath(2024) }\n",
		"app/controllers/posts_controller_test.go": "package controllers\nimport \"blog/app/routes\"\nvar _ = routes.TestOnlyPath()\n",
		"app/models/broken.go":                     "package models\nfunc {",
		"tmp/x/main.go":                            "package main\nimport \"blog/app/routes\"\nvar _ = routes.TmpPath()\n",
		"config/routes.go":                         "package config\nimport \"blog/app/other/routes\"\nvar _ = routes.NotOurs()\n",
	}
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names, err := helperNames(root, "blog")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ArchivePath", "NewPostURL", "PostPath"}; !slices.Equal(names, want) {
		t.Errorf("helperNames = %q, want %q", names, want)
	}
	stub := string(stubHelpers(names))
	for _, want := range []string{"func Helpers() dispatch.RouteHelpers { return nil }", "func ArchivePath(...any) string {"} {
		if !strings.Contains(stub, want) {
			t.Errorf("the stub lacks %q:\n%s", want, stub)
		}
	}
}
