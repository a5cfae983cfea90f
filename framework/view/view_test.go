package view

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// fakeURLs resolves a few routes like a route set would.
type fakeURLs struct{}

func (fakeURLs) Path(name string, args ...any) (string, error) {
	switch name {
	case "posts":
		return "/posts", nil
	case "new_post":
		return "/posts/new", nil
	case "post":
		if len(args) != 1 {
			return "", errors.New("post needs an id")
		}
		return fmt.Sprintf("/posts/%v", args[0]), nil
	}
	return "", fmt.Errorf("no route %q", name)
}

// fullURLs also knows the request's base URL, as dispatch.Request does.
type fullURLs struct{ fakeURLs }

func (fullURLs) BaseURL() string { return "https://example.com" }

// routeFuncs stand for an app's generated route helpers (app/routes), which
// the app installs as Config.Funcs: posts_path, new_post_path, post_path and
// post_url.
func routeFuncs() map[string]any {
	m := map[string]any{}
	for _, name := range []string{"posts", "new_post", "post"} {
		path := func(args ...any) (string, error) { return fakeURLs{}.Path(name, args...) }
		m[name+"_path"] = path
		m[name+"_url"] = func(base any, args ...any) (string, error) {
			p, err := path(args...)
			if b, ok := base.(interface{ BaseURL() string }); ok {
				return b.BaseURL() + p, err
			}
			return fmt.Sprint(base) + p, err
		}
	}
	return m
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func newSet(t testing.TB, files map[string]string) *Set {
	t.Helper()
	s, err := New(Config{FS: mapFS(files), Funcs: routeFuncs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func render(t testing.TB, s *Set, o Options) (string, error) {
	t.Helper()
	var b strings.Builder
	err := s.Render(&b, o)
	return b.String(), err
}

func TestLookupAndLayouts(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"layouts/application.html.tmpl": `app[{{template "content" .}}]`,
		"layouts/admin.html.tmpl":       `admin[{{template "content" .}}]`,
		"layouts/special.html.tmpl":     `special[{{template "content" .}}]`,
		"layouts/comments.html.tmpl":    `comments[{{template "content" .}}]`,
		"layouts/application.json.tmpl": `{"data":{{template "content" .}}}`,
		"posts/index.html.tmpl":         `posts index`,
		"posts/show.tmpl":               `format-less show`,
		"posts/index.json.tmpl":         `[{{json .Data}}]`,
		"posts/feed.text.tmpl":          `it's <plain> & {{.Data}}`,
		"application/about.html.tmpl":   `shared about`,
		"comments/index.html.tmpl":      `comments index`,
		"admin/users/index.html.tmpl":   `users`,
	}
	s := newSet(t, files)
	tests := []struct {
		name string
		o    Options
		want string
		err  error
	}{
		{"a view renders inside the application layout", Options{Controller: "posts", Template: "posts/index"}, "app[posts index]", nil},
		{"a template name without a slash is in the controller's folder", Options{Controller: "posts", Template: "index"}, "app[posts index]", nil},
		{"a format-less file is the fallback for any format", Options{Controller: "posts", Template: "show"}, "app[format-less show]", nil},
		{"an action missing in the controller's folder falls back to application/", Options{Controller: "posts", Template: "about"}, "app[shared about]", nil},
		{"a controller's own layout wins over application", Options{Controller: "comments", Template: "index"}, "comments[comments index]", nil},
		{"a namespace's layout serves its controllers", Options{Controller: "admin/users", Template: "index"}, "admin[users]", nil},
		{"an explicit layout is used", Options{Controller: "posts", Template: "index", Layout: "special"}, "special[posts index]", nil},
		{"an explicit layout may carry the layouts/ prefix", Options{Controller: "posts", Template: "index", Layout: "layouts/special"}, "special[posts index]", nil},
		{"NoLayout renders the view alone", Options{Controller: "posts", Template: "index", NoLayout: true}, "posts index", nil},
		{"json uses text/template and the json layout", Options{Controller: "posts", Template: "index", Format: "json", Data: map[string]int{"a": 1}}, `{"data":[{"a":1}]}`, nil},
		{"text is not HTML-escaped", Options{Controller: "posts", Template: "feed", Format: "text", Data: "<x>"}, "it's <plain> & <x>", nil},
		{"a missing view is ErrTemplateNotFound", Options{Controller: "posts", Template: "nope"}, "", ErrTemplateNotFound},
		{"a missing format is ErrTemplateNotFound", Options{Controller: "comments", Template: "index", Format: "xml"}, "", ErrTemplateNotFound},
		{"a path out of the views is not found", Options{Controller: "posts", Template: "../posts/index"}, "", ErrTemplateNotFound},
		{"a missing explicit layout is ErrLayoutNotFound", Options{Controller: "posts", Template: "index", Layout: "nope"}, "", ErrLayoutNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := render(t, s, tt.o)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.err != nil {
				return
			}
			if !s.Exists(tt.o) {
				t.Errorf("Exists = false")
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": `<title>{{block "title" .}}Blog{{end}}</title>` +
			`{{if provided . "sidebar"}}<aside>{{block "sidebar" .}}{{end}}</aside>{{end}}<main>{{template "content" .}}</main>`,
		"posts/index.html.tmpl": `{{define "title"}}Posts — {{.Data}}{{end}}list`,
		"posts/show.html.tmpl":  `{{define "sidebar"}}<b>side</b>{{end}}show`,
		"posts/empty.html.tmpl": `{{define "title"}}{{end}}empty`,
	})
	tests := []struct{ template, want string }{
		{"index", `<title>Posts — &lt;T&gt;</title><main>list</main>`},
		{"show", `<title>Blog</title><aside><b>side</b></aside><main>show</main>`},
		{"empty", `<title>Blog</title><main>empty</main>`}, // an empty define keeps the default
	}
	for _, tt := range tests {
		t.Run("view "+tt.template+" fills the layout's blocks", func(t *testing.T) {
			got, err := render(t, s, Options{Controller: "posts", Template: tt.template, Data: "<T>"})
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPartials(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"posts/index.html.tmpl":         `<ul>{{render_collection . "post" .Data "class" "x"}}</ul>`,
		"posts/_post.html.tmpl":         `<li class="{{.Locals.class}}" data-i="{{.Locals.post_counter}}">{{.Locals.post}}</li>`,
		"posts/as.html.tmpl":            `{{render_collection . "posts/post" .Data "as" "post"}}|{{render_collection . "item" .Data "as" "it"}}`,
		"posts/_item.html.tmpl":         `({{.Locals.it}})`,
		"posts/form.html.tmpl":          `{{render . "form" "title" .Data}}`,
		"posts/_form.html.tmpl":         `<form>{{.Locals.title}}{{render . "shared/errors"}}</form>`,
		"shared/_errors.html.tmpl":      `<e/>`,
		"posts/app.html.tmpl":           `{{render . "footer"}}`,
		"application/_footer.html.tmpl": `footer`,
		"posts/native.html.tmpl":        `{{range .Data}}{{template "posts/_post" (locals $ "post" . "class" "n")}}{{end}}`,
		"posts/dynamic.html.tmpl":       `{{range .Data}}{{render $ .}}{{end}}`,
		"posts/_a.html.tmpl":            `A`,
		"posts/_b.html.tmpl":            `B`,
		"posts/missing.html.tmpl":       `{{render . "nope"}}`,
		"posts/missingdyn.html.tmpl":    `{{range .Data}}{{render $ .}}{{end}}`,
		"posts/data.html.tmpl":          `{{render . "data"}}`,
		"posts/anys.html.tmpl":          `{{render_collection . "item" .Data "as" "it"}}`,
		"posts/notslice.html.tmpl":      `{{render_collection . "item" .Data}}`,
		"posts/oddlocals.html.tmpl":     `{{render . "a" "x"}}`,
		"posts/_data.html.tmpl":         `{{.Data}}`,
	})
	tests := []struct {
		name, template string
		data           any
		want           string
		err            error
	}{
		{"a collection partial gets each element, its counter and extra locals", "index", []string{"a<", "b"},
			`<ul><li class="x" data-i="0">a&lt;</li><li class="x" data-i="1">b</li></ul>`, nil},
		{"as renames the local", "as", []int{1, 2}, `<li class="" data-i="0">1</li><li class="" data-i="1">2</li>|(1)(2)`, nil},
		{"a partial gets its locals and renders partials by path", "form", "<T>", `<form>&lt;T&gt;<e/></form>`, nil},
		{"a partial falls back to application/", "app", nil, `footer`, nil},
		{"a partial can be included natively with locals", "native", []string{"x"}, `<li class="n" data-i="">x</li>`, nil},
		{"a partial name known only at run time is compiled on demand", "dynamic", []string{"a", "b", "a"}, `ABA`, nil},
		{"a partial sees the view's data", "data", "D", `D`, nil},
		{"a collection may be []any", "anys", []any{1, "b"}, `(1)(b)`, nil},
		{"a collection may be nil", "anys", nil, ``, nil},
		{"a collection must be a slice", "notslice", 3, "", ErrHelper},
		{"locals come in pairs", "oddlocals", nil, "", ErrHelper},
		{"a missing partial named in the template fails the compile", "missing", nil, "", ErrPartialNotFound},
		{"a missing partial named at run time fails the render", "missingdyn", []string{"zz"}, "", ErrPartialNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := render(t, s, Options{Controller: "posts", Template: tt.template, Data: tt.data})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTextPartials(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"posts/list.text.tmpl":  `{{render_collection . "line" .Data}}`,
		"posts/_line.text.tmpl": "- {{.Locals.line}} & <ok>\n",
	})
	got, err := render(t, s, Options{Controller: "posts", Template: "list", Format: "text", Data: []string{"a'b", "c"}})
	if want := "- a'b & <ok>\n- c & <ok>\n"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

func TestRenderWritesNothingOnError(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{"posts/index.html.tmpl": `before {{post_path}} after`})
	got, err := render(t, s, Options{Controller: "posts", Template: "index", Helpers: Helpers{URLs: fakeURLs{}}})
	if err == nil || got != "" {
		t.Fatalf("got %q, %v; want nothing and an error", got, err)
	}
}

func TestConcurrentRenders(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": `<main>{{template "content" .}}</main>`,
		"posts/index.html.tmpl":         `{{render_collection . "post" .Data}}`,
		"posts/_post.html.tmpl":         `<p>{{.Locals.post}}</p>`,
	})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				want := fmt.Sprintf("<main><p>%d</p><p>%d</p></main>", i, j)
				got, err := render(t, s, Options{Controller: "posts", Template: "index", Data: []int{i, j}})
				if err != nil || got != want {
					t.Errorf("got %q, %v; want %q", got, err, want)
					return
				}
				if j%10 == 0 && i == 0 {
					s.Invalidate()
				}
			}
		})
	}
	wg.Wait()
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no FS: err = %v", err)
	}
	if _, err := New(Config{FS: mapFS(nil), Funcs: map[string]any{"link_to": func() string { return "" }}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("clashing func: err = %v", err)
	}
	s, err := New(Config{FS: mapFS(map[string]string{"x/y.html.tmpl": `{{shout "hi"}}`}), Funcs: map[string]any{"shout": strings.ToUpper}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := render(t, s, Options{Template: "x/y"}); got != "HI" || err != nil {
		t.Errorf("app func: got %q, %v", got, err)
	}
}

func TestPrefixes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                  "application",
		"posts":             "posts application",
		"admin/users":       "admin/users admin application",
		"api/v1/posts":      "api/v1/posts api/v1 api application",
		"application":       "application",
		"admin/application": "admin/application admin application",
	}
	for in, want := range tests {
		if got := strings.Join(prefixes(in), " "); got != want {
			t.Errorf("prefixes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithoutRequestHelpers(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"a/meta.html.tmpl":   `[{{csrf_meta_tags .}}]`,
		"a/button.html.tmpl": `{{button_to . "Go" "/x"}}`,
		"a/form.html.tmpl":   `{{form_with $ .Data}}`,
		"a/app.html.tmpl":    `{{greet .}}`,
		"a/url.html.tmpl":    `{{post_url $ 7}}`,
	})
	s2, err := New(Config{FS: s.cfg.FS, Funcs: map[string]any{"greet": func(c *Context) string { return "hi " + c.RequestPath },
		"post_url": func(any, ...any) string { return "" }}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		set  *Set
		tmpl string
		want string
		err  error
	}{
		{s, "meta", "[]", nil},
		{s, "button", `<form class="button_to" method="post" action="/x"><button type="submit">Go</button></form>`, nil},
		{s, "form", "", ErrHelper},
		{s2, "app", "hi /here", nil},
		{s, "url", "https://example.com/posts/7", nil},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl+" works without request helpers", func(t *testing.T) {
			h := Helpers{RequestPath: "/here"}
			if tt.tmpl == "url" {
				h.URLs = fullURLs{}
			}
			got, err := render(t, tt.set, Options{Controller: "a", Template: tt.tmpl, Helpers: h, Data: &post{ID: 1}})
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if s.Exists(Options{Controller: "a", Template: "nope"}) {
		t.Error("Exists(nope) = true")
	}
}

func TestOptionsNamingOnePairShareItsUnit(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{"layouts/application.html.tmpl": `{{template "content" .}}`, "posts/index.html.tmpl": `x`})
	for _, tmpl := range []string{"index", "posts/index"} {
		if _, err := render(t, s, Options{Controller: "posts", Template: tmpl}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := s.unitFor(Options{Controller: "posts", Template: "index"})
	b, _ := s.unitFor(Options{Controller: "posts", Template: "posts/index", Layout: "application"})
	if a != b {
		t.Error("two option sets naming one (layout, view) pair compiled it twice")
	}
}
