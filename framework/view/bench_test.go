package view

import (
	"bytes"
	"html/template"
	"strconv"
	"testing"
	"time"
)

type benchItem struct {
	ID    int
	Name  string
	Price string
}

type benchData struct{ Items []*benchItem }

func benchItems() benchData {
	var d benchData
	for i := range 20 {
		d.Items = append(d.Items, &benchItem{ID: i + 1, Name: "Item <" + string(rune('A'+i)) + "> & co", Price: "9.99"})
	}
	return d
}

const (
	benchLayout = `<!DOCTYPE html><html><head><title>{{block "title" .}}Shop{{end}}</title></head><body>{{template "content" .}}</body></html>`
	benchItemT  = `<li id="item_{{.ID}}"><a href="/items/{{.ID}}">{{.Name}}</a> {{.Price}}</li>`
)

// benchSet is gorails: a layout, a view and a collection partial.
func benchSet(b *testing.B) *Set {
	return newSet(b, map[string]string{
		"layouts/application.html.tmpl": benchLayout,
		"items/index.html.tmpl":         `{{define "title"}}Items{{end}}<h1>Items</h1><ul>{{render_collection . "item" .Data.Items}}</ul>`,
		"items/_item.html.tmpl":         `{{with .Locals.item}}` + benchItemT + `{{end}}`,
		"items/locals.html.tmpl":        `{{define "title"}}Items{{end}}<h1>Items</h1><ul>{{render_collection . "row" .Data.Items}}</ul>`,
		"items/_row.html.tmpl":          `<li id="item_{{.Locals.row.ID}}"><a href="/items/{{.Locals.row.ID}}">{{.Locals.row.Name}}</a> {{.Locals.row.Price}}</li>`,
		"items/native.html.tmpl":        `{{define "title"}}Items{{end}}<h1>Items</h1><ul>{{range .Data.Items}}{{template "items/_item" (locals $ "item" .)}}{{end}}</ul>`,
	})
}

// baseline is the hand-written plain html/template producing the same bytes.
func baseline(b *testing.B) *template.Template {
	t := template.Must(template.New("layout").Parse(benchLayout))
	template.Must(t.New("content").Parse(`{{define "title"}}Items{{end}}<h1>Items</h1><ul>{{range .Items}}{{template "item" .}}{{end}}</ul>`))
	template.Must(t.New("item").Parse(benchItemT))
	return t
}

// BenchmarkRender renders 20 items with a partial inside a layout through
// view.Set and through a hand-written html/template doing the same bytes.
// The view.Set variants: render_collection with a partial reading its local
// once ({{with .Locals.item}}, the idiom), with a partial reading
// .Locals.row.X four times (each map access costs html/template two
// allocations), and a native {{template}} include with locals.
func BenchmarkRender(b *testing.B) {
	data := benchItems()
	s := benchSet(b)
	base := baseline(b)
	var want bytes.Buffer
	if err := base.ExecuteTemplate(&want, "layout", data); err != nil {
		b.Fatal(err)
	}
	for _, tmpl := range []string{"index", "locals", "native"} {
		var got bytes.Buffer
		if err := s.Render(&got, Options{Controller: "items", Template: tmpl, Data: data}); err != nil {
			b.Fatal(err)
		}
		if got.String() != want.String() {
			b.Fatalf("%s renders different bytes:\n got %s\nwant %s", tmpl, got.String(), want.String())
		}
	}
	run := func(name string, f func(*bytes.Buffer) error) {
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			b.SetBytes(int64(want.Len()))
			for b.Loop() {
				buf.Reset()
				if err := f(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("baseline_html_template", func(w *bytes.Buffer) error { return base.ExecuteTemplate(w, "layout", data) })
	run("gorails_render_collection", func(w *bytes.Buffer) error {
		return s.Render(w, Options{Controller: "items", Template: "index", Data: data})
	})
	run("gorails_render_collection_locals", func(w *bytes.Buffer) error {
		return s.Render(w, Options{Controller: "items", Template: "locals", Data: data})
	})
	run("gorails_native_template", func(w *bytes.Buffer) error {
		return s.Render(w, Options{Controller: "items", Template: "native", Data: data})
	})
}

// BenchModel stands for record.Model: embedded by value in every model.
type BenchModel struct {
	ID        int64
	CreatedAt time.Time
}

type benchPost struct {
	BenchModel
	Title string
}

type benchFlatPost struct {
	ID    int64
	Title string
}

// BenchmarkPromotedFields renders 20 models reading {{.ID}}, a field
// promoted from the embedded model struct, as a generated index does:
// through view.Set, which names it by its path (.BenchModel.ID), and
// through html/template on the same types (text/template searches the
// embedded structs for it on every read, and allocates) and on a struct
// declaring ID itself (the plain Go baseline: what the blog's plain
// server renders). All three write the same bytes.
func BenchmarkPromotedFields(b *testing.B) {
	const item = `<li><a href="/posts/{{.ID}}">{{.Title}}</a></li>`
	s := newSet(b, map[string]string{"posts/index.html.tmpl": `<ul>{{range .Data.Posts}}` + item + `{{end}}</ul>`})
	base := template.Must(template.New("index").Parse(`<ul>{{range .Posts}}` + item + `{{end}}</ul>`))
	var data struct{ Posts []benchPost }
	var flat struct{ Posts []benchFlatPost }
	for i := range 20 {
		data.Posts = append(data.Posts, benchPost{BenchModel: BenchModel{ID: int64(i + 1)}, Title: "Post <" + strconv.Itoa(i) + ">"})
		flat.Posts = append(flat.Posts, benchFlatPost{ID: int64(i + 1), Title: "Post <" + strconv.Itoa(i) + ">"})
	}
	o := Options{Controller: "posts", Template: "index", Data: &data}
	var want, got bytes.Buffer
	if err := base.Execute(&want, flat); err != nil {
		b.Fatal(err)
	}
	if err := s.Render(&got, o); err != nil || got.String() != want.String() {
		b.Fatalf("view.Set: %v\n got %s\nwant %s", err, got.String(), want.String())
	}
	got.Reset()
	if err := base.Execute(&got, data); err != nil || got.String() != want.String() {
		b.Fatalf("html/template on the models: %v", err)
	}
	run := func(name string, f func(*bytes.Buffer) error) {
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := f(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("baseline_html_template_flat", func(w *bytes.Buffer) error { return base.Execute(w, flat) })
	run("html_template_embedded", func(w *bytes.Buffer) error { return base.Execute(w, data) })
	run("gorails", func(w *bytes.Buffer) error { return s.Render(w, o) })
}
