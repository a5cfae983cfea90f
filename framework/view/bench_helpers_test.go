package view

import (
	"bytes"
	"html/template"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// plainTruncate is what a Go developer writes by hand (the blog benchmark's
// plain server): the first n-3 characters and "...".
func plainTruncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for range max(n-3, 0) {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return s[:cut] + "..."
}

// BenchmarkTruncate cuts 20 bodies (40 to 600 characters, some of them
// multi-byte, as the blog benchmark's) to 100 characters: the truncate
// helper as a view calls it (no options), and the hand-written loop.
func BenchmarkTruncate(b *testing.B) {
	bodies := make([]string, 20)
	for i := range bodies {
		bodies[i] = strings.Repeat("Ünïcode & <b>text</b>, 'quoted' ", 20)[:40+i*28]
		if !utf8.ValidString(bodies[i]) {
			bodies[i] = strings.ToValidUTF8(bodies[i], "")
		}
		got, _ := truncate(bodies[i], 100)
		if want := plainTruncate(bodies[i], 100); got != want {
			b.Fatalf("truncate(%q) = %q, plain %q", bodies[i], got, want)
		}
	}
	b.Run("truncate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range bodies {
				if _, err := truncate(s, 100); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("raw/plain-loop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range bodies {
				_ = plainTruncate(s, 100)
			}
		}
	})
}

// BenchmarkHelperCalls renders the blog's list page body (20 rows, each a
// link by a route helper and a truncated body, through html/template's
// escaping) three ways: "fixed" is a view.Set compiling the calls to the
// fixed-arity forms (route helpers as dispatch.RouteHelpers.Funcs makes
// them: a variadic one and its __1 form), "variadic" is the same Set with
// the variadic helpers only (the cost before), and "raw/html-template" is
// hand-written html/template calling func(int) string and func(string,
// int) string, as the blog benchmark's plain server does. It leaves out
// the layout and the promoted-field lookup of a record model.
func BenchmarkHelperCalls(b *testing.B) {
	type row struct {
		ID   int
		Body string
	}
	rows := make([]row, 20)
	for i := range rows {
		rows[i] = row{ID: 480 + i, Body: strings.Repeat("Ünïcode & <b>text</b>, 'quoted' ", 20)[:40+i*28]}
		rows[i].Body = strings.ToValidUTF8(rows[i].Body, "")
	}
	rowPath := func(id int) string { return "/posts/" + strconv.Itoa(id) }
	variadic := func(args ...any) (string, error) { return rowPath(args[0].(int)), nil }
	const body = `{{range .}}<li><a href="{{post_path .ID}}">x</a>: {{truncate .Body 100}}</li>{{end}}`
	newSet := func(funcs map[string]any) *Set {
		s, err := New(Config{FS: mapFS(map[string]string{"posts/index.html.tmpl": strings.ReplaceAll(body, "{{range .}}", "{{range .Data}}")}), Funcs: funcs})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	fixed := newSet(map[string]any{"post_path": variadic, FixedArity("post_path", 1): func(a any) string { return rowPath(a.(int)) }})
	slow := newSet(map[string]any{"post_path": variadic})
	delete(slow.funcs, FixedArity("truncate", 2)) // the variadic truncate, as before
	raw := template.Must(template.New("t").Funcs(template.FuncMap{"post_path": rowPath, "truncate": plainTruncate}).Parse(body))
	var want bytes.Buffer
	if err := raw.Execute(&want, rows); err != nil {
		b.Fatal(err)
	}
	opts := Options{Controller: "posts", Template: "index", Layout: "", NoLayout: true, Data: rows}
	for _, s := range []*Set{fixed, slow} {
		var got bytes.Buffer
		if err := s.Render(&got, opts); err != nil || got.String() != want.String() {
			b.Fatalf("render = %q, %v; want %q", got.String(), err, want.String())
		}
	}
	for _, c := range []struct {
		name string
		run  func(w io.Writer) error
	}{
		{"fixed", func(w io.Writer) error { return fixed.Render(w, opts) }},
		{"variadic", func(w io.Writer) error { return slow.Render(w, opts) }},
		{"raw/html-template", func(w io.Writer) error { return raw.Execute(w, rows) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := c.run(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
