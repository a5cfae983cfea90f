package framework

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrNoMiddleware is returned when an operation names a middleware that is not in the stack.
var ErrNoMiddleware = errors.New("no such middleware")

// ErrDuplicateMiddleware is returned when a name is used twice in one stack.
var ErrDuplicateMiddleware = errors.New("middleware already in the stack")

// Middleware is a named net/http middleware. Any func(http.Handler)
// http.Handler works, so chi's and the standard library's middleware can be
// used unchanged; the name is how the stack finds it (Go funcs cannot be
// compared, so Rails' lookup by class becomes lookup by name).
type Middleware struct {
	Name string
	Func func(http.Handler) http.Handler
}

// Stack is an ordered middleware stack like Rails' ActionDispatch::MiddlewareStack:
// the first middleware is the outermost. Its zero value is an empty stack. It
// is not safe for concurrent use: it is built before boot, then compiled once
// by Build.
type Stack struct {
	list []Middleware
}

// Use appends a middleware at the inside end of the stack.
func (s *Stack) Use(name string, mw func(http.Handler) http.Handler) error {
	return s.insert(len(s.list), name, mw)
}

// InsertBefore inserts a middleware just outside the one named target.
func (s *Stack) InsertBefore(target, name string, mw func(http.Handler) http.Handler) error {
	i, err := s.find(target)
	if err != nil {
		return err
	}
	return s.insert(i, name, mw)
}

// InsertAfter inserts a middleware just inside the one named target.
func (s *Stack) InsertAfter(target, name string, mw func(http.Handler) http.Handler) error {
	i, err := s.find(target)
	if err != nil {
		return err
	}
	return s.insert(i+1, name, mw)
}

// Swap replaces the middleware named target, keeping its name and place.
func (s *Stack) Swap(target string, mw func(http.Handler) http.Handler) error {
	if mw == nil {
		return fmt.Errorf("swap %q: nil middleware", target)
	}
	i, err := s.find(target)
	if err != nil {
		return err
	}
	s.list[i].Func = mw
	return nil
}

// Delete removes the middleware named target.
func (s *Stack) Delete(target string) error {
	i, err := s.find(target)
	if err != nil {
		return err
	}
	s.list = append(s.list[:i], s.list[i+1:]...)
	return nil
}

// Names lists the middleware from the outermost to the innermost.
func (s *Stack) Names() []string {
	names := make([]string, len(s.list))
	for i, m := range s.list {
		names[i] = m.Name
	}
	return names
}

// String prints the stack like `rails middleware`: one "use NAME" line per
// middleware, outermost first.
func (s *Stack) String() string {
	var b strings.Builder
	for _, m := range s.list {
		fmt.Fprintf(&b, "use %s\n", m.Name)
	}
	return b.String()
}

// Build wraps endpoint in the stack, the first middleware outermost.
func (s *Stack) Build(endpoint http.Handler) http.Handler {
	h := endpoint
	for i := len(s.list) - 1; i >= 0; i-- {
		h = s.list[i].Func(h)
	}
	return h
}

func (s *Stack) insert(i int, name string, mw func(http.Handler) http.Handler) error {
	if name == "" || mw == nil {
		return fmt.Errorf("middleware needs a name and a function (got name %q)", name)
	}
	if _, err := s.find(name); err == nil {
		return fmt.Errorf("middleware %q: %w", name, ErrDuplicateMiddleware)
	}
	s.list = append(s.list, Middleware{})
	copy(s.list[i+1:], s.list[i:])
	s.list[i] = Middleware{Name: name, Func: mw}
	return nil
}

func (s *Stack) find(name string) (int, error) {
	for i, m := range s.list {
		if m.Name == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("middleware %q: %w", name, ErrNoMiddleware)
}
