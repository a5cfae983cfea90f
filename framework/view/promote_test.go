package view

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Types standing for models: Model for record.Model, embedded by value.
type (
	promStamp struct{ At string }
	PromModel struct {
		ID int64
		promStamp
		Stamp promStamp
	}
	PromBase  struct{ ID int64 }
	promInner struct{ Secret string }
	promPost  struct {
		PromModel
		Title string
		promInner
	}
	// promMeth has a method ID, which text/template prefers to the field.
	promMeth struct{ PromModel }
	// promPtr embeds its model through a pointer, which may be nil.
	promPtr struct{ *PromModel }
	// promOther has its ID from another embedded struct, under a field
	// named as the view's data calls its posts.
	promOther struct{ PromBase }
	promDeep  struct{ Post promPost }
	promData  struct {
		Posts []promPost
		Ptrs  []*promPost
		Post  promPost
		Map   map[string]promPost
		Any   []any
		Meth  []promMeth
		PE    []promPtr
		Deep  []promDeep
		O     struct{ Data struct{ Posts []promOther } }
		Ctxs  []*Context
	}
)

func (promMeth) ID() string { return "method" }

func promFixture() *promData {
	p := func(id int64, title string) promPost {
		return promPost{PromModel: PromModel{ID: id, promStamp: promStamp{At: "at" + title}, Stamp: promStamp{At: "st" + title}}, Title: title, promInner: promInner{Secret: "s"}}
	}
	d := &promData{
		Posts: []promPost{p(1, "a<b"), p(2, "c&d")},
		Ptrs:  []*promPost{{PromModel: PromModel{ID: 3}}, nil},
		Post:  p(4, "e"),
		Map:   map[string]promPost{"x": p(5, "f")},
		Any:   []any{p(6, "g"), map[string]int{"ID": 7}},
		Meth:  []promMeth{{PromModel{ID: 8}}},
		PE:    []promPtr{{&PromModel{ID: 9}}, {}},
		Deep:  []promDeep{{Post: p(10, "h")}},
	}
	d.O.Data.Posts = []promOther{{PromBase{ID: 11}}}
	d.Ctxs = []*Context{{Helpers: Helpers{Flash: map[string]string{"notice": "c"}}}, nil}
	return d
}

// renderGeneric renders o with the unit compiled for any Data, as Render
// did before units were compiled per Data type.
func renderGeneric(t *testing.T, s *Set, o Options) (string, error) {
	t.Helper()
	format := formatOf(o.Format)
	view, err := s.findView(o.Controller, o.Template, format)
	if err != nil {
		t.Fatal(err)
	}
	lay, err := s.findLayout(o.Controller, "", false, format)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.compilePair(o.Controller, format, view, lay, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := u.run(&b, &Context{Data: o.Data, Helpers: o.Helpers, set: s, u: u, controller: o.Controller, ctx: context.Background()}); err != nil {
		return "", fmt.Errorf("view: render %s: %w", u.file, err)
	}
	return b.String(), nil
}

// TestPromotedFieldsRenderAsBefore: a unit compiled for the Data's type
// names promoted fields by their path only where text/template's answer
// cannot change, and answers (output or error, word for word) as the unit
// compiled for any Data does.
func TestPromotedFieldsRenderAsBefore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tmpl string
		format     string
		promoted   int
		wantOut    string // "" when an error is wanted
		wantErr    string // part of the error
	}{
		{name: "range over structs", tmpl: `{{range .Data.Posts}}{{.ID}} {{.At}} {{.Stamp.At}} {{.Title}};{{end}}`, promoted: 2,
			wantOut: "1 ata&lt;b sta&lt;b a&lt;b;2 atc&amp;d stc&amp;d c&amp;d;"},
		{name: "as an argument", tmpl: `{{range .Data.Posts}}{{post_path .ID}} {{printf "%d-%s" .ID .Title}};{{end}}`, promoted: 2,
			wantOut: "/posts/1 1-a&lt;b;/posts/2 2-c&amp;d;"},
		{name: "with and a chain through it", tmpl: `{{with .Data.Post}}{{.ID}}{{end}} {{range .Data.Deep}}{{.Post.ID}}{{end}}`, promoted: 2,
			wantOut: "4 10"},
		{name: "in attributes and URLs", tmpl: `{{range .Data.Posts}}<a href="/p/{{.ID}}" title="{{.ID}}">{{.At}}</a>{{end}}`, promoted: 2,
			wantOut: `<a href="/p/1" title="1">ata&lt;b</a><a href="/p/2" title="2">atc&amp;d</a>`},
		{name: "map values", tmpl: `{{range .Data.Map}}{{.ID}}{{end}}`, promoted: 1, wantOut: "5"},
		{name: "block in the layout's place", tmpl: `{{define "item"}}{{range .Data.Posts}}{{.ID}}{{end}}{{end}}{{template "item" .}}|{{template "item" $}}`, promoted: 1,
			wantOut: "12|12"},
		{name: "text format", format: "text", tmpl: `{{range .Data.Posts}}{{.ID}} {{.Title}};{{end}}`, promoted: 1,
			wantOut: "1 a<b;2 c&d;"},

		{name: "the context's own promoted fields", tmpl: `{{.Flash.notice}}|{{$.Flash.alert}}|{{with .Flash.none}}x{{end}}|{{range .Data.Posts}}{{$.Flash.notice}}{{end}}`, promoted: 4,
			wantOut: "&lt;n&gt;|a||&lt;n&gt;&lt;n&gt;"},
		{name: "a context that may be nil", tmpl: `{{range .Data.Ctxs}}{{.Flash.notice}};{{end}}`,
			wantErr: `at <.Flash.notice>: nil pointer evaluating *view.Context.Flash`},
		{name: "method before field", tmpl: `{{range .Data.Meth}}{{.ID}}{{end}}`, wantOut: "method"},
		{name: "top-level fields only", tmpl: `{{range .Data.Posts}}{{.Title}}{{end}} {{.Data.Post.Title}}`, wantOut: "a&lt;bc&amp;d e"},
		{name: "behind the data's pointer", tmpl: `{{.Data.Post.ID}}`, wantOut: "4"},
		{name: "interface elements", tmpl: `{{range .Data.Any}}{{.ID}};{{end}}`, wantOut: "6;7;"},
		{name: "nil pointer element", tmpl: `{{range .Data.Ptrs}}{{.ID}};{{end}}`,
			wantErr: `at <.ID>: nil pointer evaluating *view.promPost.ID`},
		{name: "nil embedded pointer", tmpl: `{{range .Data.PE}}{{.ID}};{{end}}`,
			wantErr: `at <.ID>: reflect: indirection through nil pointer to embedded struct field PromModel`},
		{name: "with arguments", tmpl: `{{range .Data.Posts}}{{.ID 1}}{{end}}`,
			wantErr: `at <.ID>: ID has arguments but cannot be invoked as function`},
		{name: "piped into", tmpl: `{{range .Data.Posts}}{{1 | .ID}}{{end}}`,
			wantErr: `at <.ID>: ID has arguments but cannot be invoked as function`},
		{name: "through an unexported embedding", tmpl: `{{range .Data.Posts}}{{.Secret}}{{end}}`, wantOut: "ss"},
		{name: "missing field", tmpl: `{{range .Data.Posts}}{{.Nope}}{{end}}`,
			wantErr: `at <.Nope>: can't evaluate field Nope in type view.promPost`},
		{name: "variable", tmpl: `{{range $p := .Data.Posts}}{{$p.ID}}{{end}}`, wantOut: "12"},
		{name: "template called with another dot", tmpl: `{{define "item"}}{{.ID}}{{end}}{{range .Data.Posts}}{{template "item" .}}{{end}}`, wantOut: "12"},
		{name: "template also called with another dot", tmpl: `{{define "x"}}{{range .Data.Posts}}{{.ID}}{{end}}{{end}}{{template "x" .}}|{{template "x" .Data.O}}`,
			wantOut: "12|11"},
		{name: "called by a template called with another dot", tmpl: `{{define "y"}}{{range .Data.Posts}}{{.ID}}{{end}}{{end}}{{define "x"}}{{template "y" .}}{{end}}{{template "x" .}}|{{template "x" .Data.O}}`,
			wantOut: "12|11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			format := tt.format
			if format == "" {
				format = "html"
			}
			file := "posts/index." + format + ".tmpl"
			s := newSet(t, map[string]string{file: tt.tmpl})
			o := Options{Controller: "posts", Template: "index", Format: format, Data: promFixture(),
				Helpers: Helpers{Flash: map[string]string{"notice": "<n>", "alert": "a"}}}
			want, wantErr := renderGeneric(t, s, o)
			got, err := render(t, s, o)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("compiled for the data's type: %q, %v\nfor any data: %q, %v", got, err, want, wantErr)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil || got != tt.wantOut {
				t.Fatalf("got %q, %v; want %q", got, err, tt.wantOut)
			}
			u, err := s.unitFor(o)
			if err != nil {
				t.Fatal(err)
			}
			if u.promoted != tt.promoted {
				t.Errorf("%d fields named by their path, want %d", u.promoted, tt.promoted)
			}
		})
	}
}

// TestPromotedFieldsPerDataType: the same view rendered with two types of
// Data has a unit for each; neither's rewrite leaks into the other's.
func TestPromotedFieldsPerDataType(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{"posts/index.html.tmpl": `{{range .Data.Posts}}{{.ID}};{{end}}`})
	other := &struct{ Posts []promOther }{Posts: []promOther{{PromBase{ID: 7}}}}
	for range 2 {
		for _, c := range []struct {
			data any
			want string
		}{{promFixture(), "1;2;"}, {other, "7;"}, {map[string]any{"Posts": []promPost{{PromModel: PromModel{ID: 3}}}}, "3;"}} {
			got, err := render(t, s, Options{Controller: "posts", Template: "index", Data: c.data})
			if err != nil || got != c.want {
				t.Errorf("%T: %q, %v; want %q", c.data, got, err, c.want)
			}
		}
	}
}

func TestPromotedChain(t *testing.T) {
	t.Parallel()
	post := reflect.TypeFor[promPost]()
	tests := []struct {
		dot    reflect.Type
		idents []string
		nonNil bool
		want   []string
	}{
		{post, []string{"ID"}, false, []string{"PromModel", "ID"}},
		{post, []string{"At"}, false, nil}, // through an unexported embedding
		{post, []string{"Stamp", "At"}, false, []string{"PromModel", "Stamp", "At"}},
		{post, []string{"Title"}, false, nil},
		{post, []string{"PromModel", "ID"}, false, nil},
		{reflect.PointerTo(post), []string{"ID"}, false, nil},
		{reflect.TypeFor[promMeth](), []string{"ID"}, false, nil},
		{reflect.TypeFor[promPtr](), []string{"ID"}, false, nil},
		{reflect.TypeFor[promDeep](), []string{"Post", "ID"}, false, []string{"Post", "PromModel", "ID"}},
		{reflect.TypeFor[map[string]promPost](), []string{"ID"}, false, nil},
		{nil, []string{"ID"}, false, nil},
		{reflect.PointerTo(post), []string{"ID"}, true, []string{"PromModel", "ID"}},
		{contextType, []string{"Flash", "notice"}, true, []string{"Helpers", "Flash", "notice"}},
		{contextType, []string{"Flash", "notice"}, false, nil},
		{contextType, []string{"Flash", "notice", "x"}, true, nil},
		{contextType, []string{"Locals", "post"}, true, nil}, // nothing promoted
	}
	for _, tt := range tests {
		got, ok := promotedChain(tt.dot, tt.idents, tt.nonNil)
		if ok != (tt.want != nil) || ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("promotedChain(%v, %v) = %v, %v; want %v", tt.dot, tt.idents, got, ok, tt.want)
		}
	}
}

// TestCheckDataWarmsTheTypedUnit: CheckData, called at boot with the
// struct type a controller's views see, compiles the unit its renders use
// (Data is a pointer to that struct), so the first request compiles
// nothing.
func TestCheckDataWarmsTheTypedUnit(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": `[{{template "content" .}}]`,
		"posts/index.html.tmpl":         `{{range .Data.Posts}}{{.ID}}{{end}}`,
	})
	if err := s.CheckData("posts", reflect.TypeFor[promData](), "PostsController"); err != nil {
		t.Fatal(err)
	}
	view, _ := s.file("posts/index.html.tmpl")
	lay, _ := s.file("layouts/application.html.tmpl")
	s.mu.RLock()
	checked := s.units[pairKey("posts", "html", view, lay, reflect.TypeFor[*promData]())]
	s.mu.RUnlock()
	o := Options{Controller: "posts", Template: "index", Data: promFixture()}
	u, err := s.unitFor(o)
	if err != nil || checked == nil || u != checked || u.promoted != 1 {
		t.Fatalf("Render compiled again after CheckData (checked %p, rendered %p, %v)", checked, u, err)
	}
	if got, err := render(t, s, o); got != "[12]" || err != nil {
		t.Errorf("got %q, %v", got, err)
	}
}

// FuzzPromotedFields renders a template with the unit compiled for the
// Data's type and with the unit for any Data: the output, or the error,
// must be the same.
func FuzzPromotedFields(f *testing.F) {
	for _, s := range []string{
		`{{range .Data.Posts}}{{.ID}} {{.At}} {{.Stamp.At}} {{.Title}};{{end}}`,
		`{{with .Data.Post}}{{.ID}}{{end}} {{range .Data.Deep}}{{.Post.ID}}{{end}}`,
		`{{range .Data.Map}}{{.ID}}{{end}}{{range .Data.Meth}}{{.ID}}{{end}}`,
		`{{range .Data.Ptrs}}{{.ID}};{{end}}`,
		`{{range .Data.PE}}{{.ID}};{{end}}`,
		`{{range .Data.Posts}}{{.ID 1}}{{end}}`,
		`{{define "x"}}{{range .Data.Posts}}{{.ID}}{{end}}{{end}}{{template "x" .}}|{{template "x" .Data.O}}`,
		`{{.Flash.notice}}|{{$.Flash.alert}}|{{range .Data.Ctxs}}{{.Flash.notice}}{{end}}`,
		`<a href="/p/{{with .Data.Post}}{{.ID}}{{end}}" title="{{.Flash.notice}}">`,
	} {
		f.Add(s)
	}
	longRange := regexp.MustCompile(`range[^}]*[0-9]`)
	pointers := regexp.MustCompile(`0x[0-9a-f]+`)
	f.Fuzz(func(t *testing.T, tmpl string) {
		if len(tmpl) > 300 || longRange.MatchString(tmpl) {
			return
		}
		s := newSet(t, map[string]string{"posts/index.html.tmpl": tmpl})
		if _, err := s.file("posts/index.html.tmpl"); err != nil {
			return // does not parse
		}
		o := Options{Controller: "posts", Template: "index", Data: promFixture(),
			Helpers: Helpers{Flash: map[string]string{"notice": "<n>", "alert": "a"}}}
		if _, err := s.unitFor(o); err != nil {
			return // does not compile (a missing partial): nothing renders
		}
		want, wantErr := renderGeneric(t, s, o)
		got, err := render(t, s, o)
		// A value printed whole ({{.}} of the Context, or in an error)
		// shows pointers, which differ from one render to the next.
		same := func(a, b string) bool {
			return pointers.ReplaceAllString(a, "0x") == pointers.ReplaceAllString(b, "0x")
		}
		if !same(got, want) || !same(fmt.Sprint(err), fmt.Sprint(wantErr)) {
			t.Fatalf("%s\ncompiled for the data's type: %q, %v\nfor any data: %q, %v", tmpl, got, err, want, wantErr)
		}
	})
}
