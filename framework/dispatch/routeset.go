package dispatch

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
)

// Config configures a RouteSet. Its zero value works.
type Config struct {
	// Invoker runs the controller actions routes point at (the framework
	// passes a *controller.Env). A route set with action routes does not
	// draw without one; one of http.Handlers and redirects needs none.
	Invoker Invoker
	// Logger logs the errors actions return; nil logs nothing.
	Logger *slog.Logger
	// ErrorHandler answers an error an action returned. The default answers
	// 400 with the message for a *ParamError and a plain 500 otherwise.
	ErrorHandler func(w http.ResponseWriter, r *Request, err error)
	// NotFound answers requests no route matches; default: plain 404.
	NotFound http.Handler
	// MethodNotAllowed answers requests whose path matches but whose method
	// does not; the Allow header is already set. Default: plain 405.
	MethodNotAllowed http.Handler
	// MaxParamDepth limits the nesting of params (a[b][c]...); default 100,
	// as Rails' ParamBuilder (Rack's own default is 32).
	MaxParamDepth int
	// MaxParams limits the number of params in a query string and in an
	// urlencoded or multipart body; default 4096, as Rack.
	MaxParams int
	// MaxBodyBytes limits urlencoded and JSON bodies, and each multipart
	// text field; default 10 MiB.
	MaxBodyBytes int64
	// MaxMultipartBytes limits multipart bodies; default 128 MiB.
	MaxMultipartBytes int64
	// MultipartMemory is how much of the uploaded files is kept in memory
	// before the rest goes to temporary files; default 32 MiB.
	MultipartMemory int64
	// TempDir holds those temporary files; default os.TempDir().
	TempDir string
}

func (c Config) withDefaults() Config {
	if c.ErrorHandler == nil {
		c.ErrorHandler = DefaultErrorHandler
	}
	if c.NotFound == nil {
		c.NotFound = http.HandlerFunc(http.NotFound)
	}
	if c.MethodNotAllowed == nil {
		c.MethodNotAllowed = http.HandlerFunc(methodNotAllowed)
	}
	setDefault(&c.MaxParamDepth, 100)
	setDefault(&c.MaxParams, 4096)
	setDefault(&c.MaxBodyBytes, 10<<20)
	setDefault(&c.MaxMultipartBytes, 128<<20)
	setDefault(&c.MultipartMemory, 32<<20)
	return c
}

func setDefault[T int | int64](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

func (c Config) validate() error {
	if c.MaxParamDepth < 0 || c.MaxParams < 0 || c.MaxBodyBytes < 0 || c.MaxMultipartBytes < 0 || c.MultipartMemory < 0 {
		return fmt.Errorf("dispatch: negative limit in Config: %w", ErrInvalidConfig)
	}
	return nil
}

func methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
}

// DefaultErrorHandler is the ErrorHandler used when Config leaves it nil: a
// *ParamError becomes 400 with its message, anything else a plain 500.
func DefaultErrorHandler(w http.ResponseWriter, _ *Request, err error) {
	if pe, ok := errors.AsType[*ParamError](err); ok {
		http.Error(w, pe.Error(), http.StatusBadRequest)
		return
	}
	http.Error(w, "500 internal server error", http.StatusInternalServerError)
}

// RouteSet is the application's routes, compiled by Draw, served as an
// http.Handler. It is safe for concurrent use; Draw may be called again (to
// reload routes) while requests are served: each request sees one table.
type RouteSet struct {
	cfg   Config
	table atomic.Pointer[table]
	pool  sync.Pool
}

type table struct {
	root   *node
	static map[string]*node
	// staticLens[n] reports a static route of length n: most paths with
	// params skip hashing the whole path.
	staticLens []bool
	routes     []*route
	names      map[string]*route
	methods    []string
	directs    map[string]DirectFunc
	resolvers  map[reflect.Type]func(any) (string, []any)
}

// NewRouteSet returns an empty RouteSet (every request 404s until Draw).
func NewRouteSet(cfg Config) *RouteSet {
	rs := &RouteSet{cfg: cfg.withDefaults()}
	rs.pool.New = func() any { return &Request{m: matcher{vals: make([]string, 0, 8)}} }
	return rs
}

// Draw runs fn with a Mapper, compiles what it drew and, if there was no
// error, replaces the routes. It returns every problem found, joined: invalid
// paths or targets, duplicate names, routes that can never match, action
// routes without a [Config].Invoker and errors from the Invoker.
func (rs *RouteSet) Draw(fn func(*Mapper)) error {
	if err := rs.cfg.validate(); err != nil {
		return err
	}
	t, err := compile(fn, rs.prepare)
	if err != nil {
		return err
	}
	rs.table.Store(t)
	return nil
}

// Describe draws fn without serving it: no Invoker is needed and no
// controller is prepared. It returns the routes as [RouteSet.Routes] would,
// or every problem Draw would report about the routes themselves. Tools use
// it to read an app's routes without booting the app (route helper
// generation).
func Describe(fn func(*Mapper)) ([]RouteInfo, error) {
	t, err := compile(fn, nil)
	if err != nil {
		return nil, err
	}
	return t.infos(), nil
}

// compile runs fn with a Mapper and compiles what it drew; prepare (nil:
// none) readies each route to serve.
func compile(fn func(*Mapper), prepare func(*route) error) (*table, error) {
	d := &drawing{names: map[string]*route{}}
	fn(&Mapper{d: d, sc: &scope{}})
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	t := &table{root: &node{}, static: map[string]*node{}, routes: d.routes, names: d.names, directs: d.directs, resolvers: d.resolvers}
	var errs []error
	for _, rt := range d.routes {
		if prepare != nil {
			if err := prepare(rt); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		for _, v := range rt.served() {
			v.serve = rt.serve
			n := t.root.insert(v)
			if len(v.params) == 0 && v.mount == nil {
				t.addStatic(v.path, n)
			}
		}
		for _, m := range rt.methods {
			if !slices.Contains(t.methods, m) {
				t.methods = append(t.methods, m)
			}
		}
	}
	errs = append(errs, t.root.checkShadowing()...)
	return t, errors.Join(errs...)
}

// served are the routes that serve rt: its variants, or rt itself.
func (rt *route) served() []*route {
	if rt.variants != nil {
		return rt.variants
	}
	return []*route{rt}
}

func (t *table) addStatic(path string, n *node) {
	t.static[path] = n
	for len(t.staticLens) <= len(path) {
		t.staticLens = append(t.staticLens, false)
	}
	t.staticLens[len(path)] = true
}

// prepare asks the Invoker, once per action route, for the func that serves
// it.
func (rs *RouteSet) prepare(rt *route) error {
	if rt.target.kind != kindAction {
		return nil
	}
	if rs.cfg.Invoker == nil {
		return fmt.Errorf("dispatch: route %s %s (%s): %w", rt.verb(), rt.pattern(), rt.endpoint, ErrNoInvoker)
	}
	t := &rt.target
	serve, err := rs.cfg.Invoker.Invoke(ControllerAction{Action: rt.action, Type: t.typ, New: t.newCtrl, Run: t.run})
	if err != nil {
		return fmt.Errorf("dispatch: route %s %s (%s): %w", rt.verb(), rt.pattern(), rt.endpoint, err)
	}
	if serve == nil {
		return fmt.Errorf("dispatch: route %s %s (%s): the Invoker returned no func: %w", rt.verb(), rt.pattern(), rt.endpoint, ErrInvalidTarget)
	}
	rt.serve = serve
	return nil
}

// checkShadowing reports routes that an earlier route at the same place
// answers for every method, format and request they could match.
func (n *node) checkShadowing() []error {
	var errs []error
	for j, later := range n.routes {
		if by := shadowedBy(n.routes[:j], later); by != nil {
			later, by := later.self(), by.self()
			errs = append(errs, fmt.Errorf("dispatch: %s %s (%s): %w: %s %s (%s) answers every request it would",
				later.verb(), later.pattern(), later.endpoint, ErrUnreachable, by.verb(), by.pattern(), by.endpoint))
		}
	}
	for j := 1; j < len(n.mounts); j++ {
		if !n.mounts[0].constrained() {
			errs = append(errs, fmt.Errorf("dispatch: mount %s (%s): %w: mounted twice", n.mounts[j].path, n.mounts[j].endpoint, ErrUnreachable))
		}
	}
	seen := map[*node]bool{}
	for _, k := range n.statics {
		if !seen[k.n] {
			seen[k.n] = true
			errs = append(errs, k.n.checkShadowing()...)
		}
	}
	for _, k := range n.comps {
		errs = append(errs, k.n.checkShadowing()...)
	}
	for _, c := range []*node{n.param, n.glob} {
		if c != nil {
			errs = append(errs, c.checkShadowing()...)
		}
	}
	return errs
}

func shadowedBy(earlier []*route, later *route) *route {
	methods := later.methods
	if methods == nil {
		methods = []string{""}
	}
	var by *route
	for _, m := range methods {
		found := false
		for _, e := range earlier {
			if e.self() == later.self() {
				continue // two variants of one route: the first serves, as in Rails
			}
			if e.constrained() || (e.format != formatOptional && e.format != later.format) {
				continue
			}
			if e.methods == nil || (m != "" && e.allows(m)) {
				found, by = true, e
				break
			}
		}
		if !found {
			return nil
		}
	}
	return by
}

func (rt *route) constrained() bool {
	if rt.formatRe != nil || rt.host != "" || rt.subdomain != "" || len(rt.when) > 0 {
		return true
	}
	for _, re := range rt.paramRes {
		if re != nil {
			return true
		}
	}
	return false
}

// RouteInfo describes one route for the `routes` table.
type RouteInfo struct {
	Name     string // "post", or "" for an unnamed route
	Verb     string // "GET", "GET|POST", or "" for any method
	Path     string // "/posts/:id(.:format)"
	Endpoint string // "posts#show", "redirect(301, /x)" or the mounted handler
	// Constraints lists the route's constraints as `rails routes` shows
	// them: {id: /\d+/, subdomain: "api"}; "" when it has none.
	Constraints string
	// Requirements are the path params' constraints as regular expressions
	// ("id" -> `\d+`), which URL generation checks; nil when there are none.
	Requirements map[string]string
	// Source is the file:line of the routes file call that drew the route
	// (Rails' Source Location), "" when unknown.
	Source string `json:",omitempty"`
}

// Routes lists the drawn routes in definition order.
func (rs *RouteSet) Routes() []RouteInfo {
	t := rs.table.Load()
	if t == nil {
		return nil
	}
	return t.infos()
}

func (t *table) infos() []RouteInfo {
	out := make([]RouteInfo, len(t.routes))
	for i, rt := range t.routes {
		out[i] = RouteInfo{Name: rt.name, Verb: rt.verb(), Path: rt.pattern(), Endpoint: rt.endpoint,
			Constraints: rt.describeConstraints(), Requirements: rt.requirements(), Source: rt.source}
	}
	return out
}
