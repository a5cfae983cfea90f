package view

import (
	"reflect"
	"text/template/parse"
)

// Promoted fields by their path.
//
// {{.ID}} on a model that embeds record.Model reads a promoted field, and
// text/template finds it with reflect's FieldByName, which for a name that
// is not a top-level field searches the embedded structs breadth first and
// allocates its work queues, maps and index on every evaluation: four to
// five allocations per {{.ID}} (a top-level field costs none). A unit
// compiled for one type of Data knows, where the template's dot has a
// static type, which field a name reaches, and names it by its path
// instead: {{.ID}} on a models.Post is executed as {{.Model.ID}}, two
// top-level lookups that allocate nothing.
//
// The rewrite is made only where it cannot change what the template does
// or says:
//   - dot's static type is a struct, not a pointer or an interface (the
//     static type is the dynamic one: a range over []models.Post, a with on
//     a models.Post field, known from the Data's type, see unitKey.data);
//   - every name of the chain is an exported field reached through
//     exported struct fields embedded by value, never a method (text/template
//     tries methods first; a name with a method on *T is left alone), so
//     evaluating the chain cannot fail and no error message could show the
//     rewritten chain;
//   - the chain is not called with arguments ({{.ID 1}}, {{1 | .ID}}: their
//     error names the node);
//   - the template runs only with the render's Context as dot: the view,
//     its layout and blocks, the partials of render, and templates that
//     {{template}} calls with that Context ("." or "$") and from nowhere
//     else.
//
// Maps, methods, nil pointers, interfaces and variables keep text/template's
// own evaluation and messages.

// promote rewrites the unit's trees for renders whose Data has type data.
// It runs before the first execution (html/template escapes the trees then,
// and derives its copies from them), and returns the number of fields
// renamed.
func (b *builder) promote(data reflect.Type) int {
	trees := make(map[string]*parse.Tree, len(b.u.names))
	for name := range b.u.names {
		if t := b.tree(name); t != nil {
			trees[name] = t
		}
	}
	p := &promoter{data: data, ctx: map[string]bool{}, mixed: map[string]bool{}, calls: map[string][]string{}, edits: map[string][]edit{}}
	p.enter(b.u.root)
	for _, name := range b.u.partials {
		p.enter(name)
	}
	for len(p.queue) > 0 {
		name := p.queue[0]
		p.queue = p.queue[1:]
		if t := trees[name]; t != nil {
			p.cur = name
			p.walk(t.Root, contextType, true)
		}
	}
	// A template also run from a template that is not walked (entered with
	// another dot) is mixed, and so is every template a mixed one calls.
	var mixed []string
	for name, t := range trees {
		if !p.ctx[name] {
			mixed = append(mixed, templateCalls(t.Root, nil)...)
		}
	}
	for name := range p.mixed {
		mixed = append(mixed, name)
	}
	for len(mixed) > 0 {
		name := mixed[0]
		mixed = mixed[1:]
		p.mixed[name] = true
		for _, callee := range p.calls[name] {
			if !p.mixed[callee] {
				mixed = append(mixed, callee)
			}
		}
	}
	n := 0
	for name, edits := range p.edits {
		if p.mixed[name] {
			continue
		}
		for _, e := range edits {
			switch node := e.node.(type) {
			case *parse.FieldNode:
				node.Ident = e.path
			case *parse.VariableNode:
				node.Ident = e.path
			}
			n++
		}
	}
	return n
}

// tree is the tree the unit executes as name.
func (b *builder) tree(name string) *parse.Tree {
	if b.html != nil {
		if t := b.html.Lookup(name); t != nil {
			return t.Tree
		}
		return nil
	}
	if t := b.text.Lookup(name); t != nil {
		return t.Tree
	}
	return nil
}

// edit renames a chain: the node's Ident becomes path.
type edit struct {
	node parse.Node
	path []string
}

// promoter walks the templates that run with the Context as dot, tracking
// dot's static type as the data checker does.
type promoter struct {
	data  reflect.Type
	ctx   map[string]bool     // templates entered with the Context
	queue []string            // of them, to walk
	mixed map[string]bool     // templates also entered with another dot
	calls map[string][]string // template -> templates it calls with the Context
	edits map[string][]edit   // template -> its rewrites
	cur   string              // the template being walked
}

func (p *promoter) enter(name string) {
	if !p.ctx[name] {
		p.ctx[name] = true
		p.queue = append(p.queue, name)
	}
}

// walk visits node, where dot has the static type dot (nil: unknown);
// entry says dot is the template's own, the render's Context (never nil).
func (p *promoter) walk(node parse.Node, dot reflect.Type, entry bool) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			p.walk(c, dot, entry)
		}
	case *parse.ActionNode:
		p.pipe(n.Pipe, dot, entry)
	case *parse.IfNode:
		p.pipe(n.Pipe, dot, entry)
		p.walk(n.List, dot, entry)
		p.walk(n.ElseList, dot, entry)
	case *parse.WithNode:
		p.walk(n.List, p.pipe(n.Pipe, dot, entry), false)
		p.walk(n.ElseList, dot, entry)
	case *parse.RangeNode:
		p.walk(n.List, elemType(p.pipe(n.Pipe, dot, entry)), false)
		p.walk(n.ElseList, dot, entry)
	case *parse.TemplateNode:
		p.pipe(n.Pipe, dot, entry)
		if entry && passesDot(n.Pipe) {
			p.calls[p.cur] = append(p.calls[p.cur], n.Name)
			p.enter(n.Name)
		} else {
			p.mixed[n.Name] = true
		}
	}
}

// passesDot reports whether a {{template}} pipeline is "." or "$" alone.
func passesDot(pipe *parse.PipeNode) bool {
	if pipe == nil || len(pipe.Decl) > 0 || len(pipe.Cmds) != 1 || len(pipe.Cmds[0].Args) != 1 {
		return false
	}
	switch a := pipe.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return true
	case *parse.VariableNode:
		return len(a.Ident) == 1 && a.Ident[0] == "$"
	}
	return false
}

// templateCalls appends the names that node's {{template}} actions call.
func templateCalls(node parse.Node, names []string) []string {
	switch n := node.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				names = templateCalls(c, names)
			}
		}
	case *parse.IfNode:
		names = templateCalls(n.ElseList, templateCalls(n.List, names))
	case *parse.WithNode:
		names = templateCalls(n.ElseList, templateCalls(n.List, names))
	case *parse.RangeNode:
		names = templateCalls(n.ElseList, templateCalls(n.List, names))
	case *parse.TemplateNode:
		names = append(names, n.Name)
	}
	return names
}

// pipe visits a pipeline's commands and returns the type it yields when
// that is known (a single field chain), as dataChecker.pipe does.
func (p *promoter) pipe(pipe *parse.PipeNode, dot reflect.Type, entry bool) reflect.Type {
	if pipe == nil {
		return nil
	}
	var last reflect.Type
	for i, cmd := range pipe.Cmds {
		last = nil
		for j, a := range cmd.Args {
			// A field is evaluated without arguments as an argument, or as
			// the whole first command; otherwise it gets arguments or the
			// piped value.
			plain := j > 0 || (i == 0 && len(cmd.Args) == 1)
			last = p.arg(a, dot, entry, plain)
		}
		if len(cmd.Args) != 1 {
			last = nil
		}
	}
	if len(pipe.Cmds) != 1 {
		return nil
	}
	return last
}

func (p *promoter) arg(a parse.Node, dot reflect.Type, entry, plain bool) reflect.Type {
	switch n := a.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		if plain {
			if path, ok := promotedChain(dot, n.Ident, entry); ok {
				p.edits[p.cur] = append(p.edits[p.cur], edit{n, path})
			}
		}
		return p.chain(dot, n.Ident)
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			// $ is the template's own dot: the Context, never nil.
			if path, ok := promotedChain(contextType, n.Ident[1:], true); ok && plain {
				p.edits[p.cur] = append(p.edits[p.cur], edit{n, append([]string{"$"}, path...)})
			}
			return p.chain(contextType, n.Ident[1:])
		}
	case *parse.ChainNode:
		var base reflect.Type
		if pn, ok := n.Node.(*parse.PipeNode); ok {
			base = p.pipe(pn, dot, entry)
		} else {
			base = p.arg(n.Node, dot, entry, false)
		}
		return p.chain(base, n.Field)
	case *parse.PipeNode:
		return p.pipe(n, dot, entry)
	}
	return nil
}

// chain is the static type .a.b.c yields on typ, nil when unknown.
func (p *promoter) chain(typ reflect.Type, idents []string) reflect.Type {
	for _, name := range idents {
		if typ == nil {
			return nil
		}
		if typ == contextType && name == "Data" {
			typ = p.data
			continue
		}
		typ, _, _ = member(typ, name)
	}
	return typ
}

// promotedChain returns idents with each promoted field named by its path
// (ID on a struct embedding record.Model: Model, ID), when the chain is a
// rewrite that cannot change the evaluation: dot is a struct type (or,
// with nonNil, a pointer to one that is never nil: the render's Context),
// every name is an exported field and none a method, every struct on the
// way is held by value, and only the last name may be a key of a map with
// string keys (a missing key is no error: the Set never sets
// missingkey=error). ok is false when nothing is promoted or the chain
// does not qualify.
func promotedChain(dot reflect.Type, idents []string, nonNil bool) (path []string, ok bool) {
	if dot == nil {
		return nil, false
	}
	typ := dot
	if nonNil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return nil, false
	}
	for i, name := range idents {
		switch {
		case typ.Kind() == reflect.Struct:
			steps, ft, found := fieldPath(typ, name)
			if !found {
				return nil, false
			}
			if len(steps) > 1 {
				ok = true
			}
			path = append(path, steps...)
			typ = ft
		case typ.Kind() == reflect.Map && i == len(idents)-1 && typ.Key() == stringType && !hasMethod(typ, name):
			path = append(path, name)
		default:
			return nil, false
		}
	}
	if !ok {
		return nil, false
	}
	return path, true
}

var stringType = reflect.TypeFor[string]()

// fieldPath returns the names by which text/template reaches the exported
// field name of struct type typ one top-level field at a time, and the
// field's type; found is false when name is a method, is not an exported
// field, or is reached through an unexported or pointer embedding.
func fieldPath(typ reflect.Type, name string) (steps []string, ft reflect.Type, found bool) {
	if hasMethod(typ, name) {
		return nil, nil, false
	}
	f, ok := typ.FieldByName(name)
	if !ok || !f.IsExported() {
		return nil, nil, false
	}
	cur := typ
	for k, x := range f.Index {
		sf := cur.Field(x)
		if !sf.IsExported() || hasMethod(cur, sf.Name) {
			return nil, nil, false
		}
		// Each step must find this very field as a top-level one.
		if g, ok := cur.FieldByName(sf.Name); !ok || len(g.Index) != 1 || g.Index[0] != x {
			return nil, nil, false
		}
		steps = append(steps, sf.Name)
		if k < len(f.Index)-1 {
			if sf.Type.Kind() != reflect.Struct {
				return nil, nil, false
			}
			cur = sf.Type
		}
	}
	return steps, f.Type, true
}

// hasMethod reports whether text/template would find a method name on a
// value of type typ, addressable or not.
func hasMethod(typ reflect.Type, name string) bool {
	_, ok := reflect.PointerTo(typ).MethodByName(name)
	return ok
}
