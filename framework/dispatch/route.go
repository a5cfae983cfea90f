package dispatch

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

type segKind uint8

const (
	segStatic segKind = iota
	segParam
	segGlob
)

type segment struct {
	kind segKind
	text string // the static text (unescaped) or the param name
	esc  string // the static text escaped, for URL generation
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
	rt.describe(sc)
	return rt, nil
}

func newMount(sc *scope, path string, h http.Handler) (*route, error) {
	rt := &route{format: formatNone, target: Handle(h)}
	if err := rt.parse(path); err != nil {
		return nil, err
	}
	if len(rt.params) > 0 {
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
	if strings.ContainsAny(path, "()") {
		return fmt.Errorf("dispatch: route %s: optional segments are not supported: %w", path, ErrInvalidRoute)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if path == "/" {
		parts = nil
	}
	for i, p := range parts {
		seg, err := parseSegment(path, p, i == len(parts)-1)
		if err != nil {
			return err
		}
		rt.segs = append(rt.segs, seg)
		if seg.kind != segStatic {
			if slices.Contains(rt.params, seg.text) {
				return fmt.Errorf("dispatch: route %s: param %q used twice: %w", path, seg.text, ErrInvalidRoute)
			}
			rt.params = append(rt.params, seg.text)
		}
	}
	return nil
}

func parseSegment(path, p string, last bool) (segment, error) {
	switch {
	case p == "":
		return segment{}, fmt.Errorf("dispatch: route %s: empty segment: %w", path, ErrInvalidRoute)
	case p[0] == ':' || p[0] == '*':
		if !paramName.MatchString(p[1:]) {
			return segment{}, fmt.Errorf("dispatch: route %s: bad param %q (a param fills a whole segment): %w", path, p, ErrInvalidRoute)
		}
		if p[0] == ':' {
			return segment{kind: segParam, text: p[1:]}, nil
		}
		if !last {
			return segment{}, fmt.Errorf("dispatch: route %s: a glob must be the last segment: %w", path, ErrInvalidRoute)
		}
		return segment{kind: segGlob, text: p[1:]}, nil
	case strings.ContainsAny(p, ":*"):
		return segment{}, fmt.Errorf("dispatch: route %s: bad segment %q (a param fills a whole segment): %w", path, p, ErrInvalidRoute)
	}
	return segment{kind: segStatic, text: p, esc: escapeSegment(p, false)}, nil
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
	routes []*route
	names  map[string]*route
	errs   []error
}

func (d *drawing) fail(err error) { d.errs = append(d.errs, err) }

var routeNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *drawing) add(rt *route, name string, explicit bool) {
	if name != "" {
		switch {
		case !routeNamePattern.MatchString(name):
			d.fail(fmt.Errorf("dispatch: route %s: invalid name %q: %w", rt.path, name, ErrInvalidRoute))
			return
		case d.names[name] != nil && explicit:
			d.fail(fmt.Errorf("dispatch: route %s: name %q is already used by %s: %w", rt.path, name, d.names[name].path, ErrDuplicateName))
			return
		case d.names[name] == nil:
			rt.name = name
			d.names[name] = rt
		}
	}
	d.routes = append(d.routes, rt)
}
