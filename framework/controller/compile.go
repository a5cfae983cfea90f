package controller

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/gorails/gorails/framework/dispatch"

	"github.com/gorails/gorails/internal/inflect"
)

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadCallback}, args...)...)
}

// typeInfo is what boot learns about one controller type: its embedding
// layout and its declarations, parents first. It is built once per type and
// Env, and read-only afterwards.
type typeInfo struct {
	layout   *layout
	decls    []decl
	rescuers []rescuer
}

// typeInfoFor returns the (cached) type info of the controller type t.
func (e *Env) typeInfoFor(t reflect.Type) (*typeInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ti, ok := e.types[t]; ok {
		return ti, nil
	}
	ti, err := newTypeInfo(t)
	if err != nil {
		return nil, err
	}
	if e.types == nil {
		e.types = make(map[reflect.Type]*typeInfo)
	}
	e.types[t] = ti
	return ti, nil
}

func newTypeInfo(t reflect.Type) (*typeInfo, error) {
	lay, err := newLayout(t)
	if err != nil {
		return nil, err
	}
	ti := &typeInfo{layout: lay}
	rec := &recorder{}
	for _, lv := range lay.levels {
		if err := declare(lay, lv.typ, rec); err != nil {
			return nil, err
		}
	}
	if len(rec.errs) > 0 {
		return nil, errors.Join(rec.errs...)
	}
	ti.decls = rec.decls
	actions := actionNames(t)
	var errs []error
	for i := range ti.decls {
		d := &ti.decls[i]
		if d.owner == t {
			for _, a := range slices.Concat(d.opts.only, d.opts.except) {
				if !actions[a] {
					errs = append(errs, errorf("%s: %s %s names action %q, which %s does not have (Only and Except take action names such as \"show\")", t, d.kind, displayName(d.name), a, t))
				}
			}
		}
		if d.kind == kindSkip && !ti.declaredBefore(i) {
			errs = append(errs, errorf("%s: skip %s callback %s: no such %s callback was declared before the skip", d.owner, d.skipKind, displayName(d.name), d.skipKind))
		}
		if d.kind == kindRescue {
			off, err := lay.offsetOf(d.owner)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ti.rescuers = append(ti.rescuers, rescuer{off: off, match: d.match, handle: d.rescue})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ti, nil
}

var errorType = reflect.TypeFor[error]()

// actionNames are the actions of controller type t, as dispatch names them:
// its methods of type func() error, snake_cased ("ShowAll" -> "show_all").
func actionNames(t reflect.Type) map[string]bool {
	pt := reflect.PointerTo(t)
	names := make(map[string]bool, pt.NumMethod())
	for i := range pt.NumMethod() {
		m := pt.Method(i)
		if m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0) == errorType {
			names[inflect.Underscore(m.Name)] = true
		}
	}
	return names
}

// declare calls the Callbacks method that the struct type s declares itself
// (not one promoted from a struct it embeds: that one is collected at its
// own level), on a zero value, with a Chain[s] recording into rec.
func declare(lay *layout, s reflect.Type, rec *recorder) error {
	m, ok := reflect.PointerTo(s).MethodByName("Callbacks")
	if !ok {
		return nil
	}
	bad := fmt.Errorf("%w: %s.Callbacks must have the signature Callbacks(cb *controller.Chain[%s])", ErrBadCallback, s, s.Name())
	if m.Type.NumIn() != 2 || m.Type.NumOut() != 0 || m.Type.In(1).Kind() != reflect.Pointer {
		return bad
	}
	chainVal := reflect.New(m.Type.In(1).Elem())
	ch, ok := chainVal.Interface().(chainer)
	if !ok {
		return bad
	}
	if owner := ch.owner(); owner != s {
		if _, err := lay.offsetOf(owner); err == nil {
			return nil // promoted from an embedded struct
		}
		return bad
	}
	ch.setRecorder(rec)
	m.Func.Call([]reflect.Value{reflect.New(s), chainVal})
	return nil
}

// declaredBefore reports whether the skip at index i names a callback of
// its kind declared earlier.
func (ti *typeInfo) declaredBefore(i int) bool {
	skip := &ti.decls[i]
	for j := range i {
		if d := &ti.decls[j]; d.kind == skip.skipKind && sameCallback(d.name, skip.name) {
			return true
		}
	}
	return false
}

// sameCallback matches a skip to a callback: the same func, or the same
// method name (a promoted method expression names the method it promotes).
func sameCallback(callback, skip string) bool {
	return callback == skip || shortName(callback) == shortName(skip)
}

// rcond is a condition with its receiver's offset resolved.
type rcond struct {
	off    uintptr
	fn     func(unsafe.Pointer) bool
	negate bool
}

func (c *rcond) holds(self unsafe.Pointer) bool {
	return c.fn(unsafe.Add(self, c.off)) != c.negate
}

// step is one callback compiled for one action.
type step struct {
	name   string
	off    uintptr
	fn     func(unsafe.Pointer) error
	around func(unsafe.Pointer, func() error) error
	conds  []rcond   // all must hold
	skips  [][]rcond // skipped when every condition of one group holds
}

func (s *step) enabled(self unsafe.Pointer) bool {
	for i := range s.conds {
		if !s.conds[i].holds(self) {
			return false
		}
	}
	for _, group := range s.skips {
		all := true
		for i := range group {
			if !group[i].holds(self) {
				all = false
				break
			}
		}
		if all {
			return false
		}
	}
	return true
}

// sequence is Rails' CallbackSequence: befores, then the nested sequence
// wrapped by an around callback (or the action), then afters.
type sequence struct {
	before []step
	after  []step // in run order
	around *step  // nil in the innermost sequence
	nested *sequence
}

// compile builds the callback sequence of one action, following Rails'
// ActiveSupport::Callbacks: walking the declarations backwards, a before is
// prepended to the current sequence, an after appended, and an around wraps
// the current sequence in a new one.
func (ti *typeInfo) compile(action string) (*sequence, error) {
	steps, kinds, err := ti.active(action)
	if err != nil {
		return nil, err
	}
	seq := &sequence{}
	for i := len(steps) - 1; i >= 0; i-- {
		switch kinds[i] {
		case kindBefore:
			seq.before = append([]step{steps[i]}, seq.before...)
		case kindAfter:
			seq.after = append(seq.after, steps[i])
		case kindAround:
			st := steps[i]
			seq = &sequence{around: &st, nested: seq}
		}
	}
	return seq, nil
}

// active lists the callbacks that apply to action, after skips.
func (ti *typeInfo) active(action string) ([]step, []declKind, error) {
	var steps []step
	var kinds []declKind
	for i := range ti.decls {
		d := &ti.decls[i]
		if d.kind == kindRescue || !d.opts.appliesTo(action) {
			continue
		}
		conds, err := ti.resolve(d.opts.conds)
		if err != nil {
			return nil, nil, err
		}
		if d.kind == kindSkip {
			for j := range steps {
				if kinds[j] != d.skipKind || !sameCallback(steps[j].name, d.name) {
					continue
				}
				if len(conds) == 0 {
					kinds[j] = 0 // removed
				} else {
					steps[j].skips = append(steps[j].skips, conds)
				}
			}
			continue
		}
		off, err := ti.layout.offsetOf(d.owner)
		if err != nil {
			return nil, nil, err
		}
		steps = append(steps, step{name: d.name, off: off, fn: d.fn, around: d.around, conds: conds})
		kinds = append(kinds, d.kind)
	}
	return steps, kinds, nil
}

func (ti *typeInfo) resolve(conds []cond) ([]rcond, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	out := make([]rcond, len(conds))
	for i, c := range conds {
		off, err := ti.layout.offsetOf(c.owner)
		if err != nil {
			return nil, err
		}
		out[i] = rcond{off: off, fn: c.fn, negate: c.negate}
	}
	return out, nil
}

// run runs the sequence for one request. self is the controller, b its Base.
func (s *sequence) run(self unsafe.Pointer, b *Base, c dispatch.Controller, w *wrapper) error {
	for i := range s.before {
		st := &s.before[i]
		if !st.enabled(self) {
			continue
		}
		if err := st.fn(unsafe.Add(self, st.off)); err != nil {
			return err
		}
		if b.performed {
			b.halted = true
			return nil
		}
	}
	var err error
	switch {
	case s.around != nil && s.around.enabled(self):
		called := false
		err = s.around.around(unsafe.Add(self, s.around.off), func() error {
			called = true
			return s.nested.run(self, b, c, w)
		})
		if !called {
			b.halted = true
		}
	case s.around != nil:
		err = s.nested.run(self, b, c, w)
	default:
		err = w.act(b, c)
	}
	if err != nil || b.halted {
		return err
	}
	for i := range s.after {
		st := &s.after[i]
		if !st.enabled(self) {
			continue
		}
		if err := st.fn(unsafe.Add(self, st.off)); err != nil {
			return err
		}
	}
	return nil
}
