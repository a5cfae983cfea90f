package controller

import (
	"errors"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// ErrBadCallback is wrapped by the boot errors of callback and rescue
// declarations: a skip of a callback that is not in the chain, a callback
// typed on a struct the controller does not embed, a nil func.
var ErrBadCallback = errors.New("controller: invalid callback declaration")

// Callbacker is implemented by controller types that declare callbacks and
// rescue handlers. T is the declaring type itself:
//
//	func (c *PostsController) Callbacks(cb *controller.Chain[PostsController]) {
//		cb.Before((*PostsController).setPost, controller.Only("show", "edit"))
//	}
//
// Callbacks is called once per controller type at boot, on a zero value; it
// must only declare. The declarations of every struct the controller embeds
// (an ApplicationController, a concern) are collected first, deepest first,
// then the controller's own: Rails' inheritance, through embedding.
type Callbacker[T any] interface {
	Callbacks(cb *Chain[T])
}

// Chain records the callbacks and rescue handlers a controller type T
// declares. Its methods are called from T's Callbacks method, at boot.
type Chain[T any] struct {
	rec *recorder
}

// recorder collects the declarations of every level of one controller type.
type recorder struct {
	decls []decl
	errs  []error
}

// chainer lets the boot code, which only has reflect.Types, find out which
// type a Chain value is for and hand it a recorder.
type chainer interface {
	owner() reflect.Type
	setRecorder(*recorder)
}

func (c *Chain[T]) owner() reflect.Type     { return reflect.TypeFor[T]() }
func (c *Chain[T]) setRecorder(r *recorder) { c.rec = r }

type declKind uint8

const (
	kindBefore declKind = iota + 1
	kindAfter
	kindAround
	kindSkip
	kindRescue
	kindUse
)

func (k declKind) String() string {
	switch k {
	case kindBefore:
		return "before"
	case kindAfter:
		return "after"
	case kindAround:
		return "around"
	case kindSkip:
		return "skip"
	case kindUse:
		return "use"
	default:
		return "rescue"
	}
}

// decl is one declaration, with its receiver type erased: fn and around take
// a pointer to a value of type owner.
type decl struct {
	kind     declKind
	skipKind declKind // for kindSkip
	name     string   // the func's name, for skipping and messages
	owner    reflect.Type
	fn       func(unsafe.Pointer) error
	around   func(unsafe.Pointer, func() error) error
	opts     options
	// rescue
	match  func(error) bool
	rescue func(unsafe.Pointer, error) error
	// use
	dep  reflect.Type
	bind func(v any) func(unsafe.Pointer)
}

// Before adds a callback run before the action, in declaration order. A
// before callback that renders, redirects or calls Head halts the chain: the
// action and the after callbacks do not run. An error it returns goes to the
// rescue handlers.
func (c *Chain[T]) Before(fn func(*T) error, opts ...Option) {
	c.add(kindBefore, fn, opts, func(p unsafe.Pointer) error { return fn((*T)(p)) }, nil)
}

// After adds a callback run after the action (and its implicit render), in
// reverse declaration order, as Rails does. It does not run when the chain
// was halted or the action returned an error.
func (c *Chain[T]) After(fn func(*T) error, opts ...Option) {
	c.add(kindAfter, fn, opts, func(p unsafe.Pointer) error { return fn((*T)(p)) }, nil)
}

// Around adds a callback that wraps the rest of the chain: it runs the
// callbacks declared after it and the action by calling next, and may do
// work before and after. Not calling next halts the chain.
func (c *Chain[T]) Around(fn func(c *T, next func() error) error, opts ...Option) {
	c.add(kindAround, fn, opts, nil, func(p unsafe.Pointer, next func() error) error { return fn((*T)(p), next) })
}

func (c *Chain[T]) add(kind declKind, fn any, opts []Option, call func(unsafe.Pointer) error, around func(unsafe.Pointer, func() error) error) {
	o := applyOptions(opts)
	if o.with != nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: %s callback %s: With answers RateLimit only", reflect.TypeFor[T](), kind, displayName(funcName(fn))))
		return
	}
	c.addApplied(kind, fn, o, call, around)
}

func (c *Chain[T]) addApplied(kind declKind, fn any, o options, call func(unsafe.Pointer) error, around func(unsafe.Pointer, func() error) error) {
	if reflect.ValueOf(fn).IsNil() {
		c.rec.errs = append(c.rec.errs, errorf("%s: %s callback is nil", reflect.TypeFor[T](), kind))
		return
	}
	c.rec.decls = append(c.rec.decls, decl{
		kind: kind, name: funcName(fn), owner: reflect.TypeFor[T](),
		fn: call, around: around, opts: o,
	})
}

// SkipBefore removes a before callback declared earlier (typically by an
// embedded ApplicationController), for the actions Only/Except select, or
// when an If/Unless condition says so. fn is the callback's method
// expression, either form: (*ApplicationController).authenticate or
// (*PostsController).authenticate. Skipping a callback that is not in the
// chain fails the boot, as Rails' skip_before_action raises.
func (c *Chain[T]) SkipBefore(fn any, opts ...Option) { c.skip(kindBefore, fn, opts) }

// SkipAfter removes an after callback declared earlier; see SkipBefore.
func (c *Chain[T]) SkipAfter(fn any, opts ...Option) { c.skip(kindAfter, fn, opts) }

// SkipAround removes an around callback declared earlier; see SkipBefore.
func (c *Chain[T]) SkipAround(fn any, opts ...Option) { c.skip(kindAround, fn, opts) }

func (c *Chain[T]) skip(kind declKind, fn any, opts []Option) {
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		c.rec.errs = append(c.rec.errs, errorf("%s: skip %s callback: %T is not a func", reflect.TypeFor[T](), kind, fn))
		return
	}
	o := applyOptions(opts)
	if o.with != nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: skip %s callback %s: With answers RateLimit only", reflect.TypeFor[T](), kind, displayName(funcName(fn))))
		return
	}
	c.rec.decls = append(c.rec.decls, decl{
		kind: kindSkip, skipKind: kind, name: funcName(fn), owner: reflect.TypeFor[T](), opts: o,
	})
}

// funcName is the runtime name of a func, "app/controllers.(*PostsController).setPost".
func funcName(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "?"
	}
	return strings.TrimSuffix(f.Name(), "-fm")
}

// shortName is the method part of a func name, "setPost"; promoted method
// expressions ((*PostsController).authenticate for a method of the embedded
// ApplicationController) share it with the method they promote.
func shortName(name string) string {
	return name[strings.LastIndexByte(name, '.')+1:]
}

// displayName is "(*PostsController).setPost".
func displayName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 && strings.Contains(name[i:], ").") {
		return name[i+1:]
	}
	return name
}

// Option selects when a callback (or a skip) applies.
type Option func(*options)

type options struct {
	only, except []string
	conds        []cond
	with         *answer // RateLimit's answer past the limit (With)
}

// answer is a With answer, its receiver type erased.
type answer struct {
	owner reflect.Type
	fn    func(p unsafe.Pointer, retryAfter time.Duration) error
}

// cond is an If or Unless condition, its receiver type erased.
type cond struct {
	owner  reflect.Type
	fn     func(unsafe.Pointer) bool
	negate bool
}

func applyOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// Only applies the callback to the named actions only ("show", "edit").
func Only(actions ...string) Option {
	return func(o *options) { o.only = append(o.only, actions...) }
}

// Except applies the callback to every action but the named ones.
func Except(actions ...string) Option {
	return func(o *options) { o.except = append(o.except, actions...) }
}

// If applies the callback only when cond returns true for the request's
// controller. cond is evaluated per request; it is usually a method
// expression such as (*PostsController).isAPI, of the controller or of a
// struct it embeds.
func If[T any](cond func(*T) bool) Option {
	return condOption(cond, false)
}

// Unless applies the callback only when cond returns false.
func Unless[T any](cond func(*T) bool) Option {
	return condOption(cond, true)
}

func condOption[T any](fn func(*T) bool, negate bool) Option {
	return func(o *options) {
		if fn == nil {
			return
		}
		o.conds = append(o.conds, cond{
			owner:  reflect.TypeFor[T](),
			fn:     func(p unsafe.Pointer) bool { return fn((*T)(p)) },
			negate: negate,
		})
	}
}

// With gives RateLimit its answer to a request over the limit, as Rails
// 8's rate_limit with: does (Rails' generated SessionsController redirects
// to the sign-in form with "Try again later."). answer is called instead of
// the default 429, with the time until the client may try again; it is
// usually a method expression of the controller or of a struct it embeds.
// An answer that neither renders, redirects nor fails leaves the default
// 429; the chain halts either way. With on any callback but RateLimit fails the
// boot.
func With[T any](fn func(c *T, retryAfter time.Duration) error) Option {
	return func(o *options) {
		if fn == nil {
			return
		}
		o.with = &answer{owner: reflect.TypeFor[T](), fn: func(p unsafe.Pointer, d time.Duration) error { return fn((*T)(p), d) }}
	}
}

// appliesTo reports whether Only/Except select the action.
func (o *options) appliesTo(action string) bool {
	if len(o.only) > 0 && !contains(o.only, action) {
		return false
	}
	return !contains(o.except, action)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
