package errorpage_test

import (
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/errorpage"
)

// fixtureApp is the root of testdata/app, an app whose
// app/controllers/posts_controller.go the page reads.
func fixtureApp(t *testing.T) (root, controllerFile string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("testdata", "app"))
	if err != nil {
		t.Fatal(err)
	}
	return root, filepath.Join(root, "app", "controllers", "posts_controller.go")
}

func debugPage(t *testing.T, info errorpage.DebugInfo) string {
	t.Helper()
	var b strings.Builder
	if err := errorpage.Debug(&b, info); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDebugPageOfAPanicShowsTheAppsFramesFirst(t *testing.T) {
	t.Parallel()
	root, file := fixtureApp(t)
	stack := "goroutine 9 [running]:\nruntime/debug.Stack()\n\t/go/src/runtime/debug/stack.go:26 +0x5e\n" +
		"github.com/gorails/gorails/framework/middleware.Recover.func1.1()\n\t/src/gorails/framework/middleware/recover.go:40 +0x9a\n" +
		"panic({0x5e2c60?, 0xbb?})\n\t/go/src/runtime/panic.go:860 +0x13a\n" +
		"blog/app/controllers.(*PostsController).ShowAll(0xc000123)\n\t" + file + ":23 +0x25\n" +
		"github.com/gorails/gorails/framework/dispatch.(*RouteSet).serve(0xc0, {0x1, 0x2})\n\t/src/gorails/framework/dispatch/serve.go:87 +0x1\n" +
		"net/http.HandlerFunc.ServeHTTP(...)\n\t/go/src/net/http/server.go:2286\n"
	page := debugPage(t, errorpage.DebugInfo{
		Err: errors.New("runtime error: index out of range [3] with length 0"), Stack: []byte(stack),
		Controller: "posts", Action: "show_all", Root: root,
	})
	for _, want := range []string{
		`Panic in <b>PostsController#show_all</b> · 500 Internal Server Error`,
		`<h1 id="message">runtime error: index out of range [3] with length 0</h1>`,
		`<b>app/controllers/posts_controller.go:23</b> in <code>controllers.(*PostsController).ShowAll</code>`,
		`<span>  20  // ShowAll panics on line 23.</span>`,
		`<mark>  23  	return errors.New(posts[3])</mark>`,
		`<summary>Framework trace (2 frames)</summary>`,
		"dispatch.(*RouteSet).serve\n    /src/gorails/framework/dispatch/serve.go:87",
		`<summary>Full trace</summary>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	app, framework := strings.Index(page, "posts_controller.go:23"), strings.Index(page, "Framework trace")
	if app < 0 || framework < app {
		t.Error("the app's frame does not come before the framework's")
	}
	if strings.Contains(page, "recover.go") && strings.Index(page, "recover.go") < strings.Index(page, "Full trace") {
		t.Error("the recovering frames are listed as the error's")
	}
}

func TestDebugPageOfAReturnedErrorShowsTheAction(t *testing.T) {
	t.Parallel()
	root, _ := fixtureApp(t)
	page := debugPage(t, errorpage.DebugInfo{Err: errors.New("record not found"), Status: 404, Controller: "posts", Action: "show", Root: root})
	for _, want := range []string{
		`Error in <b>PostsController#show</b> · 404 Not Found`,
		`The action returned this error.`,
		`<b>app/controllers/posts_controller.go:11</b> in <code>(*PostsController).Show</code>`,
		`<mark>  11  func (c *PostsController) Show() error {</mark>`,
		`<span>  17  	return nil</span><span>  18  }</span></pre>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "ShowAll") {
		t.Error("the page shows another action's code")
	}
}

func TestDebugPageReadsNoFileOutsideTheApp(t *testing.T) {
	t.Parallel()
	root, _ := fixtureApp(t)
	outside, err := filepath.Abs("stack_test.go")
	if err != nil {
		t.Fatal(err)
	}
	page := debugPage(t, errorpage.DebugInfo{Err: errors.New("boom"), Root: root,
		Stack: []byte("goroutine 1 [running]:\nmain.f()\n\t" + outside + ":3 +0x1\nmain.g()\n\t" + root + "/../../stack_test.go:4 +0x1\n")})
	if strings.Contains(page, "package errorpage_test") || strings.Contains(page, "<mark>") {
		t.Errorf("the page shows source from outside the app:\n%s", page)
	}
	if !strings.Contains(page, "No frame of the app's own code") {
		t.Error("the page does not say the app has no frame")
	}
}

func TestDebugPageFiltersParamsAndHeaders(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/posts/7?isbn=978-3&page=2&password=hunter2", nil)
	for k, v := range map[string]string{
		"Cookie": "_blog_session=s3cr3t", "Authorization": "Bearer s3cr3t", "Proxy-Authorization": "Basic s3cr3t",
		"X-Api-Key": "s3cr3t", "X-Csrf-Token": "s3cr3t", "X-Isbn": "978-3", "Accept": "text/html",
	} {
		r.Header.Set(k, v)
	}
	page := debugPage(t, errorpage.DebugInfo{
		Err: errors.New("boom"), Request: r,
		Params:  map[string][]string{"id": {"7"}, "isbn": {"978-3"}, "post[title]": {"Hello"}, "page": {"2"}},
		Session: []string{"user_id", "_csrf_token"},
		Filter:  func(name string) bool { return strings.Contains(strings.ToLower(name), "isbn") },
	})
	if strings.Contains(page, "s3cr3t") || strings.Contains(page, "978-3") {
		t.Errorf("the page leaks a filtered value:\n%s", page)
	}
	for _, want := range []string{
		`GET /posts/7?isbn=[FILTERED]&amp;page=2&amp;password=hunter2`, // the app's filter replaces Rails' list
		"<td>post[title]</td><td>Hello</td>", "<td>id</td><td>7</td>",
		"<td>Cookie</td><td>[FILTERED]</td>", "<td>Authorization</td><td>[FILTERED]</td>", "<td>X-Isbn</td><td>[FILTERED]</td>",
		"<td>Accept</td><td>text/html</td>",
		"Keys: <code>_csrf_token</code>, <code>user_id</code>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
