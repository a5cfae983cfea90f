package view

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// errAny in a case means "some error".
var errAny = errors.New("any error")

type post struct {
	ID        int64
	Title     string
	Body      string
	Status    string
	Tags      []string
	Published bool
	PublishAt time.Time
	AuthorID  int
	errs      map[string][]string
}

func (p *post) ErrorsOn(field string) []string { return p.errs[field] }

// ErrorMessages gives the full messages, sorted by field, for error_summary.
func (p *post) ErrorMessages() []string {
	var out []string
	for _, f := range []string{"title", "body"} {
		for _, m := range p.errs[f] {
			out = append(out, strings.ToUpper(f[:1])+f[1:]+" "+m)
		}
	}
	return out
}

type namedThing struct{ ID string }

func (namedThing) ModelName() string { return "widget" }

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// helperCase renders src as a view and compares the output.
type helperCase struct {
	name string
	src  string
	data any
	want string
	err  error
}

func runHelperCases(t *testing.T, cases []helperCase) {
	t.Helper()
	files := map[string]string{}
	for i, c := range cases {
		files["h/t"+string(rune('a'+i/26))+string(rune('a'+i%26))+".html.tmpl"] = c.src
	}
	s, err := New(Config{
		FS:     mapFS(files),
		Funcs:  routeFuncs(),
		Now:    func() time.Time { return now },
		Assets: map[string]string{"application.css": "application-3f2a.css", "app.js": "app-9b1c.js", "logo.png": "logo-77aa.png"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := Helpers{CSRFToken: func() string { return "tok<en>" }, URLs: fullURLs{}, RequestPath: "/posts", Flash: map[string]string{"notice": "Saved <ok>"}}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl := "t" + string(rune('a'+i/26)) + string(rune('a'+i%26))
			got, err := render(t, s, Options{Controller: "h", Template: tmpl, Data: c.data, Helpers: h})
			if c.err == errAny && err != nil {
				return
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if got != c.want {
				t.Errorf("%s\n got: %s\nwant: %s", c.src, got, c.want)
			}
		})
	}
}

func TestTagHelpers(t *testing.T) {
	t.Parallel()
	runHelperCases(t, []helperCase{
		{"link_to escapes the text and the URL", `{{link_to .Data "/p?a=1&b=<2>"}}`, `<b>"x"`,
			`<a href="/p?a=1&amp;b=&lt;2&gt;">&lt;b&gt;&#34;x&#34;</a>`, nil},
		{"link_to takes a route path and attributes", `{{link_to "Show" (post_path 7) "class" "btn"}}`, nil,
			`<a href="/posts/7" class="btn">Show</a>`, nil},
		{"link_to with a method adds data-method and nofollow", `{{link_to "Delete" "/posts/1" "method" "delete" "confirm" "Sure?"}}`, nil,
			`<a href="/posts/1" data-method="delete" rel="nofollow" data-confirm="Sure?">Delete</a>`, nil},
		{"link_to neutralizes javascript: URLs", `{{link_to "x" .Data}}`, " JavaScript:alert(1)", `<a href="#ZgotmplZ">x</a>`, nil},
		{"link_to keeps template.HTML bodies", `{{link_to (image_tag "logo.png" "alt" "Logo") "/"}}`, nil,
			`<a href="/"><img src="/assets/logo-77aa.png" alt="Logo"></a>`, nil},
		{"link_to refuses event handler attributes", `{{link_to "x" "/" "onclick" "alert(1)"}}`, nil, "", ErrHelper},
		{"link_to refuses malformed attribute names", `{{link_to "x" "/" "a b" "c"}}`, nil, "", ErrHelper},
		{"link_to refuses odd attribute lists", `{{link_to "x" "/" "class"}}`, nil, "", ErrHelper},
		{"mail_to links an address", `{{mail_to "a@b.c"}} {{mail_to "a@b.c" "Write"}}`, nil,
			`<a href="mailto:a@b.c">a@b.c</a> <a href="mailto:a@b.c">Write</a>`, nil},
		{"button_to posts with the method and the CSRF token", `{{button_to . "Delete" "/posts/1" "method" "delete" "class" "danger"}}`, nil,
			`<form class="button_to" method="post" action="/posts/1"><input type="hidden" name="_method" value="delete" autocomplete="off">` +
				`<button type="submit" class="danger">Delete</button><input type="hidden" name="authenticity_token" value="tok&lt;en&gt;" autocomplete="off"></form>`, nil},
		{"button_to with GET has no token", `{{button_to . "Go" "/search" "method" "get"}}`, nil,
			`<form class="button_to" method="get" action="/search"><button type="submit">Go</button></form>`, nil},
		{"csrf_meta_tags carries the param and the escaped token", `{{csrf_meta_tags .}}`, nil,
			"<meta name=\"csrf-param\" content=\"authenticity_token\">\n<meta name=\"csrf-token\" content=\"tok&lt;en&gt;\">", nil},
		{"csrf_token is escaped where used", `<input value="{{csrf_token .}}">`, nil, `<input value="tok&lt;en&gt;">`, nil},
		{"route helpers build paths", `<a href="{{post_path 3}}">{{posts_path}}</a>`, nil, `<a href="/posts/3">/posts</a>`, nil},
		{"a route helper's error aborts the render", `{{post_path}}`, nil, "", errAny},
		{"a URL helper builds on the request's base URL", `{{post_url $ 3}}`, nil, "https://example.com/posts/3", nil},
		{"current_page compares the request path", `{{if current_page . "/posts"}}here{{end}}{{if current_page . "/x"}}no{{end}}`, nil, `here`, nil},
		{"flash is read from the context and escaped", `{{with .Flash.notice}}<p>{{.}}</p>{{end}}{{.Flash.alert}}`, nil, `<p>Saved &lt;ok&gt;</p>`, nil},
		{"dom_id names saved records", `{{dom_id .Data}} {{dom_id .Data "edit"}} {{dom_class .Data}}`, &post{ID: 12}, `post_12 edit_post_12 post`, nil},
		{"dom_id names new records", `{{dom_id .Data}} {{dom_id .Data "custom"}}`, post{}, `new_post custom_post`, nil},
		{"dom_id uses ModelName and string ids", `{{dom_id .Data}}`, namedThing{ID: "a<b"}, `widget_a&lt;b`, nil},
		{"asset tags use the manifest", `{{stylesheet_link_tag "application"}}{{javascript_include_tag "app" "defer" true}}{{asset_path "other.png"}} {{asset_path "https://cdn/x.js"}}`, nil,
			`<link rel="stylesheet" href="/assets/application-3f2a.css"><script src="/assets/app-9b1c.js" defer></script>/assets/other.png https://cdn/x.js`, nil},
	})
}

func TestTextHelpers(t *testing.T) {
	t.Parallel()
	runHelperCases(t, []helperCase{
		{"pluralize", `{{pluralize 1 "post"}}, {{pluralize 2 "post"}}, {{pluralize 0 "person"}}, {{pluralize 3 "category"}}, {{pluralize 2 "octopus" "octopodes"}}, {{pluralize 1.5 "mile"}}`, nil,
			`1 post, 2 posts, 0 people, 3 categories, 2 octopodes, 1.5 miles`, nil},
		{"pluralize refuses a non-number", `{{pluralize "x" "post"}}`, nil, "", ErrHelper},
		{"singularize", `{{singularize "people"}} {{singularize "categories"}}`, nil, `person category`, nil},
		{"truncate cuts with an omission", `{{truncate .Data 10}}|{{truncate "short" 10}}|{{truncate .Data 10 "omission" "…"}}|{{truncate .Data 12 "separator" " "}}`,
			"Once upon a <time>", `Once up...|short|Once upon…|Once upon...`, nil},
		{"truncate escapes", `{{truncate .Data 8}}`, "<script>alert(1)</script>", `&lt;scri...`, nil},
		{"time_ago_in_words", `{{time_ago_in_words .Data}}`, now.Add(-3 * time.Minute), `3 minutes`, nil},
		{"number_with_delimiter", `{{number_with_delimiter 1234567}} {{number_with_delimiter -1234.5}} {{number_with_delimiter 12}} {{number_with_delimiter 1234567 "delimiter" "." "separator" ","}}`, nil,
			`1,234,567 -1,234.5 12 1.234.567`, nil},
		{"simple_format escapes and breaks lines", `{{simple_format .Data}}`, "Hello <b>\nworld\n\n\nBye & all",
			"<p>Hello &lt;b&gt;\n<br />world</p>\n\n<p>Bye &amp; all</p>", nil},
	})
}

func TestDistanceOfTimeInWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "less than a minute"},
		{50 * time.Second, "1 minute"},
		{44 * time.Minute, "44 minutes"},
		{60 * time.Minute, "about 1 hour"},
		{5 * time.Hour, "about 5 hours"},
		{30 * time.Hour, "1 day"},
		{5 * 24 * time.Hour, "5 days"},
		{40 * 24 * time.Hour, "about 1 month"},
		{100 * 24 * time.Hour, "3 months"},
		{400 * 24 * time.Hour, "about 1 year"},
		{600 * 24 * time.Hour, "over 1 year"},
		{700 * 24 * time.Hour, "almost 2 years"},
		{-5 * time.Hour, "about 5 hours"},
	}
	for _, tt := range tests {
		if got := distanceOfTimeInWords(now, now.Add(tt.d)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormWith(t *testing.T) {
	t.Parallel()
	saved := &post{ID: 7, Title: `Go "fast" <now>`, Status: "published", Tags: []string{"go", "web"}, Published: true,
		PublishAt: time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC), errs: map[string][]string{"title": {"is too <long>"}}}
	runHelperCases(t, []helperCase{
		{"a new model posts to the collection", `{{with form_with $ .Data}}{{.Begin}}{{.Label "title"}}{{.TextField "title"}}{{.Submit}}{{.End}}{{end}}`, &post{},
			`<form action="/posts" accept-charset="UTF-8" method="post" id="new_post">` +
				`<input type="hidden" name="authenticity_token" value="tok&lt;en&gt;" autocomplete="off">` +
				`<label for="post_title">Title</label><input type="text" name="post[title]" id="post_title">` +
				`<input type="submit" name="commit" value="Create Post" data-disable-with="Create Post"></form>`, nil},
		{"a saved model patches its member URL, shows values and errors", `{{with form_with $ .Data "class" "f"}}{{.Begin}}{{.Label "title" "Headline"}}{{.TextField "title"}}{{.Errors "title"}}{{.Submit}}{{.End}}{{end}}`, saved,
			`<form action="/posts/7" accept-charset="UTF-8" method="post" class="f" id="edit_post_7">` +
				`<input type="hidden" name="_method" value="patch" autocomplete="off">` +
				`<input type="hidden" name="authenticity_token" value="tok&lt;en&gt;" autocomplete="off">` +
				`<div class="field_with_errors"><label for="post_title">Headline</label></div>` +
				`<div class="field_with_errors"><input type="text" name="post[title]" id="post_title" value="Go &#34;fast&#34; &lt;now&gt;"></div>` +
				`<span class="error">is too &lt;long&gt;</span>` +
				`<input type="submit" name="commit" value="Update Post" data-disable-with="Update Post"></form>`, nil},
		{"select marks the selected value", `{{with form_with $ .Data}}{{.Select "status" (options "draft" "Draft" "published" "Pub<lished>") "include_blank" "None"}}{{end}}`, saved,
			`<select name="post[status]" id="post_status"><option value="">None</option><option value="draft">Draft</option><option value="published" selected>Pub&lt;lished&gt;</option></select>`, nil},
		{"a multiple select marks every value", `{{with form_with $ .Data}}{{.Select "tags" (.Value "tags") "multiple" true}}{{end}}`, saved,
			`<select name="post[tags][]" id="post_tags" multiple><option value="go" selected>go</option><option value="web" selected>web</option></select>`, nil},
		{"check box, text area, date, hidden, password and number fields", `{{with form_with $ .Data}}{{.CheckBox "published"}}{{.TextArea "title" "rows" 3}}{{.DateField "publish_at"}}{{.DatetimeField "publish_at"}}{{.HiddenField "author_id"}}{{.PasswordField "title"}}{{.NumberField "author_id"}}{{end}}`, saved,
			`<input type="hidden" name="post[published]" value="0" autocomplete="off"><input type="checkbox" name="post[published]" id="post_published" value="1" checked>` +
				`<div class="field_with_errors"><textarea name="post[title]" id="post_title" rows="3">` + "\n" + `Go &#34;fast&#34; &lt;now&gt;</textarea></div>` +
				`<input type="date" name="post[publish_at]" id="post_publish_at" value="2026-01-02">` +
				`<input type="datetime-local" name="post[publish_at]" id="post_publish_at" value="2026-01-02T15:04">` +
				`<input type="hidden" name="post[author_id]" id="post_author_id" value="0">` +
				`<div class="field_with_errors"><input type="password" name="post[title]" id="post_title"></div>` +
				`<input type="number" name="post[author_id]" id="post_author_id" value="0">`, nil},
		{"a model-less form with an explicit URL, GET and no scope", `{{with form_with $ nil "url" "/search" "method" "get"}}{{.Begin}}{{.TextField "q"}}{{.Submit "Search"}}{{.End}}{{end}}`, nil,
			`<form action="/search" accept-charset="UTF-8" method="get"><input type="text" name="q" id="q"><input type="submit" name="commit" value="Search" data-disable-with="Search"></form>`, nil},
		{"a submit's value attribute is its label, given once", `{{with form_with $ .Data}}{{.Submit "value" "Add comment" "class" "btn"}}{{end}}`, &post{},
			`<input type="submit" name="commit" value="Add comment" data-disable-with="Add comment" class="btn">`, nil},
		{"several errors on a field are separated", `{{with form_with $ .Data}}{{.Errors "body"}}{{.Errors "title"}}{{end}}`, &post{errs: map[string][]string{"body": {"can't be blank", "is too short (minimum is 1 character)"}}},
			`<span class="error">can&#39;t be blank, is too short (minimum is 1 character)</span>`, nil},
		{"error_summary lists the full messages", `{{error_summary .Data}}`, &post{errs: map[string][]string{"title": {"can't be <blank>"}, "body": {"is too short"}}},
			`<div id="error_explanation" class="error_explanation" role="alert"><h2>2 errors prohibited this post from being saved:</h2><ul><li>Title can&#39;t be &lt;blank&gt;</li><li>Body is too short</li></ul></div>`, nil},
		{"error_summary of a valid model is empty", `{{error_summary .Data}}`, &post{}, ``, nil},
		{"a map model with a scope", `{{with form_with $ .Data "scope" "user" "url" "/u" "method" "put"}}{{.Begin}}{{.EmailField "email"}}{{.End}}{{end}}`, map[string]any{"email": "a@b.c"},
			`<form action="/u" accept-charset="UTF-8" method="post"><input type="hidden" name="_method" value="put" autocomplete="off">` +
				`<input type="hidden" name="authenticity_token" value="tok&lt;en&gt;" autocomplete="off"><input type="email" name="user[email]" id="user_email" value="a@b.c"></form>`, nil},
	})
}

type draft struct{ ID int }

func (draft) Persisted() bool { return false }

func TestFormValues(t *testing.T) {
	t.Parallel()
	s := newSet(t, nil)
	yes, no := true, false
	for _, tt := range []struct {
		v    any
		want bool
	}{{true, true}, {false, false}, {&yes, true}, {&no, false}, {(*bool)(nil), false}, {"1", true}, {"on", true}, {"0", false}, {1, true}, {0, false}, {uint8(2), true}, {nil, false}, {2.5, false}} {
		if got := truthy(tt.v); got != tt.want {
			t.Errorf("truthy(%#v) = %v", tt.v, got)
		}
	}
	tm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		v    any
		typ  string
		want string
	}{{nil, "text", ""}, {&tm, "date", "2026-01-02"}, {tm, "text", "2026-01-02T03:04:05Z"}, {time.Time{}, "date", ""}, {(*int)(nil), "text", ""}, {42, "number", "42"}, {time.Second, "text", "1s"}} {
		if got := formatValue(tt.v, tt.typ); got != tt.want {
			t.Errorf("formatValue(%#v, %s) = %q, want %q", tt.v, tt.typ, got, tt.want)
		}
	}
	if s.persisted(draft{ID: 3}) {
		t.Error("Persister ignored")
	}
	if got := s.domID(draft{ID: 3}); got != "draft_3" {
		t.Errorf("dom_id = %q", got)
	}
	for _, c := range []any{[]Option{{"a", "A"}}, []string{"a"}, [][2]string{{"a", "A"}}} {
		if opts, err := choicesOf(c); err != nil || len(opts) != 1 || opts[0].Value != "a" {
			t.Errorf("choicesOf(%#v) = %v, %v", c, opts, err)
		}
	}
	if _, err := choicesOf(map[string]string{}); !errors.Is(err, ErrHelper) {
		t.Errorf("choicesOf(map) err = %v", err)
	}
}
