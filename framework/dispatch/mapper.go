package dispatch

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Mapper is the routing DSL handed to an application's Routes function by
// [RouteSet.Draw]. Its methods record routes; problems are collected and
// returned by Draw, so a Routes function never handles errors. A Mapper is
// only valid during Draw.
//
// Methods that take a block accept args of two kinds: [Option] values and at
// most one func(*Mapper), the block, which must come last.
type Mapper struct {
	d  *drawing
	sc *scope
}

func (m *Mapper) in(sc *scope) *Mapper { return &Mapper{d: m.d, sc: sc} }

// Get draws a GET route (answering HEAD too): path is relative to the
// current scope.
func (m *Mapper) Get(path string, t Target, opts ...Option) {
	m.match(path, t, []string{http.MethodGet}, opts)
}

// Post draws a POST route.
func (m *Mapper) Post(path string, t Target, opts ...Option) {
	m.match(path, t, []string{http.MethodPost}, opts)
}

// Put draws a PUT route.
func (m *Mapper) Put(path string, t Target, opts ...Option) {
	m.match(path, t, []string{http.MethodPut}, opts)
}

// Patch draws a PATCH route.
func (m *Mapper) Patch(path string, t Target, opts ...Option) {
	m.match(path, t, []string{http.MethodPatch}, opts)
}

// Delete draws a DELETE route.
func (m *Mapper) Delete(path string, t Target, opts ...Option) {
	m.match(path, t, []string{http.MethodDelete}, opts)
}

// Match draws a route for the methods given with [Via] (required, as in
// Rails).
func (m *Mapper) Match(path string, t Target, opts ...Option) {
	o := collect(opts)
	if len(o.via) == 0 {
		m.d.fail(fmt.Errorf("dispatch: match %q without Via: %w", path, ErrInvalidRoute))
		return
	}
	m.matchOpts(path, t, o.via, o)
}

// Root draws the GET route for the scope's root path, named "root" (or
// "admin_root" in namespace admin).
func (m *Mapper) Root(t Target, opts ...Option) {
	o := collect(opts)
	mm := m
	if m.sc.level == levelResources {
		c := m.sc.child(levelRoot)
		c.path = joinPath(c.path, m.sc.res.path)
		mm = m.in(c)
	}
	if !o.asSet {
		o.as, o.asSet = "root", true
		if mm.d.names[mm.nameForAction("root", "", true)] != nil {
			o.as = ""
		}
	}
	mm.addRoute("/", true, t, []string{http.MethodGet}, o)
}

func (m *Mapper) match(path string, t Target, verbs []string, opts []Option) {
	m.matchOpts(path, t, verbs, collect(opts))
}

func (m *Mapper) matchOpts(path string, t Target, verbs []string, o *options) {
	if on := o.on; on != "" {
		o.on = ""
		m.onScope(on, func(m *Mapper) { m.matchOpts(path, t, verbs, o) })
		return
	}
	switch m.sc.level {
	case levelResources:
		m.nested(func(m *Mapper) { m.addRoute(path, true, t, verbs, o) })
	case levelResource:
		m.member(func(m *Mapper) { m.addRoute(path, true, t, verbs, o) })
	default:
		m.addRoute(path, true, t, verbs, o)
	}
}

func (m *Mapper) onScope(on string, fn func(*Mapper)) {
	if m.sc.res == nil || !m.sc.resourceScope() {
		m.d.fail(fmt.Errorf("dispatch: On(%q) outside resources: %w", on, ErrInvalidRoute))
		return
	}
	switch on {
	case "member":
		m.member(fn)
	case "collection":
		m.collection(fn)
	case "new":
		m.newScope(fn)
	default:
		m.d.fail(fmt.Errorf("dispatch: On(%q): want member, collection or new: %w", on, ErrInvalidRoute))
	}
}

var wordPath = regexp.MustCompile(`^[\w\-/]+$`)

// addRoute is Rails' add_route: action is the path string (explicitPath) or
// a standard action drawn by Resources.
func (m *Mapper) addRoute(action string, explicitPath bool, t Target, verbs []string, o *options) {
	path := m.pathForAction(action, explicitPath)
	nameAction := action
	if explicitPath && !wordPath.MatchString(action) {
		nameAction = ""
	}
	name := ""
	if !o.asSet || o.as != "" { // As("") draws no name, as Rails' as: nil
		name = m.nameForAction(o.as, nameAction, o.asSet)
	}
	sc := m.sc
	if len(o.cons) > 0 || o.formatSet || o.defaultFormat != "" || o.host != "" || o.subdomain != "" || len(o.when) > 0 {
		sc = sc.with(o)
	}
	if explicitPath && strings.HasSuffix(action, "/") {
		sc = sc.child(sc.level)
		sc.format = formatNone // Rails adds no (.:format) to a path ending in "/"
	}
	rt, err := newRoute(sc, path, t, verbs)
	if err != nil {
		m.d.fail(err)
		return
	}
	m.d.add(rt, name, o.asSet)
}

func (m *Mapper) pathForAction(action string, explicitPath bool) string {
	switch {
	case explicitPath:
		return joinPath(m.sc.path, action)
	case m.sc.canonical(action):
		return m.sc.path
	default:
		return joinPath(m.sc.path, action)
	}
}

// nameForAction is Rails' name_for_action.
func (m *Mapper) nameForAction(as, action string, explicit bool) string {
	prefix := action
	if explicit {
		prefix = as
	} else if m.sc.canonical(action) {
		prefix = ""
	}
	if prefix == "/" {
		prefix = ""
	}
	prefix = strings.ReplaceAll(strings.TrimPrefix(joinPath("", strings.ReplaceAll(prefix, "-", "_")), "/"), "/", "_")
	var collection, member string
	if res := m.sc.res; res != nil {
		if !explicit && action == "" {
			return ""
		}
		collection, member = res.collectionName, res.memberName
	}
	candidate := joinNonEmpty(m.actionName(m.sc.as, prefix, collection, member))
	if candidate == "" || explicit {
		return candidate
	}
	if !validNameStart(candidate) || m.d.names[candidate] != nil {
		return ""
	}
	return candidate
}

// actionName is Rails' Scope#action_name.
func (m *Mapper) actionName(namePrefix, prefix, collection, member string) []string {
	switch m.sc.level {
	case levelNested:
		return []string{namePrefix, prefix}
	case levelCollection:
		return []string{prefix, namePrefix, collection}
	case levelNew:
		return []string{prefix, "new", namePrefix, member}
	case levelMember:
		return []string{prefix, namePrefix, member}
	case levelRoot:
		return []string{namePrefix, collection, prefix}
	default:
		return []string{namePrefix, member, prefix}
	}
}

func joinNonEmpty(parts []string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "_")
}

func validNameStart(s string) bool {
	c := s[0]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// Mount serves h for every method at prefix and below, with the prefix
// stripped from the request path (like http.StripPrefix). Name it with As.
func (m *Mapper) Mount(prefix string, h http.Handler, opts ...Option) {
	o := collect(opts)
	path := joinPath(m.sc.path, prefix)
	if path == "" {
		path = "/"
	}
	if h == nil {
		m.d.fail(fmt.Errorf("dispatch: mount %q: nil handler: %w", path, ErrInvalidTarget))
		return
	}
	rt, err := newMount(m.sc.with(o), path, h)
	if err != nil {
		m.d.fail(err)
		return
	}
	name := ""
	if o.asSet && o.as != "" {
		name = m.nameForAction(o.as, "", true)
	}
	m.d.add(rt, name, name != "")
}

// splitArgs separates options from the block in a DSL call's args.
func (m *Mapper) splitArgs(call string, args []any) (*options, func(*Mapper)) {
	var opts []Option
	var block func(*Mapper)
	for i, a := range args {
		switch v := a.(type) {
		case Option:
			opts = append(opts, v)
		case func(*Mapper):
			if i != len(args)-1 {
				m.d.fail(fmt.Errorf("dispatch: %s: the block must be the last argument: %w", call, ErrInvalidRoute))
			}
			block = v
		default:
			m.d.fail(fmt.Errorf("dispatch: %s: argument %d is %T, want a dispatch.Option or func(*dispatch.Mapper): %w", call, i, a, ErrInvalidRoute))
		}
	}
	return collect(opts), block
}
