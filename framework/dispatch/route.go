package dispatch

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

type segKind uint8

const (
	segStatic segKind = iota
	segParam
	segGlob
	segComposite // params and text in one segment: ":id-:slug"
)

type segment struct {
	kind   segKind
	text   string         // the static text (unescaped), the param name, or the composite as written
	esc    string         // the static text escaped, for URL generation
	parts  []segPart      // composite: its pieces
	re     *regexp.Regexp // composite: matches the escaped segment
	groups []int          // composite: the submatch of each param
	fast   bool           // composite: matched by matchParts, not re
}

// route is one compiled route: its pattern, constraints and endpoint.
type route struct {
	name      string
	methods   []string // nil for any method
	path      string   // "/posts/:id", without the format
	segs      []segment
	params    []string         // param names in path order
	paramRes  []*regexp.Regexp // per param; nil means the default
	format    formatMode
	formatRe  *regexp.Regexp
	defFormat string
	host      string
	subdomain string
	when      []func(*http.Request) bool
	target    Target
	action    Action
	mount     http.Handler // set for Mount routes
	serve     ActionFunc
	endpoint  string
	defaults  []paramDefault
	// actionVals are action.Controller and action.Name as the values of
	// Params' "controller" and "action", boxed once when the route is
	// drawn rather than on each request.
	actionVals [2]any
	source     string // file:line of the DSL call that drew it
	plain      []bool // per param: a whole segment with Rails' default requirement (no dot)

	// A route whose path has optional groups is served by its variants,
	// one per plain path it expands to; each variant points at the route
	// drawn (origin) and counts the groups it keeps.
	variants []*route
	origin   *route
	groups   int
	shape    string   // a variant's path with params blanked: where the tree puts it
	required []string // the params every variant has, in path order
}

type paramDefault struct{ name, value string }

// self is the route as drawn: the origin of a variant, else rt.
func (rt *route) self() *route {
	if rt.origin != nil {
		return rt.origin
	}
	return rt
}

var paramName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func newRoute(sc *scope, path string, t Target, verbs []string) (*route, error) {
	if t.err != nil {
		return nil, fmt.Errorf("dispatch: route %s: %w", path, t.err)
	}
	if t.kind == kindNone {
		return nil, fmt.Errorf("dispatch: route %s: zero Target: %w", path, ErrInvalidTarget)
	}
	rt := &route{target: t, format: sc.format}
	if path == "" {
		path = "/"
	}
	if path == "/" {
		rt.format = formatNone
	}
	if err := rt.parse(path); err != nil {
		return nil, err
	}
	if !slices.Contains(verbs, "ALL") && !slices.Contains(verbs, "*") {
		rt.methods = verbs
	}
	if err := rt.constrain(sc); err != nil {
		return nil, err
	}
	for _, d := range rt.defaults {
		if !paramName.MatchString(d.name) {
			return nil, fmt.Errorf("dispatch: route %s: Default(%q, ...): not a param name: %w", path, d.name, ErrInvalidRoute)
		}
	}
	rt.describe(sc)
	if err := rt.finish(); err != nil {
		return nil, err
	}
	return rt, nil
}

func newMount(sc *scope, path string, h http.Handler) (*route, error) {
	rt := &route{format: formatNone, target: Handle(h)}
	if err := rt.parse(path); err != nil {
		return nil, err
	}
	if len(rt.params) > 0 || rt.variants != nil {
		return nil, fmt.Errorf("dispatch: mount %s: params in a mount prefix: %w", path, ErrInvalidRoute)
	}
	if err := rt.constrain(sc); err != nil {
		return nil, err
	}
	rt.mount = h
	if path != "/" {
		rt.mount = http.StripPrefix(path, h)
	}
	rt.endpoint = describeHandler(h)
	return rt, nil
}

func (rt *route) parse(path string) error {
	rt.path = path
	if !strings.ContainsAny(path, "()") {
		segs, params, err := parseFlat(path, path)
		rt.segs, rt.params = segs, params
		return err
	}
	vs, err := expandPath(path)
	if err != nil {
		return err
	}
	most := 0
	for i, v := range vs {
		segs, params, err := parseFlat(path, v.path)
		if err != nil {
			return err
		}
		rt.variants = append(rt.variants, &route{path: v.path, segs: segs, params: params, groups: v.groups})
		if v.groups > vs[most].groups {
			most = i
		}
	}
	// The variant keeping every group has every param, in path order.
	rt.params = rt.variants[most].params
	for _, p := range rt.params {
		if !slices.ContainsFunc(rt.variants, func(v *route) bool { return !slices.Contains(v.params, p) }) {
			rt.required = append(rt.required, p)
		}
	}
	return nil
}

// parseFlat parses a path without groups into segments and param names;
// errors name whole, the path as drawn.
func parseFlat(whole, path string) ([]segment, []string, error) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if path == "/" {
		parts = nil
	}
	var segs []segment
	var params []string
	for i, p := range parts {
		seg, err := parseSegment(whole, p, i == len(parts)-1)
		if err != nil {
			return nil, nil, err
		}
		segs = append(segs, seg)
		names := []string{seg.text}
		switch seg.kind {
		case segStatic:
			names = nil
		case segComposite:
			names = names[:0]
			for _, part := range seg.parts {
				if part.param != "" {
					names = append(names, part.param)
				}
			}
		}
		for _, n := range names {
			if slices.Contains(params, n) {
				return nil, nil, fmt.Errorf("dispatch: route %s: param %q used twice: %w", whole, n, ErrInvalidRoute)
			}
			params = append(params, n)
		}
	}
	return segs, params, nil
}

func parseSegment(path, p string, last bool) (segment, error) {
	switch {
	case p == "":
		return segment{}, fmt.Errorf("dispatch: route %s: empty segment: %w", path, ErrInvalidRoute)
	case (p[0] == ':' || p[0] == '*') && paramName.MatchString(p[1:]):
		if p[0] == ':' {
			return segment{kind: segParam, text: p[1:]}, nil
		}
		if !last {
			return segment{}, fmt.Errorf("dispatch: route %s: a glob must be the last segment: %w", path, ErrInvalidRoute)
		}
		return segment{kind: segGlob, text: p[1:]}, nil
	case strings.ContainsAny(p, ":*"):
		return parseComposite(path, p)
	}
	return segment{kind: segStatic, text: p, esc: escapeSegment(p, false)}, nil
}

// finish compiles what depends on the constraints: the regexps of
// segments with several params, and a route with groups' variants.
func (rt *route) finish() error {
	if rt.variants == nil {
		return rt.compileSegs()
	}
	for i, v := range rt.variants {
		c := *rt
		c.path, c.segs, c.params, c.groups = v.path, v.segs, v.params, v.groups
		c.variants, c.required, c.origin = nil, nil, rt
		c.paramRes = make([]*regexp.Regexp, len(c.params))
		for j, p := range c.params {
			c.paramRes[j] = rt.paramRes[slices.Index(rt.params, p)]
		}
		if err := c.compileSegs(); err != nil {
			return err
		}
		rt.variants[i] = &c
	}
	return nil
}

func (rt *route) compileSegs() error {
	rt.plain = make([]bool, len(rt.params))
	var shape strings.Builder
	i := 0
	for k := range rt.segs {
		s := &rt.segs[k]
		switch s.kind {
		case segStatic:
			shape.WriteString("/" + s.esc)
		case segParam:
			rt.plain[i] = rt.paramRes[i] == nil
			i++
			shape.WriteString("/:")
		case segGlob:
			i++
			shape.WriteString("/*")
		case segComposite:
			if err := compileComposite(rt.path, s, rt.params, rt.paramRes); err != nil {
				return err
			}
			i += len(s.groups)
			shape.WriteString("/(" + s.re.String() + ")")
		}
	}
	rt.shape = shape.String()
	return nil
}

func (rt *route) constrain(sc *scope) error {
	rt.paramRes = make([]*regexp.Regexp, len(rt.params))
	for i, name := range rt.params {
		re, err := compileConstraint(rt.path, name, sc.constraint(name))
		if err != nil {
			return err
		}
		rt.paramRes[i] = re
	}
	re, err := compileConstraint(rt.path, "format", sc.constraint("format"))
	rt.formatRe = re
	rt.host, rt.subdomain, rt.when = sc.host, sc.subdomain, sc.when
	rt.defFormat = sc.defaultFormat
	rt.defaults = sc.defaults
	return err
}

func compileConstraint(path, name, pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("dispatch: route %s: constraint on %s: %w: %w", path, name, ErrInvalidRoute, err)
	}
	return re, nil
}

func (rt *route) describe(sc *scope) {
	t := rt.target
	switch t.kind {
	case kindAction:
		rt.action = Action{Controller: namespaced(sc.module, t.ctrl), Name: t.action}
		rt.actionVals = [2]any{rt.action.Controller, rt.action.Name}
		rt.endpoint = rt.action.String()
	case kindRedirect:
		rt.endpoint = fmt.Sprintf("redirect(%d, %s)", t.status, t.redirect)
	case kindHandler:
		rt.endpoint = describeHandler(t.handler)
	}
}

func describeHandler(h http.Handler) string {
	if s, ok := h.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", h)
}

// describeConstraints renders the constraints like Ruby's Hash#inspect.
func (rt *route) describeConstraints() string {
	var parts []string
	// Rails lists the route's defaults first (its requirements are
	// defaults.merge(path requirements)).
	if rt.defFormat != "" {
		parts = append(parts, fmt.Sprintf("format: %q", rt.defFormat))
	}
	for _, d := range rt.defaults {
		parts = append(parts, fmt.Sprintf("%s: %q", d.name, d.value))
	}
	for i, re := range rt.paramRes {
		if re != nil {
			parts = append(parts, rt.params[i]+": /"+unanchor(re)+"/")
		}
	}
	if rt.formatRe != nil {
		parts = append(parts, "format: /"+unanchor(rt.formatRe)+"/")
	}
	if rt.host != "" {
		parts = append(parts, fmt.Sprintf("host: %q", rt.host))
	}
	if rt.subdomain != "" {
		parts = append(parts, fmt.Sprintf("subdomain: %q", rt.subdomain))
	}
	if len(rt.when) > 0 {
		parts = append(parts, "when: func")
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// requirements are the path params' constraints, for URL generation.
func (rt *route) requirements() map[string]string {
	var out map[string]string
	for i, re := range rt.paramRes {
		if re != nil {
			if out == nil {
				out = make(map[string]string)
			}
			out[rt.params[i]] = unanchor(re)
		}
	}
	return out
}

func unanchor(re *regexp.Regexp) string {
	return strings.TrimSuffix(strings.TrimPrefix(re.String(), "^(?:"), ")$")
}

// pattern is the path as `routes` shows it: "/posts/:id(.:format)".
func (rt *route) pattern() string {
	switch {
	case rt.mount != nil || rt.format == formatNone:
		return rt.path
	case rt.format == formatRequired:
		return rt.path + ".:format"
	}
	return rt.path + "(.:format)"
}

func (rt *route) verb() string {
	if rt.methods == nil {
		return ""
	}
	return strings.Join(rt.methods, "|")
}

func (rt *route) allows(method string) bool {
	return rt.methods == nil || slices.Contains(rt.methods, method)
}

// drawing collects what one Draw records.
type drawing struct {
	routes    []*route
	names     map[string]*route
	errs      []error
	concerns  map[string]func(*Mapper)
	drawing   []string // the concerns being drawn, innermost last
	draws     int      // how deep Draw is nested
	directs   map[string]DirectFunc
	resolvers map[reflect.Type]func(any) (string, []any)
}

func (d *drawing) fail(err error) { d.errs = append(d.errs, err) }

var routeNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *drawing) add(rt *route, name string, explicit bool) {
	if name != "" {
		switch {
		case !routeNamePattern.MatchString(name):
			d.fail(fmt.Errorf("dispatch: route %s: invalid name %q: %w", rt.path, name, ErrInvalidRoute))
			return
		case d.directs[name] != nil:
			d.fail(fmt.Errorf("dispatch: route %s: name %q is already used by a direct route: %w", rt.path, name, ErrDuplicateName))
			return
		case d.names[name] != nil && explicit:
			d.fail(fmt.Errorf("dispatch: route %s: name %q is already used by %s: %w", rt.path, name, d.names[name].path, ErrDuplicateName))
			return
		case d.names[name] == nil:
			rt.name = name
			d.names[name] = rt
			for _, v := range rt.variants {
				v.name = name
			}
		}
	}
	d.routes = append(d.routes, rt)
}
