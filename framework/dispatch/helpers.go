package dispatch

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// RouteHelper builds the path and the URL of one named route without a
// RouteSet. It is what the typed helpers `gorails generate routes` writes
// into an app (package app/routes: PostPath(id), PostURL(base, id)) call,
// and what [RouteHelpers.Funcs] gives templates. It is immutable and safe
// for concurrent use.
type RouteHelper struct {
	name   string
	rt     *route
	direct DirectFunc // a direct route's ([Mapper.Direct]); rt is nil
	// deferred: a direct route's helper made by NewDirectHelper, built by
	// the func given to FuncsWith (the app's drawn RouteSet); rt is nil.
	deferred bool
}

// NewDirectHelper is the helper of the direct route ([Mapper.Direct])
// named name, for generated code: its func lives in the app's routes, so
// its template functions (homepage_path, homepage_url) build it through
// the func given to [RouteHelpers.FuncsWith], which the framework points
// at the app's drawn RouteSet. Like NewRouteHelper, it panics on an
// invalid name.
func NewDirectHelper(name string) *RouteHelper {
	if !routeNamePattern.MatchString(name) {
		panic(fmt.Errorf("dispatch: direct helper %q: invalid name: %w", name, ErrInvalidRoute))
	}
	return &RouteHelper{name: name, deferred: true}
}

// Direct reports whether h is a direct route's helper ([Mapper.Direct]).
func (h *RouteHelper) Direct() bool { return h.direct != nil || h.deferred }

// NewRouteHelper compiles the helper of the route named name from its
// pattern as [RouteInfo] shows it ("/posts/:id(.:format)") and its path
// params' requirements as param, regexp pairs ("id", `\d+`). Generated code
// calls it with what the route set drew, so it panics on an invalid
// pattern, as regexp.MustCompile does: the program stops at start, naming
// the helper.
func NewRouteHelper(name, pattern string, requirements ...string) *RouteHelper {
	h, err := newRouteHelper(name, pattern, requirements)
	if err != nil {
		panic(err)
	}
	return h
}

func newRouteHelper(name, pattern string, requirements []string) (*RouteHelper, error) {
	fail := func(why string) error {
		return fmt.Errorf("dispatch: route helper %s (%s): %s: %w", name, pattern, why, ErrInvalidRoute)
	}
	if !routeNamePattern.MatchString(name) {
		return nil, fail("invalid name")
	}
	if len(requirements)%2 != 0 {
		return nil, fail("requirements must be param, regexp pairs")
	}
	rt := &route{name: name, format: formatNone}
	path := pattern
	if p, ok := strings.CutSuffix(pattern, "(.:format)"); ok {
		path, rt.format = p, formatOptional
	} else if p, ok := strings.CutSuffix(pattern, ".:format"); ok {
		path, rt.format = p, formatRequired
	}
	if err := rt.parse(path); err != nil {
		return nil, err
	}
	rt.paramRes = make([]*regexp.Regexp, len(rt.params))
	for i := 0; i < len(requirements); i += 2 {
		j := slices.Index(rt.params, requirements[i])
		if j < 0 {
			return nil, fail(fmt.Sprintf("requirement on %q, which is not a param", requirements[i]))
		}
		re, err := compileConstraint(path, requirements[i], requirements[i+1])
		if err != nil {
			return nil, err
		}
		rt.paramRes[j] = re
	}
	if err := rt.finish(); err != nil {
		return nil, err
	}
	return &RouteHelper{name: name, rt: rt}, nil
}

// Name is the route's name, "edit_post".
func (h *RouteHelper) Name() string { return h.name }

// Pattern is the route's path as [RouteInfo] shows it, "/posts/:id/edit(.:format)".
// A direct route's helper has none: "".
func (h *RouteHelper) Pattern() string {
	if h.rt == nil {
		return ""
	}
	return h.rt.pattern()
}

// Params are the route's path params the helper takes in order, as
// generated helpers take them: all of them, unless the path has optional
// groups ("/photos(/:id)"), whose params ([RouteHelper.Optional]) are given
// by name.
func (h *RouteHelper) Params() []string {
	if h.rt == nil {
		return nil
	}
	if h.rt.variants != nil {
		return slices.Clone(h.rt.required)
	}
	return slices.Clone(h.rt.params)
}

// Optional are the params of the route's optional groups, in path order:
// a helper writes a group when all its params are given by name
// (dispatch.Params{"id": 5}) and leaves it out otherwise.
func (h *RouteHelper) Optional() []string {
	if h.rt == nil {
		return nil
	}
	var out []string
	for _, p := range h.rt.params {
		if !slices.Contains(h.rt.required, p) && h.rt.variants != nil {
			out = append(out, p)
		}
	}
	return out
}

// Path returns the route's path for params, which fill the route's path
// params in order (values as [RouteSet.Path] takes them: strings, integers,
// [URLParam], fmt.Stringer). query holds params by name: "format", and
// extra keys that become the query string. A missing or empty param, or
// one its requirement rejects, panics with an error wrapping
// ErrMissingParam or ErrInvalidParam: a link to a record without an id is a
// bug, answered like an index out of range (the recover middleware turns it
// into a 500, a template into an error). Generated helpers take exactly the
// route's params, so a wrong count does not compile.
func (h *RouteHelper) Path(query []Params, params ...any) string {
	p, err := h.path(query, params)
	if err != nil {
		panic(err)
	}
	return p
}

// URL is Path prefixed with base, the scheme and host ("https://example.com").
func (h *RouteHelper) URL(base string, query []Params, params ...any) string {
	return joinBase(base, h.Path(query, params...))
}

func (h *RouteHelper) path(query []Params, params []any) (string, error) {
	args := params
	switch len(query) {
	case 0:
	case 1:
		args = append(params[:len(params):len(params)], query[0])
	default:
		merged := Params{}
		for _, q := range query {
			maps.Copy(merged, q)
		}
		args = append(params[:len(params):len(params)], merged)
	}
	return h.generate(args)
}

// generate builds the path of a route's helper. A direct route's helper
// is called through callDirect (template funcs) or RouteSet.Path instead:
// handing args to its func here would make every helper call allocate
// them.
func (h *RouteHelper) generate(args []any) (string, error) {
	if h.rt == nil {
		return "", fmt.Errorf("dispatch: %s is a direct route: build it with RouteSet.Path or the template funcs: %w", h.name, ErrUnknownRoute)
	}
	p, err := h.rt.generate(args)
	if err != nil {
		return "", fmt.Errorf("dispatch: %s_path: %w", h.name, err)
	}
	return p, nil
}

func (h *RouteHelper) callDirect(args []any) (string, error) {
	u, err := h.direct(args...)
	if err != nil {
		return "", fmt.Errorf("dispatch: %s_path: %w", h.name, err)
	}
	return u, nil
}

// BaseURLer is what a template's URL helper takes as its base: the view's
// context, which knows the request's scheme and host. A plain string works
// too.
type BaseURLer interface {
	BaseURL() string
}

// RouteHelpers are an app's route helpers: those `gorails generate routes`
// wrote (app/routes.Helpers() in a generated app) or a RouteSet's own
// ([RouteSet.Helpers]).
type RouteHelpers []*RouteHelper

// Funcs returns the helpers as template functions with Rails' names:
// post_path and post_url for the route post, taking the route's params in
// order and, last, an optional map of named params and query values:
//
//	<a href="{{post_path .ID}}">  {{edit_post_path $.Data.Post}}  {{post_url $ .ID}}
//
// A URL helper's first argument is its base: $ (the view's context, which
// builds it from the request) or a string. A template naming a helper that
// does not exist fails to parse, so with the app's helpers installed a view
// that links to a missing route fails the boot's template check, with its
// file and line. Errors (a missing or rejected param) abort the template.
func (hs RouteHelpers) Funcs() map[string]any { return hs.FuncsWith(nil) }

// FuncsWith is Funcs whose direct routes' helpers made by NewDirectHelper
// call direct with the route's name and the template's args ([RouteSet.Path]
// of the app's routes, drawn after the views are set up); nil makes them
// fail, saying so.
func (hs RouteHelpers) FuncsWith(direct func(name string, args ...any) (string, error)) map[string]any {
	m := make(map[string]any, 6*len(hs))
	for _, h := range hs {
		gen := h.generate
		switch {
		case h.direct != nil:
			gen = h.callDirect
		case h.deferred:
			gen = func(args []any) (string, error) {
				if direct == nil {
					return "", fmt.Errorf("dispatch: %s_path: a direct route's helper needs the app's routes (RouteHelpers.FuncsWith): %w", h.name, ErrUnknownRoute)
				}
				u, err := direct(h.name, args...)
				if err != nil {
					return "", fmt.Errorf("dispatch: %s_path: %w", h.name, err)
				}
				return u, nil
			}
		}
		m[h.name+"_path"] = func(args ...any) (string, error) { return gen(args) }
		h.addFixedArity(m, gen)
		m[h.name+"_url"] = func(base any, args ...any) (string, error) {
			var b string
			switch v := base.(type) {
			case string:
				b = v
			case BaseURLer:
				b = v.BaseURL()
			default:
				return "", fmt.Errorf("dispatch: %s_url: the first argument is the base URL ($ or a string), not %T", h.name, base)
			}
			p, err := gen(args)
			if err != nil {
				return "", err
			}
			return joinBase(b, p), nil
		}
	}
	return m
}

// addFixedArity adds to m the fixed-arity forms of h's helpers, which a
// view set calls instead of the variadic ones when the arguments fit (NAME__N
// for N arguments; see view.FixedArity): {{posts_path}} and {{post_path
// .ID}} then cost no []any, and a path without params is built once. Each
// does what the variadic helper does with those arguments, but returns only
// the string and panics with the variadic helper's error: text/template
// calls helpers through reflect, which allocates every result, and turns a
// helper's panic into the same "error calling" error as an error result.
func (h *RouteHelper) addFixedArity(m map[string]any, gen func([]any) (string, error)) {
	base := func(v any) string {
		switch v := v.(type) {
		case string:
			return v
		case BaseURLer:
			return v.BaseURL()
		}
		panic(fmt.Errorf("dispatch: %s_url: the first argument is the base URL ($ or a string), not %T", h.name, v))
	}
	if !h.Direct() {
		if p, err := gen(nil); err == nil {
			m[h.name+"_path__0"] = func() string { return p }
			m[h.name+"_url__1"] = func(b any) string { return joinBase(base(b), p) }
		}
	}
	one := func(a any) string {
		args := [1]any{a}
		p, err := gen(args[:])
		if err != nil {
			panic(err)
		}
		return p
	}
	if h.direct == nil && !h.deferred {
		// gen is h.generate: called as the method, its argument array
		// stays on the stack (through the func value it escapes).
		one = func(a any) string {
			args := [1]any{a}
			p, err := h.generate(args[:])
			if err != nil {
				panic(err)
			}
			return p
		}
	}
	m[h.name+"_path__1"] = one
	m[h.name+"_url__2"] = func(b, a any) string { return joinBase(base(b), one(a)) }
}

// Check reports whether the helpers match routes, the routes an app draws:
// every named route has a helper with its pattern and requirements, and
// every helper a route. Otherwise it returns an error wrapping
// ErrStaleHelpers that lists each difference. The framework calls it at
// boot, so an app whose generated helpers fell behind config/routes.go does
// not boot (nor pass its tests) until they are regenerated.
func (hs RouteHelpers) Check(routes []RouteInfo) error {
	byName := make(map[string]*RouteHelper, len(hs))
	for _, h := range hs {
		byName[h.name] = h
	}
	var diffs []string
	seen := make(map[string]bool, len(routes))
	for _, r := range routes {
		if r.Name == "" {
			continue
		}
		seen[r.Name] = true
		h := byName[r.Name]
		switch {
		case h == nil:
			diffs = append(diffs, fmt.Sprintf("route %s (%s %s) has no helper", r.Name, r.Verb, r.Path))
		case h.Pattern() != r.Path:
			diffs = append(diffs, fmt.Sprintf("route %s is %s, its helper builds %s", r.Name, r.Path, h.Pattern()))
		case !maps.Equal(h.rt.requirements(), r.Requirements):
			diffs = append(diffs, fmt.Sprintf("route %s requires %v, its helper %v", r.Name, r.Requirements, h.rt.requirements()))
		}
	}
	for _, h := range hs {
		if !seen[h.name] && !h.Direct() {
			diffs = append(diffs, fmt.Sprintf("helper %s_path names no route", h.name))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrStaleHelpers, strings.Join(diffs, "; "))
}

// CheckDirects reports whether the helpers' direct routes (NewDirectHelper)
// are directs, the direct routes an app draws ([RouteSet.Directs]): each
// with a helper, each helper with its route. Otherwise it returns an error
// wrapping ErrStaleHelpers that lists each difference.
func (hs RouteHelpers) CheckDirects(directs []string) error {
	var diffs []string
	helped := map[string]bool{}
	for _, h := range hs {
		if h.deferred {
			helped[h.name] = true
			if !slices.Contains(directs, h.name) {
				diffs = append(diffs, fmt.Sprintf("helper %s_path names no direct route", h.name))
			}
		}
	}
	for _, d := range directs {
		if !helped[d] {
			diffs = append(diffs, fmt.Sprintf("direct route %s has no helper", d))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrStaleHelpers, strings.Join(diffs, "; "))
}

// Directs lists the names of the direct routes ([Mapper.Direct]) the
// route set drew, sorted; nil before Draw.
func (rs *RouteSet) Directs() []string {
	t := rs.table.Load()
	if t == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(t.directs))
}

// DescribeDirects lists the names of the direct routes fn draws, sorted,
// as Describe lists its routes: what `gorails generate routes` writes
// their helpers from.
func DescribeDirects(fn func(*Mapper)) ([]string, error) {
	t, err := compile(fn, nil)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(t.directs)), nil
}

// Helpers returns the route set's named routes as helpers, built from the
// routes it drew: for tests, tools and apps that do not generate theirs.
// It returns nil before Draw.
func (rs *RouteSet) Helpers() RouteHelpers {
	t := rs.table.Load()
	if t == nil {
		return nil
	}
	var hs RouteHelpers
	for _, rt := range t.routes {
		if rt.name != "" {
			hs = append(hs, &RouteHelper{name: rt.name, rt: rt})
		}
	}
	names := slices.Sorted(maps.Keys(t.directs))
	for _, name := range names {
		hs = append(hs, &RouteHelper{name: name, direct: t.directs[name]})
	}
	return hs
}
