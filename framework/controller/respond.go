package controller

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrUnknownFormat is wrapped by the 406 Not Acceptable error of RespondTo
// when the action has no answer for the request's format.
var ErrUnknownFormat = errors.New("unknown format")

// Formats are an action's answers per format, for RespondTo. A nil field is
// a format the action does not serve.
type Formats struct {
	HTML func() error
	JSON func() error
	Text func() error
	// Other holds more formats by name ("xml", "csv").
	Other map[string]func() error
}

func (f *Formats) lookup(format string) func() error {
	switch format {
	case "html":
		return f.HTML
	case "json":
		return f.JSON
	case "text", "txt":
		return f.Text
	}
	return f.Other[format]
}

// RespondTo runs the answer for the request's format (Rails' respond_to):
//
//	return c.RespondTo(controller.Formats{
//		HTML: func() error { return nil }, // the view, by convention
//		JSON: func() error { return c.JSON(200, c.Post) },
//	})
//
// A format without an answer is an error with status 406 Not Acceptable
// wrapping ErrUnknownFormat. An answer that renders nothing renders the
// view, in that format, by convention.
func (b *Base) RespondTo(f Formats) error {
	format := b.format()
	fn := f.lookup(format)
	if fn == nil {
		return &StatusError{Code: http.StatusNotAcceptable,
			Err: fmt.Errorf("%s#%s: %w %q", b.action.Controller, b.action.Name, ErrUnknownFormat, format)}
	}
	return fn()
}

// format is the request's format, as dispatch negotiates it (Rails'
// rules): the format param (/posts/1.json, ?format=json), else the Accept
// header by q-value unless it is a browser's (*/* among several types),
// else "html". See dispatch.Request.Format.
func (b *Base) format() string { return b.req.Format() }

// Format returns the request's format, as Render and RespondTo use it.
func (b *Base) Format() string { return b.format() }
