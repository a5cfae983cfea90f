package mail

import (
	"context"
	"errors"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"path"
	texttemplate "text/template"
)

// Renderer renders one part of a message from a template: the seam the
// view package fills (the framework adapts its view set to it). A
// template that does not exist in t.Format must return an error matching
// fs.ErrNotExist: that part is then left out (a mail with only a text
// view is text only). A layout missing in a format renders the view
// without one. Any other error fails the delivery.
type Renderer interface {
	RenderMail(ctx context.Context, w io.Writer, t Template) error
}

// RenderFunc adapts a function to Renderer.
type RenderFunc func(ctx context.Context, w io.Writer, t Template) error

// RenderMail calls f.
func (f RenderFunc) RenderMail(ctx context.Context, w io.Writer, t Template) error {
	return f(ctx, w, t)
}

// Template is what a Renderer renders.
type Template struct {
	Name   string // "user_mailer/password_reset"
	Format string // "text" or "html"
	Layout string // "mailer"; empty for none
	// Data is the message's Data, {{.Data}} in the template.
	Data any
	// Message is the message so far (its Subject, To, ...), read-only.
	Message *Message
}

// Templates returns a Renderer over Go templates in fsys, for apps and
// tests without the view package: <Name>.<Format>.tmpl executed inside
// layouts/<Layout>.<Format>.tmpl, which yields with {{template "content" .}}.
// The html format uses html/template (escaped), text uses text/template.
// The template's dot is the Template: {{.Data.User.Name}},
// {{.Message.Subject}}. Files are read on every render, so edits show at
// once; mail is not a hot path.
func Templates(fsys fs.FS) Renderer { return fsRenderer{fsys} }

type fsRenderer struct{ fsys fs.FS }

func (r fsRenderer) RenderMail(_ context.Context, w io.Writer, t Template) error {
	view, err := fs.ReadFile(r.fsys, t.Name+"."+t.Format+".tmpl")
	if err != nil {
		return err
	}
	var layout []byte
	if t.Layout != "" {
		layout, err = fs.ReadFile(r.fsys, path.Join("layouts", t.Layout+"."+t.Format+".tmpl"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	root := "content"
	if layout != nil {
		root = "layout"
	}
	if t.Format == "html" {
		tmpl := htmltemplate.New(root)
		if layout != nil {
			if tmpl, err = tmpl.Parse(string(layout)); err != nil {
				return err
			}
		}
		if _, err = tmpl.New("content").Parse(string(view)); err != nil {
			return err
		}
		return tmpl.ExecuteTemplate(w, root, t)
	}
	tmpl := texttemplate.New(root)
	if layout != nil {
		if tmpl, err = tmpl.Parse(string(layout)); err != nil {
			return err
		}
	}
	if _, err = tmpl.New("content").Parse(string(view)); err != nil {
		return err
	}
	return tmpl.ExecuteTemplate(w, root, t)
}
