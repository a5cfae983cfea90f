package view

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
)

// unitKey names one compiled unit in the Set's cache.
type unitKey struct {
	kind                                 keyKind
	controller, template, format, layout string
	noLayout                             bool
	// data is the type of the Data a Render's unit is compiled for (nil:
	// any): its trees name promoted fields by their path (promote.go).
	data reflect.Type
}

type keyKind uint8

const (
	byOptions keyKind = iota // a Render's options, as given
	byPair                   // a (layout file, view file) pair, as found
	byPartial                // a partial named only at run time
)

// unit is one compiled template set: a layout, its view and every partial
// they name statically, parsed once and shared by all requests.
type unit struct {
	exec     func(w io.Writer, name string, data any) error
	run      runner            // executes root
	runs     map[string]runner // partial template name -> its runner
	root     string            // template executed by Render
	file     string            // the view's (or partial's) file
	layout   string            // the layout's file; "" without one
	format   string            // "html", "json", ...
	partials map[string]string // render's partial name -> template name in the set
	provided map[string]bool   // blocks the view defines (for provided)
	names    map[string]string // template name -> file, for error messages
	// src holds each template's source tree: the parsed file's, which is
	// never executed (the set holds a copy), so it may be read at any time
	// (CheckData walks it) while html/template rewrites its copy.
	src map[string]*parse.Tree
	// promoted counts the fields named by their path for the Data's type
	// (promote.go).
	promoted int

	digestOnce sync.Once // digest, for fragment caching
	digestSum  string
}

// runner executes one template of a unit; looked up once at build time so
// that rendering a partial does not look it up by name per element.
type runner func(w io.Writer, data any) error

// rootContent is the template name of a view's body; a layout yields it
// with {{template "content" .}}.
const rootContent = "content"

// rootLayout is the template name of a layout's body.
const rootLayout = "layout"

// unitFor returns the unit for a Render's options. Options are cached as
// given (a hit costs one map lookup); on a miss the files are found and the
// (layout, view) pair they make is cached too, so that options naming the
// same pair ("index", "posts/index") share one compiled unit.
func (s *Set) unitFor(o Options) (*unit, error) {
	format := formatOf(o.Format)
	data := reflect.TypeOf(o.Data)
	key := unitKey{kind: byOptions, controller: o.Controller, template: o.Template, format: format, layout: o.Layout, noLayout: o.NoLayout, data: data}
	return s.cached(key, func() (*unit, error) {
		view, err := s.findView(o.Controller, o.Template, format)
		if err != nil {
			return nil, err
		}
		lay, err := s.findLayout(o.Controller, o.Layout, o.NoLayout, format)
		if err != nil {
			return nil, err
		}
		return s.cached(pairKey(o.Controller, format, view, lay, data), func() (*unit, error) {
			return s.compilePair(o.Controller, format, view, lay, data)
		})
	})
}

func (s *Set) partialUnit(controller, name, format string) (*unit, error) {
	key := unitKey{kind: byPartial, controller: controller, template: name, format: format}
	return s.cached(key, func() (*unit, error) {
		pf, cands, err := s.findPartial(controller, name, format)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %q (searched %s)", ErrPartialNotFound, name, strings.Join(cands, ", "))
		}
		if err != nil {
			return nil, err
		}
		b := s.newBuilder(controller, format, pf.path)
		b.u.file = pf.path
		b.addFile(pf, pf.path, false)
		if err := b.resolve(); err != nil {
			return nil, err
		}
		return b.u, nil
	})
}

func pairKey(controller, format string, view, lay *parsedFile, data reflect.Type) unitKey {
	k := unitKey{kind: byPair, controller: controller, template: view.path, format: format, data: data}
	if lay != nil {
		k.layout = lay.path
	}
	return k
}

// remember caches u unless the cache was invalidated since gen.
func (s *Set) remember(key unitKey, u *unit, gen uint64) {
	if !s.cache {
		return
	}
	s.mu.Lock()
	if s.gen == gen && s.units[key] == nil {
		s.units[key] = u
	}
	s.mu.Unlock()
}

func (s *Set) cached(key unitKey, compile func() (*unit, error)) (*unit, error) {
	if !s.cache {
		return compile()
	}
	s.mu.RLock()
	u := s.units[key]
	gen := s.gen
	s.mu.RUnlock()
	if u != nil {
		return u, nil
	}
	u, err := compile()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if old := s.units[key]; old != nil {
		u = old
	} else if s.gen == gen {
		s.units[key] = u
	}
	s.mu.Unlock()
	return u, nil
}

// compilePair builds the unit of a view inside a layout (nil: none), for
// renders whose Data has type data (nil: any type).
func (s *Set) compilePair(controller, format string, view, lay *parsedFile, data reflect.Type) (*unit, error) {
	root := rootContent
	if lay != nil {
		root = rootLayout
	}
	b := s.newBuilder(controller, format, root)
	b.u.file = view.path
	if lay != nil {
		b.addFile(lay, rootLayout, true)
	}
	b.addFile(view, rootContent, true)
	for name, t := range view.defs {
		if !parse.IsEmptyTree(t.Root) {
			b.u.provided[name] = true
		}
	}
	if err := b.resolve(); err != nil {
		return nil, err
	}
	if data != nil {
		b.u.promoted = b.promote(data)
	}
	layout := ""
	if lay != nil {
		layout = lay.path
	}
	b.u.layout = layout
	s.cfg.Logger.Debug("view: compiled", "view", view.path, "layout", layout, "partials", len(b.u.partials), "promoted", b.u.promoted)
	return b.u, nil
}

// builder assembles a unit from parsed files: it adds copies of their trees
// to one html/template (or, for other formats, text/template) set, then
// adds the partials the trees name.
type builder struct {
	s          *Set
	controller string
	format     string
	html       *htmltemplate.Template
	text       *texttemplate.Template
	u          *unit
	queue      []*parse.Tree
}

func (s *Set) newBuilder(controller, format, root string) *builder {
	b := &builder{s: s, controller: controller, format: format, u: &unit{
		root:     root,
		format:   format,
		partials: make(map[string]string),
		provided: make(map[string]bool),
		names:    make(map[string]string),
		src:      make(map[string]*parse.Tree),
	}}
	if format == "html" {
		b.html = htmltemplate.New(root).Funcs(s.funcs)
		b.u.exec = b.html.ExecuteTemplate
	} else {
		b.text = texttemplate.New(root).Funcs(texttemplate.FuncMap(s.funcs))
		b.u.exec = b.text.ExecuteTemplate
	}
	return b
}

func (b *builder) has(name string) bool {
	_, ok := b.u.names[name]
	return ok
}

// add adds a copy of tree as name. html/template rewrites the trees it
// escapes, so units never share them.
func (b *builder) add(name string, tree *parse.Tree) {
	b.u.src[name] = tree
	tree = tree.Copy()
	if b.html != nil {
		_, _ = b.html.AddParseTree(name, tree) // never fails before execution
	} else {
		_, _ = b.text.AddParseTree(name, tree)
	}
	b.u.names[name] = tree.ParseName
	b.queue = append(b.queue, tree)
}

// addFile adds pf's body as bodyName and its defines. With override, the
// defines replace earlier ones (a view's blocks replace its layout's
// defaults); without, earlier ones win (a partial cannot redefine a block).
func (b *builder) addFile(pf *parsedFile, bodyName string, override bool) {
	b.add(bodyName, pf.body)
	for name, t := range pf.defs {
		if b.has(name) && (!override || parse.IsEmptyTree(t.Root)) {
			continue
		}
		b.add(name, t)
	}
}

// resolve adds, transitively, every partial the added trees name: in
// {{template "name"}} and in render or render_collection with a constant
// name. A missing one is a *TemplateError wrapping ErrPartialNotFound.
func (b *builder) resolve() error {
	for len(b.queue) > 0 {
		t := b.queue[0]
		b.queue = b.queue[1:]
		if err := b.scan(t, t.Root); err != nil {
			return err
		}
	}
	b.u.run = b.runner(b.u.root)
	b.u.runs = make(map[string]runner, len(b.u.partials))
	for _, name := range b.u.partials {
		b.u.runs[name] = b.runner(name)
	}
	return nil
}

func (b *builder) runner(name string) runner {
	if b.html != nil {
		return b.html.Lookup(name).Execute
	}
	return b.text.Lookup(name).Execute
}

func (b *builder) scan(t *parse.Tree, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := b.scan(t, c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return b.scan(t, n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for i, c := range n.Cmds {
			b.fixArity(c, i > 0)
			if err := b.scan(t, c); err != nil {
				return err
			}
		}
	case *parse.CommandNode:
		if name, ok := renderName(n); ok {
			if err := b.renderRef(t, n, name); err != nil {
				return err
			}
		}
		for _, a := range n.Args {
			if err := b.scan(t, a); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return b.scanBranch(t, &n.BranchNode)
	case *parse.RangeNode:
		return b.scanBranch(t, &n.BranchNode)
	case *parse.WithNode:
		return b.scanBranch(t, &n.BranchNode)
	case *parse.TemplateNode:
		if !b.has(n.Name) {
			pf, err := b.partial(t, n, n.Name)
			if err != nil {
				return err
			}
			b.addFile(pf, n.Name, false)
		}
		return b.scan(t, n.Pipe)
	}
	return nil
}

func (b *builder) scanBranch(t *parse.Tree, n *parse.BranchNode) error {
	for _, c := range []parse.Node{n.Pipe, n.List, n.ElseList} {
		if err := b.scan(t, c); err != nil {
			return err
		}
	}
	return nil
}

// fixArity points the helper calls of cmd at their fixed-arity forms:
// a call of NAME with N arguments calls NAME__N instead when the Set has a
// helper of that name (FixedArity). text/template calls every helper
// through reflect, and a variadic one costs a slice and a boxed value per
// argument on every call; the fixed form takes its arguments as they are.
// piped says cmd follows another command in its pipeline, whose result is
// its last argument. A helper named as an argument ({{link_to "x"
// posts_path}}) is a call with none.
func (b *builder) fixArity(cmd *parse.CommandNode, piped bool) {
	for i, a := range cmd.Args {
		id, ok := a.(*parse.IdentifierNode)
		if !ok {
			continue
		}
		arity := 0
		if i == 0 {
			arity = len(cmd.Args) - 1
			if piped {
				arity++
			}
		}
		if fixed := FixedArity(id.Ident, arity); b.s.funcs[fixed] != nil {
			id.Ident = fixed
		}
	}
}

// FixedArity is the name of the fixed-arity form of the helper name for
// calls with n arguments: "truncate" with 2 is "truncate__2". A Set
// compiles {{truncate .Body 100}} as {{truncate__2 .Body 100}} when its
// helpers (Config.Funcs included) define truncate__2, which must do what
// truncate does with those arguments. It may return the one value alone and
// panic with the error instead of returning it: text/template reports a
// helper's panic as the same "error calling truncate__2: ..." error, and
// reflect allocates each result of a call. Route helpers
// (dispatch.RouteHelpers.Funcs) define theirs.
func FixedArity(name string, n int) string {
	return name + "__" + strconv.Itoa(n)
}

// renderName returns the constant partial name of a render or
// render_collection call: {{render $ "form" ...}}.
func renderName(n *parse.CommandNode) (string, bool) {
	if len(n.Args) < 3 {
		return "", false
	}
	id, ok := n.Args[0].(*parse.IdentifierNode)
	if !ok || (id.Ident != "render" && id.Ident != "render_collection" && id.Ident != "render_cached" && id.Ident != "render_collection_cached") {
		return "", false
	}
	s, ok := n.Args[2].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

func (b *builder) renderRef(t *parse.Tree, n parse.Node, name string) error {
	if _, ok := b.u.partials[name]; ok {
		return nil
	}
	pf, err := b.partial(t, n, name)
	if err != nil {
		return err
	}
	if !b.has(pf.path) {
		b.addFile(pf, pf.path, false)
	}
	b.u.partials[name] = pf.path
	return nil
}

func (b *builder) partial(t *parse.Tree, n parse.Node, name string) (*parsedFile, error) {
	pf, cands, err := b.s.findPartial(b.controller, name, b.format)
	if errors.Is(err, fs.ErrNotExist) {
		loc, _ := t.ErrorContext(n)
		te := parseLocated(loc+": x", t.ParseName)
		te.Msg = fmt.Sprintf("partial %q not found (searched %s)", name, strings.Join(cands, ", "))
		te.Err = ErrPartialNotFound
		return nil, te
	}
	return pf, err
}
