package dispatch

import (
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
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

var (
	slashGroup  = regexp.MustCompile(`/(\(+)/?`)
	allOptional = regexp.MustCompile(`^(\(+[^)]+\))(\(+/:[^)]+\))*$`)
	leadGroup   = regexp.MustCompile(`^(\(+)/`)
)

// normalizeOptional is what Rails' Mapper.normalize_path does to optional
// groups after a slash: "/(:locale)/posts" is "(/:locale)/posts", and a
// path made only of groups keeps its leading slash outside them
// ("/(:locale)", the root of an optional scope).
func normalizeOptional(path string) string {
	if !strings.Contains(path, "(") {
		return path
	}
	path = slashGroup.ReplaceAllString(path, "$1/")
	if allOptional.MatchString(path) {
		path = leadGroup.ReplaceAllString(path, "/$1")
	}
	return path
}

// addRoute is Rails' add_route: action is the path string (explicitPath) or
// a standard action drawn by Resources.
func (m *Mapper) addRoute(action string, explicitPath bool, t Target, verbs []string, o *options) {
	sc := m.sc
	if explicitPath {
		// A path that spells its format (Rails' "photos(/:id)(.:format)"
		// or "feed.:format") has no other one added.
		if p, ok := strings.CutSuffix(action, "(.:format)"); ok {
			action, sc = p, sc.child(sc.level)
			sc.format = formatOptional
		} else if p, ok := strings.CutSuffix(action, ".:format"); ok {
			action, sc = p, sc.child(sc.level)
			sc.format = formatRequired
		}
	}
	path := normalizeOptional(m.in(sc).pathForAction(action, explicitPath))
	nameAction := action
	if explicitPath && !wordPath.MatchString(action) {
		nameAction = ""
	}
	name := ""
	if !o.asSet || o.as != "" { // As("") draws no name, as Rails' as: nil
		name = m.nameForAction(o.as, nameAction, o.asSet)
	}
	if len(o.cons) > 0 || o.formatSet || o.defaultFormat != "" || o.host != "" || o.subdomain != "" || len(o.when) > 0 || len(o.defaults) > 0 {
		sc = sc.with(o)
	}
	// Rails adds no (.:format) to the root path "/" only (newRoute): its
	// Mapping.normalize_path drops a trailing slash first, so a namespace's
	// root is /admin(.:format).
	if t.kind == kindNamed {
		var err error
		if t, err = t.resolve(sc.ctrl); err != nil {
			m.d.fail(fmt.Errorf("dispatch: route %s: %w", path, err))
			return
		}
	}
	rt, err := newRoute(sc, path, t, verbs)
	if err != nil {
		m.d.fail(err)
		return
	}
	rt.source = callerOutside()
	m.d.add(rt, name, o.asSet)
}

// callerOutside is the file:line of the first caller outside this package:
// the line of config/routes.go that drew the route (Rails' Source
// Location in routes --expanded).
func callerOutside() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, thisPackage) {
			return f.File + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return ""
		}
	}
}

// maxDrawDepth bounds Draw inside Draw: a routes func that draws itself.
const maxDrawDepth = 32

const thisPackage = "github.com/gorails/gorails/framework/dispatch."

// Draw draws the routes of each fn in the current scope: Rails' draw(:admin),
// which reads config/routes/admin.rb. In Go a routes file is a func in the
// app's config package, in a file of its own (config/routes_admin.go:
// func adminRoutes(r *dispatch.Mapper)), so `routes --expanded` shows
// that file as the routes' source; a missing one is a compile error.
func (m *Mapper) Draw(fns ...func(*Mapper)) {
	for _, fn := range fns {
		switch {
		case fn == nil:
			m.d.fail(fmt.Errorf("dispatch: Draw(nil): %w", ErrInvalidRoute))
		case m.d.draws >= maxDrawDepth:
			m.d.fail(fmt.Errorf("dispatch: Draw nested more than %d deep (does a routes func draw itself?): %w", maxDrawDepth, ErrInvalidRoute))
		default:
			m.d.draws++
			fn(m)
			m.d.draws--
		}
	}
}

// Concern defines a concern, routes drawn wherever it is used (Rails'
// concern :commentable do resources :comments end): inside a resource
// through the [Concerns] option or by calling [Mapper.Concerns] in a block,
// where its routes nest as if written there. Define it before use; a name
// defined twice is an error.
func (m *Mapper) Concern(name string, fn func(*Mapper)) {
	switch {
	case fn == nil:
		m.d.fail(fmt.Errorf("dispatch: concern %q without a block: %w", name, ErrInvalidRoute))
	case m.d.concerns[name] != nil:
		m.d.fail(fmt.Errorf("dispatch: concern %q is already defined: %w", name, ErrInvalidRoute))
	default:
		if m.d.concerns == nil {
			m.d.concerns = map[string]func(*Mapper){}
		}
		m.d.concerns[name] = fn
	}
}

// Concerns draws the named concerns here (Rails' concerns :commentable).
func (m *Mapper) Concerns(names ...string) {
	for _, name := range names {
		fn := m.d.concerns[name]
		switch {
		case fn == nil:
			m.d.fail(fmt.Errorf("dispatch: no concern named %q was found (define it with Concern before using it): %w", name, ErrInvalidRoute))
		case slices.Contains(m.d.drawing, name):
			m.d.fail(fmt.Errorf("dispatch: concern %q uses itself (%s): %w", name, strings.Join(append(m.d.drawing, name), " -> "), ErrInvalidRoute))
		default:
			m.d.drawing = append(m.d.drawing, name)
			fn(m)
			m.d.drawing = m.d.drawing[:len(m.d.drawing)-1]
		}
	}
}

// Controller draws the block with res as the controller that [ToAction]
// targets name (Rails' controller :posts do ... end); other options are
// those of [Mapper.Scope].
func (m *Mapper) Controller(res Resource, args ...any) {
	o, block := m.splitArgs("controller "+res.base.typeName, args)
	if res.actions == nil {
		m.d.fail(fmt.Errorf("dispatch: Controller: zero Resource, use dispatch.For: %w", ErrInvalidTarget))
		return
	}
	c := m.sc.with(o)
	base := res.base
	c.ctrl = &base
	m.run(c, block)
}

// Defaults applies [Default] options to the routes drawn in the block
// (Rails' defaults page: "1" do ... end).
func (m *Mapper) Defaults(args ...any) {
	o, block := m.splitArgs("defaults", args)
	m.run(m.sc.with(o), block)
}

func (m *Mapper) pathForAction(action string, explicitPath bool) string {
	switch {
	case explicitPath:
		return joinPath(m.sc.path, m.sc.actionPath(action))
	case m.sc.canonical(action):
		return m.sc.path
	default:
		return joinPath(m.sc.path, m.sc.actionPath(action))
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
