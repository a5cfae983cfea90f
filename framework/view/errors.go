package view

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrTemplateNotFound: the view template of a Render has no file for the
	// format. Nothing was written. A controller's implicit render checks it.
	ErrTemplateNotFound = errors.New("view: template not found")
	// ErrLayoutNotFound: an explicitly named layout has no file.
	ErrLayoutNotFound = errors.New("view: layout not found")
	// ErrPartialNotFound: a partial named by render, render_collection or
	// {{template}} has no file.
	ErrPartialNotFound = errors.New("view: partial not found")
	// ErrInvalidTemplate: a template does not parse or cannot be escaped.
	// Its errors are *TemplateError values carrying file and line.
	ErrInvalidTemplate = errors.New("view: invalid template")
	// ErrInvalidName: a template, layout, partial or controller name that
	// is not a relative path inside the views: "..", an absolute path, an
	// empty element, a backslash, NUL or another control character.
	// Nothing is looked up; the error also matches the not-found error of
	// what was asked for (ErrTemplateNotFound, ...), so a name from a
	// request is a missing template, never a file outside app/views.
	ErrInvalidName = errors.New("view: invalid template name")
	// ErrInvalidConfig: New was given a Config it cannot work with.
	ErrInvalidConfig = errors.New("view: invalid config")
	// ErrHelper: a helper was called with arguments it cannot use (odd
	// attribute lists, unsafe attribute names, ...).
	ErrHelper = errors.New("view: helper misuse")
)

// TemplateError is a template problem at a place in a file. Its message
// reads "posts/index.html.tmpl:3: function "nope" not defined"; it matches
// ErrInvalidTemplate.
type TemplateError struct {
	File string // path inside the views FS
	Line int    // 0 when unknown
	Msg  string
	Err  error // a more precise sentinel, such as ErrPartialNotFound; may be nil
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Is makes a TemplateError match ErrInvalidTemplate.
func (e *TemplateError) Is(target error) bool { return target == ErrInvalidTemplate }

// Unwrap returns the more precise sentinel, if any.
func (e *TemplateError) Unwrap() error { return e.Err }

// parseLocated turns "template: file:3: msg" or "html/template:file:3:7: msg"
// into a TemplateError; fallback names the file when no location is found.
func parseLocated(msg, fallback string) *TemplateError {
	for _, p := range []string{"template: ", "html/template:"} {
		msg = strings.TrimPrefix(msg, p)
	}
	// file:line[:col]: message
	parts := strings.SplitN(msg, ": ", 2)
	if len(parts) == 2 {
		loc := strings.Split(parts[0], ":")
		if len(loc) >= 2 && loc[0] != "" {
			if line, err := strconv.Atoi(loc[1]); err == nil {
				return &TemplateError{File: loc[0], Line: line, Msg: parts[1]}
			}
		}
	}
	return &TemplateError{File: fallback, Msg: msg}
}

// Locate finds where in a template err happened: the *TemplateError in
// its chain that has a line, or the file and line text/template puts in an
// execution error. It returns nil when err names no place in a template.
// The development error page uses it to show the lines around the error.
func Locate(err error) *TemplateError {
	var te *TemplateError
	if errors.As(err, &te) && te.Line > 0 {
		return te
	}
	var ee texttemplate.ExecError
	if errors.As(err, &ee) {
		if te := parseLocated(ee.Err.Error(), ""); te.File != "" && te.Line > 0 {
			return te
		}
	}
	return nil
}
