package main

import (
	"bytes"
	"errors"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func TestSplitName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, flat, path string
		err            string
	}{
		{in: "post", flat: "post"},
		{in: "BlogPost", flat: "blog_post"},
		{in: "admin/post", flat: "admin_post", path: "admin"},
		{in: "Admin::Post", flat: "admin_post", path: "admin"},
		{in: "admin/blog_post", flat: "admin_blog_post", path: "admin"},
		{in: "Admin::BlogPost", flat: "admin_blog_post", path: "admin"},
		{in: "AdminArea::Post", flat: "admin_area_post", path: "admin_area"},
		{in: "api/v1/post", flat: "api_v1_post", path: "api/v1"},
		{in: "../x", err: `".." is not`},
		{in: "admin//post", err: "empty part"},
		{in: "Admin::", err: "empty part"},
		{in: "::Post", err: "empty part"},
		{in: "admin/", err: "empty part"},
		{in: "1admin/post", err: `"1admin" is not`},
		{in: "admin/_post", err: `"_post" is not`},
		{in: "admin_/post", err: `"admin_" is not`},
		{in: "admin/po st", err: `"po st" is not`},
		{in: "Admin::Blog/post", err: "not both separators"},
		{in: "range/post", err: `"range" is a Go keyword`},
		{in: "admin/Func", err: `"func" is a Go keyword`},
		{in: "1post", err: "invalid model name"},
		{in: "", err: "invalid model name"},
	} {
		n, err := splitName("model", tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("splitName(%q) = %+v, %v; want an error with %q", tt.in, n, err, tt.err)
			}
			continue
		}
		if err != nil || n.Flat() != tt.flat || n.Path() != tt.path {
			t.Errorf("splitName(%q) = %q %q %v, want %q %q", tt.in, n.Flat(), n.Path(), err, tt.flat, tt.path)
		}
	}
}

// generated returns the files that differ from before, as checkGolden takes them.
func generated(t *testing.T, root string, before map[string]string, out string) map[string]string {
	t.Helper()
	got := map[string]string{"output.txt": out}
	for p, data := range snapshotTree(t, root) {
		if before[p] != data && !strings.HasPrefix(p, "public/assets/") {
			got[p] = data
		}
	}
	return got
}

// TestGenerateNamespacedGolden pins what generate scaffold admin/post,
// generate resource Admin::Tag and generate controller admin/dashboard
// write and print. Run `go test ./cmd/gorails -run Generate -update` after
// changing a template, and read the diff.
func TestGenerateNamespacedGolden(t *testing.T) {
	t.Parallel()
	t.Run("scaffold", func(t *testing.T) {
		t.Parallel()
		root := newTestApp(t)
		before := snapshotTree(t, root)
		var out bytes.Buffer
		if err := generateScaffold(root, "admin/post", []string{"title:string", "body:text", "published:boolean"}, true, genTime, false, &out); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "scaffold/admin_post", generated(t, root, before, out.String()))
	})
	t.Run("resource", func(t *testing.T) {
		t.Parallel()
		root := newTestApp(t)
		before := snapshotTree(t, root)
		var out bytes.Buffer
		if err := generateScaffold(root, "Admin::Tag", []string{"name:string:uniq"}, false, genTime, false, &out); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "resource/admin_tag", generated(t, root, before, out.String()))
	})
	t.Run("controller", func(t *testing.T) {
		t.Parallel()
		root := newTestApp(t)
		before := snapshotTree(t, root)
		var out bytes.Buffer
		if _, err := generateController(root, "admin/dashboard", []string{"index", "stats"}, false, &out); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "controller/admin_dashboard", generated(t, root, before, out.String()))
	})
}

// TestNamespacedSpellingsAgree: admin/post and Admin::Post generate the
// same files, and the model generator names them as the scaffold does.
func TestNamespacedSpellingsAgree(t *testing.T) {
	t.Parallel()
	trees := map[string]map[string]string{}
	for _, name := range []string{"admin/post", "Admin::Post"} {
		root := newTestApp(t)
		if err := generateScaffold(root, name, []string{"title"}, true, genTime, false, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		trees[name] = snapshotTree(t, root)
	}
	if len(trees["admin/post"]) != len(trees["Admin::Post"]) {
		t.Fatalf("admin/post wrote %d files, Admin::Post %d", len(trees["admin/post"]), len(trees["Admin::Post"]))
	}
	for p, data := range trees["admin/post"] {
		if trees["Admin::Post"][p] != data {
			t.Errorf("%s differs between admin/post and Admin::Post", p)
		}
	}
	root := newTestApp(t)
	if err := generateModel(root, "admin/post", []string{"title"}, genTime, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"app/models/admin_post.go", "app/models/admin_post_test.go", "test/fixtures/admin_posts.yml", "db/migrate/20261123085000_create_admin_posts.go"} {
		if got := readFile(t, root, p); got != trees["admin/post"][p] {
			t.Errorf("generate model admin/post and generate scaffold admin/post write %s differently", p)
		}
	}
}

// TestNamespacedRoutesShareTheBlock: a second resource and a controller of
// the same namespace go into its one block; another namespace gets its own;
// destroying them one by one takes out their lines, each block when it
// empties, and leaves the app as it was.
func TestNamespacedRoutesShareTheBlock(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	before := snapshotTree(t, root)
	if err := generateScaffold(root, "admin/post", []string{"title"}, true, genTime, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := generateScaffold(root, "Admin::Comment", []string{"body:text"}, true, genTime, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := generateController(root, "admin/dashboard", []string{"index"}, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := generateScaffold(root, "api/v1/widget", []string{"name"}, false, genTime, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	routes := readFile(t, root, routesFile)
	want := `	r.Namespace("admin", func(r *dispatch.Mapper) {
		r.Resources("posts", dispatch.For[controllers.AdminPostsController]())
		r.Resources("comments", dispatch.For[controllers.AdminCommentsController]())
		r.Get("dashboard/index", dispatch.To((*controllers.AdminDashboardController).Index))
	})
	r.Namespace("api", func(r *dispatch.Mapper) {
		r.Namespace("v1", func(r *dispatch.Mapper) {
			r.Resources("widgets", dispatch.For[controllers.ApiV1WidgetsController]())
		})
	})
}`
	if !strings.HasSuffix(strings.TrimSpace(routes), want) {
		t.Fatalf("config/routes.go ends:\n%s\nwant it to end:\n%s", routes, want)
	}

	steps := []struct {
		destroy func() error
		gone    []string // lines no longer in routes.go
		kept    []string
	}{
		{func() error { _, err := destroyScaffold(root, "admin/post", true, &bytes.Buffer{}); return err },
			[]string{"AdminPostsController"}, []string{`r.Namespace("admin"`, "AdminCommentsController"}},
		{func() error { _, err := destroyController(root, "admin/dashboard", nil, &bytes.Buffer{}); return err },
			[]string{"AdminDashboardController"}, []string{`r.Namespace("admin"`, "AdminCommentsController"}},
		{func() error { _, err := destroyScaffold(root, "Admin::Comment", true, &bytes.Buffer{}); return err },
			[]string{"AdminCommentsController", `r.Namespace("admin"`}, []string{`r.Namespace("api"`}},
		{func() error { _, err := destroyScaffold(root, "api/v1/widget", false, &bytes.Buffer{}); return err },
			[]string{`r.Namespace("api"`, `r.Namespace("v1"`}, nil},
	}
	for i, s := range steps {
		if err := s.destroy(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		routes := readFile(t, root, routesFile)
		for _, g := range s.gone {
			if strings.Contains(routes, g) {
				t.Errorf("step %d: routes.go still has %s:\n%s", i, g, routes)
			}
		}
		for _, k := range s.kept {
			if !strings.Contains(routes, k) {
				t.Errorf("step %d: routes.go lost %s:\n%s", i, k, routes)
			}
		}
	}
	after := snapshotTree(t, root)
	for p := range after {
		// The packages' shared test setup and the assets belong to the app
		// once written, as after a flat scaffold.
		shared := strings.HasSuffix(p, "/app_test.go") || strings.HasPrefix(p, "public/assets/")
		if _, ok := before[p]; !ok && !shared {
			t.Errorf("%s is left after destroy", p)
		}
	}
	for p, data := range before {
		if after[p] != data {
			t.Errorf("%s changed or removed by generate+destroy:\n%s", p, after[p])
		}
	}
	if _, err := os.Stat(filepath.Join(root, "app", "views", "admin")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("app/views/admin is left: %v", err)
	}
}

// TestNamespaceBlockEditedByHand: a block whose closing line generate
// cannot find is an error naming the file, and nothing is written.
func TestNamespaceBlockEditedByHand(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	p := filepath.Join(root, filepath.FromSlash(routesFile))
	src := strings.Replace(readFile(t, root, routesFile), "\tr.Root(", "\tr.Namespace(\"admin\", func(r *dispatch.Mapper) { r.Get(\"x\", dispatch.To((*controllers.WelcomeController).Index)) })\n\tr.Root(", 1)
	src = strings.Replace(src, `r.Namespace("admin", func(r *dispatch.Mapper) { `, "r.Namespace(\"admin\", func(r *dispatch.Mapper) {\n\t\t", 1)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshotTree(t, root)
	err := generateScaffold(root, "admin/post", []string{"title"}, true, genTime, false, &bytes.Buffer{})
	if !errors.Is(err, errRoutes) || !strings.Contains(err.Error(), `r.Namespace("admin"`) {
		t.Fatalf("error = %v, want errRoutes naming the block", err)
	}
	if after := snapshotTree(t, root); len(after) != len(before) {
		t.Error("a refused scaffold wrote files")
	}
}

// FuzzSplitName feeds generator NAMEs: splitting never panics, and what it
// accepts makes a file name, a Go identifier and namespace names that
// cannot leave their folder.
func FuzzSplitName(f *testing.F) {
	for _, s := range []string{"post", "admin/post", "Admin::Post", "../x", "admin//post", "Admin::", "1admin/post", "func/post",
		"api/v1/post", "a::b/c", "admin/../post", "admin/.", "Admin:Post", "admin\\post", "ad min/post", "admin/Post_", "é/post"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, err := splitName("model", name)
		if err != nil {
			return
		}
		flat := n.Flat()
		if !fieldNameRE.MatchString(flat) || strings.ContainsAny(flat, "./\\") {
			t.Fatalf("%q: flat name %q", name, flat)
		}
		if typ := camelize(flat); !token.IsIdentifier(typ) || !token.IsExported(typ) {
			t.Fatalf("%q: type %q is not an exported Go identifier", name, typ)
		}
		for _, m := range n.Modules {
			if !fieldNameRE.MatchString(m) || token.IsKeyword(m) || slices.Contains([]string{".", ".."}, m) {
				t.Fatalf("%q: namespace %q", name, m)
			}
		}
		if strings.Contains(name, "/") || strings.Contains(name, "::") {
			if len(n.Modules) == 0 {
				t.Fatalf("%q: namespaced but no namespace", name)
			}
		} else if len(n.Modules) != 0 {
			t.Fatalf("%q: flat but namespaced", name)
		}
	})
}

// ApiV1WidgetsController stands for the controller generate scaffold
// api/v1/widget writes.
type ApiV1WidgetsController struct{}

func (*ApiV1WidgetsController) Index() error { return nil }
func (*ApiV1WidgetsController) Show() error  { return nil }

// TestNestedNamespaceRoutesResolve: the block generate writes for
// api/v1/widget draws what the generated code names: the controller path
// api/v1/widgets (the views' folder, scaffoldData.ViewDir), the paths under
// scaffoldData.URL and the route names the helpers are made of.
func TestNestedNamespaceRoutesResolve(t *testing.T) {
	t.Parallel()
	ns, err := splitName("model", "api/v1/widget")
	if err != nil {
		t.Fatal(err)
	}
	d := scaffoldNames(ns)
	if d.Controller != "ApiV1WidgetsController" || d.Resource != "widgets" || d.ViewDir != "api/v1/widgets" || d.URL != "/api/v1/widgets" || d.Singular != "api_v1_widget" {
		t.Fatalf("names: %+v", d)
	}
	routes, err := dispatch.Describe(func(r *dispatch.Mapper) {
		r.Namespace(ns.Modules[0], func(r *dispatch.Mapper) {
			r.Namespace(ns.Modules[1], func(r *dispatch.Mapper) {
				r.Resources(d.Resource, dispatch.For[ApiV1WidgetsController]())
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range routes {
		got[r.Name] = r.Path + " " + r.Endpoint
	}
	for name, want := range map[string]string{
		d.Plural:   d.URL + "(.:format) " + d.ViewDir + "#index",
		d.Singular: d.URL + "/:id(.:format) " + d.ViewDir + "#show",
	} {
		if got[name] != want {
			t.Errorf("route %s = %q, want %q (all: %v)", name, got[name], want, got)
		}
	}
}
