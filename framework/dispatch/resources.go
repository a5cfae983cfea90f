package dispatch

import (
	"fmt"
	"net/http"
)

// Resources draws Rails' seven resource routes for the actions res has
// (index, create, new, edit, show, update, destroy), named like Rails
// (posts, new_post, edit_post, post). args are Options (As, Path, Param,
// Only, Except, Shallow, Constrain, Format, Module) and an optional block
// whose routes are nested under /posts/:post_id (or drawn in Member and
// Collection blocks).
func (m *Mapper) Resources(name string, res Resource, args ...any) {
	o, block := m.splitArgs("resources "+name, args)
	m.resources(name, res, false, o, block)
}

// Resource draws Rails' six singular resource routes (no index, no :id) for
// the actions res has: new, edit, show, update, destroy, create.
func (m *Mapper) Resource(name string, res Resource, args ...any) {
	o, block := m.splitArgs("resource "+name, args)
	m.resources(name, res, true, o, block)
}

// resources is Rails' apply_common_behavior_for plus resources/resource.
func (m *Mapper) resources(name string, res Resource, singleton bool, o *options, block func(*Mapper)) {
	if res.actions == nil {
		m.d.fail(fmt.Errorf("dispatch: resources %q: zero Resource, use dispatch.For: %w", name, ErrInvalidTarget))
		return
	}
	if o.shallow {
		o.shallow = false
		m.Shallow(func(m *Mapper) { m.resources(name, res, singleton, o, block) })
		return
	}
	if m.sc.resourceScope() {
		m.nested(func(m *Mapper) { m.resources(name, res, singleton, o, block) })
		return
	}
	level := levelResources
	if singleton {
		level = levelResource
	}
	r, err := newResource(name, res, singleton, m.sc.shallow, o)
	if err != nil {
		m.d.fail(err)
		return
	}
	scoped := *o // Rails hands every non-resource option to scope
	scoped.asSet, scoped.pathSet = false, false
	sc := m.sc.with(&scoped).child(level)
	sc.res, sc.ownsRes = r, true
	base := res.base
	sc.ctrl = &base
	mm := m.in(sc)
	if block != nil {
		block(mm)
	}
	mm.Concerns(o.concerns...) // Rails draws them after the block, before the resource's own routes
	mm.drawResource(r)
}

func (m *Mapper) drawResource(r *resource) {
	get, post := []string{http.MethodGet}, []string{http.MethodPost}
	if !r.singleton {
		m.collection(func(m *Mapper) {
			m.standard(r, "index", get)
			m.standard(r, "create", post)
		})
	}
	if r.has("new") {
		m.newScope(func(m *Mapper) { m.standard(r, "new", get) })
	}
	m.member(func(m *Mapper) {
		m.standard(r, "edit", get)
		m.standard(r, "show", get)
		m.standard(r, "update", []string{http.MethodPatch})
		m.standard(r, "update", []string{http.MethodPut})
		m.standard(r, "destroy", []string{http.MethodDelete})
	})
	if r.singleton {
		m.collection(func(m *Mapper) { m.standard(r, "create", post) })
	}
}

func (m *Mapper) standard(r *resource, action string, verbs []string) {
	if r.has(action) {
		m.addRoute(action, false, r.target.target(action), verbs, &options{})
	}
}

// Member draws routes on one member of the enclosing resources, under
// /posts/:id and named like preview_post.
func (m *Mapper) Member(fn func(*Mapper)) {
	if m.requireResource("Member") {
		m.member(fn)
	}
}

// Collection draws routes on the enclosing resources' collection, under
// /posts and named like search_posts.
func (m *Mapper) Collection(fn func(*Mapper)) {
	if m.requireResource("Collection") {
		m.collection(fn)
	}
}

func (m *Mapper) requireResource(call string) bool {
	if m.sc.resourceScope() {
		return true
	}
	m.d.fail(fmt.Errorf("dispatch: %s can't be used outside a Resources or Resource block: %w", call, ErrInvalidRoute))
	return false
}

func (m *Mapper) member(fn func(*Mapper)) {
	res := m.sc.res
	c := m.sc.child(levelMember)
	if m.sc.isShallow() {
		c = c.shallowScope()
	}
	c.path = joinPath(c.path, res.memberScope())
	fn(m.in(c))
}

func (m *Mapper) collection(fn func(*Mapper)) {
	c := m.sc.child(levelCollection)
	c.path = joinPath(c.path, m.sc.res.path)
	fn(m.in(c))
}

func (m *Mapper) newScope(fn func(*Mapper)) {
	c := m.sc.child(levelNew)
	c.path = joinPath(c.path, m.sc.res.path+"/"+m.sc.actionPath("new"))
	fn(m.in(c))
}

// nested is Rails' nested: routes under /posts/:post_id named post_*.
func (m *Mapper) nested(fn func(*Mapper)) {
	res := m.sc.res
	c := m.sc.child(levelNested)
	if m.sc.isShallow() && m.sc.shallowNestingDepth() >= 1 {
		c = c.shallowScope()
	}
	c.path = joinPath(c.path, res.nestedScope())
	c.as = mergeAs(c.as, res.memberName)
	if p := m.sc.constraint(res.param); p != "" && !res.singleton {
		c.cons = append(append([]paramConstraint(nil), c.cons...), paramConstraint{res.nestedParam(), p})
	}
	fn(m.in(c))
}

// Shallow draws the resources in fn with shallow nesting (Rails' shallow do).
func (m *Mapper) Shallow(fn func(*Mapper)) {
	c := m.sc.child(m.sc.level)
	c.shallow = true
	fn(m.in(c))
}

// Namespace draws fn under path /name, with route names prefixed name_ and
// controllers in module name ("admin/users"). Options As, Path and Module
// override each part.
func (m *Mapper) Namespace(name string, args ...any) {
	o, block := m.splitArgs("namespace "+name, args)
	path := name
	if o.pathSet {
		path = o.path
	}
	as := name
	if o.asSet {
		as = o.as
	}
	module := name
	if o.moduleSet {
		module = o.module
	}
	c := m.sc.with(o).child(m.sc.level)
	c.path = joinPath(c.path, path)
	c.as = mergeAs(m.sc.as, as)
	c.module = mergeModule(m.sc.module, module)
	c.shallowPath = joinPath(m.sc.shallowPath, path)
	c.shallowPrefix = mergeAs(m.sc.shallowPrefix, as)
	m.run(c, block)
}

// Scope draws fn under path (which may be ""), with the options As (name
// prefix), Module (controller namespace), Constrain, Host, Subdomain, When
// and Format applied to every route inside.
func (m *Mapper) Scope(path string, args ...any) {
	o, block := m.splitArgs("scope "+path, args)
	c := m.sc.with(o)
	c.path = joinPath(c.path, path)
	m.run(c, block)
}

// Constraints applies constraint options (Constrain, Host, Subdomain, When,
// Format) to the routes drawn in the block.
func (m *Mapper) Constraints(args ...any) {
	o, block := m.splitArgs("constraints", args)
	m.run(m.sc.with(o), block)
}

func (m *Mapper) run(c *scope, block func(*Mapper)) {
	if block == nil {
		m.d.fail(fmt.Errorf("dispatch: scope %q without a block: %w", c.path, ErrInvalidRoute))
		return
	}
	block(m.in(c))
}
