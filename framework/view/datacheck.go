package view

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"text/template/parse"
)

// CheckData checks the views of one controller against the data they are
// rendered with. Every template in the controller's folder (partials aside)
// is compiled inside the layout it renders in by convention, with the
// partials it names, as Check does; then each .Data.Name it reads where dot
// is the render's context (at the top of the view, its layout, its blocks
// and partials, and as $.Data anywhere) must be an exported field or a
// method of data, and so on down the chain (.Data.Post.Title), following
// with and range. Where the type is not known statically (an interface, a
// map, a function's result, a variable) the check stops and the render
// decides.
//
// owner names the controller in messages ("PostsController"). The
// controller layer calls it at boot with the struct type its views see, so
// {{.Data.Head 500}} (a controller method) or a misspelled field fails the
// boot. Errors are *TemplateError values with the template's file and line,
// joined.
func (s *Set) CheckData(controller string, data reflect.Type, owner string) error {
	entries, err := fs.ReadDir(s.cfg.FS, controller)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return errors.Join(ErrInvalidTemplate, err)
	}
	c := &checker{seen: make(map[string]bool)}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".tmpl") {
			continue
		}
		pf, err := s.file(path.Join(controller, name))
		if err != nil {
			c.add(err)
			continue
		}
		format := fileFormat(name)
		lay, err := s.findLayout(controller, "", false, format)
		if err != nil {
			c.add(err)
			continue
		}
		u, err := s.cached(pairKey(controller, format, pf, lay, nil), func() (*unit, error) {
			return s.compilePair(controller, format, pf, lay, nil)
		})
		if !c.unit(u, err) {
			continue
		}
		if data.Kind() == reflect.Struct {
			// The controller renders with a pointer to data: its own unit,
			// with promoted fields named by path (promote.go), compiled now
			// rather than on the first request.
			ptr := reflect.PointerTo(data)
			_, _ = s.cached(pairKey(controller, format, pf, lay, ptr), func() (*unit, error) {
				return s.compilePair(controller, format, pf, lay, ptr)
			})
		}
		dc := &dataChecker{u: u, data: data, owner: owner, done: make(map[string]bool)}
		for _, err := range dc.check() {
			c.add(err)
		}
	}
	return errors.Join(c.errs...)
}

var contextType = reflect.TypeFor[*Context]()

// dataChecker walks the templates of one unit whose dot is the render's
// Context, tracking the static type of dot.
type dataChecker struct {
	u     *unit
	data  reflect.Type
	owner string
	done  map[string]bool
	queue []string
	errs  []error
}

func (dc *dataChecker) check() []error {
	dc.enqueue(dc.u.root)
	for _, t := range dc.u.partials {
		dc.enqueue(t)
	}
	for len(dc.queue) > 0 {
		name := dc.queue[0]
		dc.queue = dc.queue[1:]
		if tree := dc.u.src[name]; tree != nil {
			dc.walk(tree, tree.Root, contextType)
		}
	}
	return dc.errs
}

// enqueue schedules a template that runs with the Context as dot.
func (dc *dataChecker) enqueue(name string) {
	if !dc.done[name] {
		dc.done[name] = true
		dc.queue = append(dc.queue, name)
	}
}

// walk checks node, where dot has type dot (nil: unknown).
func (dc *dataChecker) walk(t *parse.Tree, node parse.Node, dot reflect.Type) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			dc.walk(t, c, dot)
		}
	case *parse.ActionNode:
		dc.pipe(t, n.Pipe, dot)
	case *parse.IfNode:
		dc.pipe(t, n.Pipe, dot)
		dc.walk(t, n.List, dot)
		dc.walk(t, n.ElseList, dot)
	case *parse.WithNode:
		dc.walk(t, n.List, dc.pipe(t, n.Pipe, dot))
		dc.walk(t, n.ElseList, dot)
	case *parse.RangeNode:
		dc.walk(t, n.List, elemType(dc.pipe(t, n.Pipe, dot)))
		dc.walk(t, n.ElseList, dot)
	case *parse.TemplateNode:
		if dc.pipe(t, n.Pipe, dot) == contextType {
			dc.enqueue(n.Name)
		}
	}
}

// pipe checks a pipeline and returns the type it yields, when it is a
// single field chain (or locals, which yields a Context); nil otherwise.
func (dc *dataChecker) pipe(t *parse.Tree, p *parse.PipeNode, dot reflect.Type) reflect.Type {
	if p == nil {
		return nil
	}
	var last reflect.Type
	for _, cmd := range p.Cmds {
		last = nil
		for _, a := range cmd.Args {
			last = dc.arg(t, a, dot)
		}
		if len(cmd.Args) != 1 {
			last = nil
			if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok && id.Ident == "locals" {
				last = contextType
			}
		}
	}
	if len(p.Cmds) != 1 {
		return nil
	}
	return last
}

func (dc *dataChecker) arg(t *parse.Tree, a parse.Node, dot reflect.Type) reflect.Type {
	switch n := a.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return dc.chain(t, n, dot, n.Ident)
	case *parse.VariableNode:
		if n.Ident[0] == "$" {
			return dc.chain(t, n, contextType, n.Ident[1:])
		}
	case *parse.ChainNode:
		var base reflect.Type
		if p, ok := n.Node.(*parse.PipeNode); ok {
			base = dc.pipe(t, p, dot)
		} else {
			base = dc.arg(t, n.Node, dot)
		}
		return dc.chain(t, n, base, n.Field)
	case *parse.PipeNode:
		return dc.pipe(t, n, dot)
	}
	return nil
}

// chain resolves idents on typ as text/template would, reporting the first
// one that cannot be there; nil when the type stops being known.
func (dc *dataChecker) chain(t *parse.Tree, n parse.Node, typ reflect.Type, idents []string) reflect.Type {
	for _, name := range idents {
		if typ == nil {
			return nil
		}
		if typ == contextType && name == "Data" {
			typ = dc.data
			continue
		}
		next, found, known := member(typ, name)
		if !found && known {
			dc.fail(t, n, typ, name)
			return nil
		}
		typ = next
	}
	return typ
}

// member is what .name on a value of type typ gives, following
// text/template's rules (pointers are followed, a method wins over a
// field): its type (nil when unknown), whether it exists, and whether that
// could be known statically (not for an interface).
func member(typ reflect.Type, name string) (next reflect.Type, found, known bool) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() == reflect.Interface {
		return nil, false, false
	}
	if m, ok := reflect.PointerTo(typ).MethodByName(name); ok {
		if m.Type.NumOut() == 0 {
			return nil, true, true
		}
		return m.Type.Out(0), true, true
	}
	switch typ.Kind() {
	case reflect.Struct:
		if f, ok := typ.FieldByName(name); ok && f.IsExported() {
			return f.Type, true, true
		}
	case reflect.Map:
		return typ.Elem(), true, true
	}
	return nil, false, true
}

// elemType is the type of dot inside a range over typ; nil when unknown.
func elemType(typ reflect.Type) reflect.Type {
	if typ == nil {
		return nil
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return typ.Elem()
	}
	return nil
}

func (dc *dataChecker) fail(t *parse.Tree, n parse.Node, typ reflect.Type, name string) {
	var msg string
	if typ == dc.data {
		fields := "it has none"
		if f := exportedFields(typ); len(f) > 0 {
			fields = strings.Join(f, ", ")
		}
		msg = fmt.Sprintf("%s: %s is not in the view's data: %s views read %s's exported fields (%s), never its methods",
			n, name, dc.owner, dc.owner, fields)
	} else {
		msg = fmt.Sprintf("%s: %s has no field or method %s", n, typ, name)
	}
	loc, _ := t.ErrorContext(n)
	te := parseLocated(loc+": "+msg, t.ParseName)
	dc.errs = append(dc.errs, te)
}

func exportedFields(typ reflect.Type) []string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	var out []string
	if typ.Kind() == reflect.Struct {
		for i := range typ.NumField() {
			if f := typ.Field(i); f.IsExported() {
				out = append(out, f.Name)
			}
		}
	}
	return out
}
