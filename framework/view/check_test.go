package view

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckReportsFileAndLine(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": "<html>\n{{template \"content\" .}}\n</html>",
		"posts/index.html.tmpl":         "ok\n{{.Data}}",
		"posts/bad.html.tmpl":           "line 1\nline 2\n{{if}}\n",
		"posts/nofunc.html.tmpl":        "\n{{shout .Data}}",
		"posts/escape.html.tmpl":        "a\nb\n{{if .Data}}<a href=\"{{end}}\">",
		"posts/partial.html.tmpl":       "\n\n\n{{render . \"missing\"}}",
		"posts/_ok.html.tmpl":           "{{.Locals.x}}",
		"layouts/broken.html.tmpl":      "{{template \"content\" .}}{{end}}",
		"posts/data.json.tmpl":          "{{json .Data}}",
	})
	err := s.Check()
	if !errors.Is(err, ErrInvalidTemplate) {
		t.Fatalf("Check() = %v, want ErrInvalidTemplate", err)
	}
	got := err.Error()
	t.Log(got)
	for _, want := range []string{
		"posts/bad.html.tmpl:3: missing value for if",
		`posts/nofunc.html.tmpl:2: function "shout" not defined`,
		"posts/escape.html.tmpl:3: {{if}} branches end in different contexts",
		`posts/partial.html.tmpl:4: partial "missing" not found`,
		`layouts/broken.html.tmpl:1: unexpected {{end}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Check() lacks %q in:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 5 {
		t.Errorf("Check() reported %d errors, want 5:\n%s", n, got)
	}
	var te *TemplateError
	if !errors.As(err, &te) || te.Line == 0 || te.File == "" {
		t.Errorf("errors.As(*TemplateError) = %+v", te)
	}
}

func TestCheckPassesAValidTree(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": `{{template "content" .}}`,
		"posts/index.html.tmpl":         `{{range .Data.Posts}}{{link_to .Title (post_path .ID)}}{{end}}`,
		"posts/_form.html.tmpl":         `{{with form_with $ .Locals.post}}{{.Begin}}{{.End}}{{end}}`,
	})
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestRenderReportsParseErrors(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{"posts/bad.html.tmpl": "\n{{.Data"})
	_, err := render(t, s, Options{Controller: "posts", Template: "bad"})
	var te *TemplateError
	if !errors.As(err, &te) || te.File != "posts/bad.html.tmpl" || te.Line != 2 {
		t.Fatalf("err = %v (%+v), want a TemplateError at posts/bad.html.tmpl:2", err, te)
	}
}

func TestCheckWarmsTheCache(t *testing.T) {
	t.Parallel()
	s := newSet(t, map[string]string{
		"layouts/application.html.tmpl": `[{{template "content" .}}]`,
		"posts/index.html.tmpl":         `x`,
	})
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	view, _ := s.file("posts/index.html.tmpl")
	lay, _ := s.file("layouts/application.html.tmpl")
	s.mu.RLock()
	checked := s.units[pairKey("posts", "html", view, lay, nil)]
	s.mu.RUnlock()
	u, err := s.unitFor(Options{Controller: "posts", Template: "index"})
	if err != nil || checked == nil || u != checked {
		t.Errorf("Render compiled again after Check (checked %p, rendered %p, %v)", checked, u, err)
	}
	if got, err := render(t, s, Options{Controller: "posts", Template: "index"}); got != "[x]" || err != nil {
		t.Errorf("got %q, %v", got, err)
	}
}
