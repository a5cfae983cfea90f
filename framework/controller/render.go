package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/gorails/gorails/framework/view"
	"github.com/gorails/gorails/internal/railsjson"
)

// ErrMissingTemplate is returned by an action that rendered nothing and has
// no view, for a browser's GET of an HTML page (other requests get 204 No
// Content, as in Rails). It wraps view.ErrTemplateNotFound.
var ErrMissingTemplate = fmt.Errorf("action rendered nothing and has no template: %w", view.ErrTemplateNotFound)

// ErrControllerAsData is returned by Render given a controller as its
// Data: views get data, never a controller, whose methods they could call.
var ErrControllerAsData = errors.New("a view's data cannot be a controller; pass its fields (Data(c.Post)) or render without Data to give the view the controller's exported fields")

// ErrNoViews is returned by Render when Env.Views is nil.
var ErrNoViews = errors.New("controller: no view set (Env.Views is nil)")

// RenderOption changes what Render renders.
type RenderOption func(*renderOpts)

type renderOpts struct {
	view.Options
	status   int
	explicit bool // Data was given
}

// Template renders another template, such as "edit" (in this controller's
// folder) or "posts/edit".
func Template(name string) RenderOption {
	return func(o *renderOpts) { o.Template = name }
}

// Layout renders inside the named layout instead of the conventional one.
func Layout(name string) RenderOption { return func(o *renderOpts) { o.Layout = name } }

// NoLayout renders the template alone.
func NoLayout() RenderOption { return func(o *renderOpts) { o.NoLayout = true } }

// Status sets the response status (default 200).
func Status(code int) RenderOption { return func(o *renderOpts) { o.status = code } }

// Data renders with data as the view's .Data instead of the controller's
// exported fields. data must not be a controller: a view never gets one
// (it could call the controller's methods).
func Data(data any) RenderOption { return func(o *renderOpts) { o.Data, o.explicit = data, true } }

// Format renders the template for another format, such as "json".
func Format(f string) RenderOption { return func(o *renderOpts) { o.Format = f } }

// Render renders a view inside its layout: by default the action's template
// (app/views/<controller>/<action>.<format>.tmpl, format from the request)
// with the controller's exported fields as the view's data, so what the
// action assigned is what the view reads ({{.Data.Posts}}), and no method
// of the controller is callable from the view. The response is written
// only when rendering succeeded, so a template error becomes an error page,
// not half a page. Render at most once per action: a second render or
// redirect returns an error wrapping ErrDoubleRender.
func (b *Base) Render(opts ...RenderOption) error {
	if err := b.perform(); err != nil {
		return err
	}
	o := renderOpts{status: http.StatusOK}
	o.Controller = b.action.Controller
	o.Template = b.action.Name
	o.Format = b.format()
	for _, opt := range opts {
		opt(&o)
	}
	if !o.explicit {
		o.Data = b.data()
	} else if _, ok := o.Data.(embedsBase); ok {
		b.performed = false
		return fmt.Errorf("%s#%s: render with Data(%T): %w", b.action.Controller, b.action.Name, o.Data, ErrControllerAsData)
	}
	if !strings.Contains(o.Template, "/") {
		o.Template = b.action.Controller + "/" + o.Template
	}
	if b.env.Views == nil {
		b.performed = false
		return fmt.Errorf("%s#%s: render %s: %w", b.action.Controller, b.action.Name, o.Template, ErrNoViews)
	}
	o.Helpers = b.helpers()
	b.out = bodyWriter{w: b.w, status: o.status, contentType: contentType(o.Format), types: b.act.types()}
	if err := b.env.Views.RenderContext(b.req.Context(), &b.out, o.Options); err != nil {
		if !b.out.wrote {
			b.performed = false // nothing went out: a rescue handler may still answer
		}
		return fmt.Errorf("%s#%s: render %s: %w", b.action.Controller, b.action.Name, o.Template, err)
	}
	if !b.out.wrote { // an empty template
		b.out.writeHeader()
	}
	return nil
}

// implicitRender renders the action's view when the action performed
// nothing. Without a view: an error for a browser's GET of an HTML page, 204
// No Content otherwise (Rails' ImplicitRender).
func (b *Base) implicitRender() error {
	err := b.Render()
	if err == nil || !errors.Is(err, view.ErrTemplateNotFound) || b.performed {
		return err
	}
	r := b.req.HTTP()
	if r.Method == http.MethodGet && b.format() == "html" && r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		return fmt.Errorf("%s#%s: %w: %w", b.action.Controller, b.action.Name, ErrMissingTemplate, err)
	}
	b.log.Info("no template found, rendering head :no_content", "action", b.action.String())
	return b.Head(http.StatusNoContent)
}

// bodyWriter sets the headers and status of a render on its first write.
// view.Set.Render writes once, after the whole page rendered, so a failed
// render writes nothing.
type bodyWriter struct {
	w           http.ResponseWriter
	status      int
	contentType string
	types       *sharedTypes
	wrote       bool
}

func (bw *bodyWriter) writeHeader() {
	bw.wrote = true
	h := bw.w.Header()
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = bw.types.get(bw.contentType)
	}
	bw.w.WriteHeader(bw.status)
}

func (bw *bodyWriter) Write(p []byte) (int, error) {
	if !bw.wrote {
		bw.writeHeader()
	}
	return bw.w.Write(p)
}

// HTML writes markup the app trusts as HTML with the given status. The type
// says it: a string from a user must go through a template, which escapes.
func (b *Base) HTML(status int, html template.HTML) error {
	return b.writeString(status, "text/html; charset=utf-8", string(html))
}

// JSON writes v as JSON with the given status, without a trailing newline
// (Rails' render json: sends none). It is encoding/json's but for times,
// which are Rails' (ISO 8601 with milliseconds and the zone:
// "2026-12-05T10:31:02.123Z").
//
// It encodes v as json.Marshal does (HTML characters escaped) into
// encoding/json's own pooled buffer, which goes to the response as it is:
// no copy of the body. Nothing is written when v does not encode.
func (b *Base) JSON(status int, v any) error {
	b.jw = jsonWriter{b: b, status: status}
	err := json.NewEncoder(&b.jw).Encode(railsjson.Value(v))
	if werr := b.jw.err; werr != nil || b.jw.wrote {
		return werr
	}
	if err != nil {
		return fmt.Errorf("%s#%s: render json: %w", b.action.Controller, b.action.Name, err)
	}
	return nil
}

// jsonWriter receives a json.Encoder's one write of a value that encoded
// (the Encoder writes nothing for one that does not) and writes it as the
// response without the Encoder's trailing newline.
type jsonWriter struct {
	b      *Base
	status int
	wrote  bool
	err    error
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	j.wrote = true
	body := p
	if n := len(body); n > 0 && body[n-1] == '\n' {
		body = body[:n-1]
	}
	if j.err = j.b.write(j.status, "application/json; charset=utf-8", body); j.err != nil {
		return 0, j.err
	}
	return len(p), nil
}

// Text writes s as plain text with the given status.
func (b *Base) Text(status int, s string) error {
	return b.writeString(status, "text/plain; charset=utf-8", s)
}

// writeString is write of a string, through io.WriteString: no copy of the
// body when the writer takes strings (the default stack's ETag buffer,
// net/http's).
func (b *Base) writeString(status int, ctype, body string) error {
	if err := b.writeHeader(status, ctype); err != nil {
		return err
	}
	_, err := io.WriteString(b.w, body)
	return err
}

// writeHeader performs, and writes the status with ctype's shared values.
func (b *Base) writeHeader(status int, ctype string) error {
	if err := b.perform(); err != nil {
		return err
	}
	b.w.Header()["Content-Type"] = b.act.types().get(ctype)
	b.w.WriteHeader(status)
	return nil
}

func (b *Base) write(status int, ctype string, body []byte) error {
	if err := b.writeHeader(status, ctype); err != nil {
		return err
	}
	_, err := b.w.Write(body)
	return err
}

// Head answers with a status and no body.
func (b *Base) Head(status int) error {
	if err := b.perform(); err != nil {
		return err
	}
	b.w.WriteHeader(status)
	return nil
}

// sharedTypes holds the Content-Type header values of the renderers'
// formats, one values slice each, made once per compiled action and set
// as they are in every response's header map: Header().Set would make a
// slice per response. A slice may be in many responses at once, so it
// must never change: each has length 1 and capacity 1, so a later
// Header().Add appends to a copy, and Header().Set replaces it; nothing in
// gorails writes to a header's values in place (Set-Cookie's are never
// shared), and an app must not either.
type sharedTypes struct {
	values [5][]string
}

func newSharedTypes() *sharedTypes {
	s := &sharedTypes{}
	for i, f := range [...]string{"html", "json", "text", "xml", "js"} {
		s.values[i] = []string{contentType(f)} // length 1, capacity 1
	}
	return s
}

// get returns the shared values of ctype, or new ones for another type
// (or without shared ones: a nil s).
func (s *sharedTypes) get(ctype string) []string {
	if s != nil {
		for _, v := range s.values {
			if v[0] == ctype {
				return v
			}
		}
	}
	return []string{ctype}
}

func contentType(format string) string {
	switch format {
	case "json":
		return "application/json; charset=utf-8"
	case "text", "txt":
		return "text/plain; charset=utf-8"
	case "xml":
		return "application/xml; charset=utf-8"
	case "js":
		return "text/javascript; charset=utf-8"
	default:
		return "text/html; charset=utf-8"
	}
}
