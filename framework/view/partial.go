package view

import (
	"context"
	"fmt"
	"html/template"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// renderPartial is the render helper: {{render . "form" "post" .Data.Post}}
// renders the partial _form with the local post and returns its output,
// escaped by the partial's own template.
func renderPartial(ctx *Context, name string, kv ...any) (html template.HTML, err error) {
	u, run, err := ctx.lookupPartial(name)
	if err != nil {
		return "", err
	}
	if bus := ctx.set.cfg.Events; bus.Enabled(event.KindRenderPartial) {
		defer ctx.instrumentPartial(u, name, 0, time.Now(), &err)
	}
	locals, err := localsOf(kv, 0)
	if err != nil {
		return "", fmt.Errorf("render %q: %w", name, err)
	}
	child := ctx.child(u, locals)
	buf := ctx.set.getBuf()
	defer ctx.set.putBuf(buf)
	if err := run(buf, child); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// renderCollection is render_collection: {{render_collection . "post"
// .Data.Posts}} renders _post once per element, with the element as the
// local post and its index as post_counter. "as" "item" renames the local;
// other pairs are extra locals.
func renderCollection(ctx *Context, name string, items any, kv ...any) (html template.HTML, err error) {
	return renderCollectionFrom(ctx, name, items, 0, kv...)
}

// renderCollectionFrom is renderCollection whose counter starts at first:
// the index of items[0] in the whole collection (a cached collection
// renders its misses alone, each with its own index).
func renderCollectionFrom(ctx *Context, name string, items any, first int, kv ...any) (html template.HTML, err error) {
	u, run, err := ctx.lookupPartial(name)
	if err != nil {
		return "", err
	}
	if bus := ctx.set.cfg.Events; bus.Enabled(event.KindRenderPartial) {
		n := -1
		if rv := reflect.ValueOf(items); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			n = rv.Len()
		}
		defer ctx.instrumentPartial(u, name, n, time.Now(), &err)
	}
	locals, err := localsOf(kv, 2)
	if err != nil {
		return "", fmt.Errorf("render_collection %q: %w", name, err)
	}
	as := strings.TrimPrefix(path.Base(name), "_")
	if v, ok := locals["as"].(string); ok {
		as = v
		delete(locals, "as")
	}
	counter := as + "_counter"
	child := ctx.child(u, locals)
	buf := ctx.set.getBuf()
	defer ctx.set.putBuf(buf)
	each := func(i int, item any) error {
		locals[as] = item
		locals[counter] = first + i
		return run(buf, child)
	}
	switch items := items.(type) {
	case nil:
		return "", nil
	case []any:
		for i, it := range items {
			if err := each(i, it); err != nil {
				return "", err
			}
		}
	default:
		rv := reflect.ValueOf(items)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return "", fmt.Errorf("%w: render_collection %q: %T is not a slice", ErrHelper, name, items)
		}
		for i := range rv.Len() {
			if err := each(i, rv.Index(i).Interface()); err != nil {
				return "", err
			}
		}
	}
	return template.HTML(buf.String()), nil
}

// withLocals is the locals helper, for partials included natively:
// {{template "posts/_post" (locals $ "post" .)}}.
func withLocals(ctx *Context, kv ...any) (*Context, error) {
	locals, err := localsOf(kv, 0)
	if err != nil {
		return nil, fmt.Errorf("locals: %w", err)
	}
	return ctx.child(ctx.u, locals), nil
}

// provided is content_for?: {{if provided . "sidebar"}} is true when the
// view defines the block sidebar.
func provided(ctx *Context, block string) bool { return ctx.u.provided[block] }

func (c *Context) child(u *unit, locals map[string]any) *Context {
	return &Context{Data: c.Data, Locals: locals, Helpers: c.Helpers, set: c.set, u: u, controller: c.controller, ctx: c.ctx}
}

// instrumentPartial emits the RenderPartial event of a partial render
// that started at start; count is the collection's length (-1: unknown),
// 0 for a single render.
func (c *Context) instrumentPartial(u *unit, name string, count int, start time.Time, err *error) {
	file := u.file
	if t, ok := c.u.partials[name]; ok && u == c.u {
		file = c.u.names[t]
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	c.set.cfg.Events.Emit(ctx, &event.RenderPartial{Identifier: file, Count: max(count, 0), Start: start, Duration: time.Since(start), Err: *err})
}

func (c *Context) lookupPartial(name string) (*unit, runner, error) {
	if c == nil || c.set == nil {
		return nil, nil, fmt.Errorf("%w: render needs the template's context as first argument", ErrHelper)
	}
	if t, ok := c.u.partials[name]; ok {
		return c.u, c.u.runs[t], nil
	}
	u, err := c.set.partialUnit(c.controller, name, c.u.format)
	if err != nil {
		return nil, nil, err
	}
	return u, u.run, nil
}

// localsOf turns "k1" v1 "k2" v2 into a map with room for extra entries.
func localsOf(kv []any, extra int) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of key/value arguments", ErrHelper)
	}
	m := make(map[string]any, len(kv)/2+extra)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("%w: key %v is %T, not a string", ErrHelper, kv[i], kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
