package controller

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// viewData is what the views of one controller type see as .Data: its
// exported fields (those of the structs it embeds by value included), and
// nothing else.
//
// Boot builds, by reflection, a struct type with those fields at the very
// offsets they have in the controller, the bytes between them covered by
// unexported padding. Per request the view gets the controller's own memory
// seen through that type: reflect.NewAt, no copy, no allocation. The type
// has no methods, so {{.Data.Head 500}} or {{.Data.Redirect "/"}} has
// nothing to call: the view can read the action's assigns and cannot act
// for the controller. (A copy into a map or a fresh struct would cost an
// allocation per field and render; an interface would put methods back.)
type viewData struct {
	typ    reflect.Type // the struct type the views see
	fields []string     // its field names, in offset order, for messages
}

// padPkg makes the padding fields unexported: templates cannot read them.
const padPkg = "github.com/gorails/gorails/framework/controller"

func newViewData(t reflect.Type) (*viewData, error) {
	type field struct {
		f   reflect.StructField
		off uintptr
	}
	var fields []field
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		if off, ok := offsetInValue(t, f.Index); ok {
			fields = append(fields, field{f, off})
		}
	}
	slices.SortFunc(fields, func(a, b field) int { return int(a.off) - int(b.off) })
	var sf []reflect.StructField
	vd := &viewData{}
	var end uintptr
	for i, fd := range fields {
		if fd.off > end {
			sf = append(sf, reflect.StructField{Name: fmt.Sprintf("pad%d", i), PkgPath: padPkg, Type: reflect.ArrayOf(int(fd.off-end), reflect.TypeFor[byte]())})
		}
		sf = append(sf, reflect.StructField{Name: fd.f.Name, Type: fd.f.Type, Tag: fd.f.Tag})
		vd.fields = append(vd.fields, fd.f.Name)
		end = fd.off + fd.f.Type.Size()
	}
	vd.typ = reflect.StructOf(sf)
	// The layout must match field for field, or the views would read
	// garbage; StructOf aligns as the compiler does, so this holds, and is
	// checked rather than trusted.
	j := 0
	for i := range vd.typ.NumField() {
		f := vd.typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Offset != fields[j].off {
			return nil, fmt.Errorf("controller %s: cannot lay out its view data: field %s at %d, not %d", t, f.Name, f.Offset, fields[j].off)
		}
		j++
	}
	if vd.typ.Size() > t.Size() {
		return nil, fmt.Errorf("controller %s: cannot lay out its view data: %d bytes for a %d-byte controller", t, vd.typ.Size(), t.Size())
	}
	return vd, nil
}

// offsetInValue is the offset of the field at index within a value of type
// t, or false when the path goes through a pointer (an embedded *T's
// fields live elsewhere and are left out of the view data).
func offsetInValue(t reflect.Type, index []int) (uintptr, bool) {
	var off uintptr
	for i, x := range index {
		f := t.Field(x)
		off += f.Offset
		if i < len(index)-1 {
			if f.Type.Kind() != reflect.Struct {
				return 0, false
			}
			t = f.Type
		}
	}
	return off, true
}

// data is the current controller's view data: its own memory seen as the
// type's view data struct.
func (b *Base) data() any {
	vd := b.act.ti.data
	return reflect.NewAt(vd.typ, b.act.ti.layout.self(b)).Interface()
}

// noteViews records that controller type t renders views from path, for
// CheckViews.
func (e *Env) noteViews(t reflect.Type, path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := viewsKey{t, path}
	if !slices.Contains(e.views, k) {
		e.views = append(e.views, k)
	}
}

// CheckViews checks the views of every controller routed so far (through
// Invoke, when the route set drew) against what they will be rendered
// with: each template in the controller's folder, with its layout and the
// partials it names, must parse and compile (so a route helper or another
// function it names must exist), and every .Data.Name it reads must be an
// exported field of the controller (and .Data.Post.Title a field or method
// of what it names). A view that calls a controller method,
// {{.Data.Head 500}}, fails here. It returns the problems joined, each
// naming the template's file and line; nil without Views. The framework
// calls it at boot (test and production fail on an error; development
// logs it) and an app's tests boot the app, so they call it too.
func (e *Env) CheckViews() error {
	if e.Views == nil {
		return nil
	}
	e.mu.Lock()
	keys := slices.Clone(e.views)
	types := make([]*typeInfo, len(keys))
	for i, k := range keys {
		types[i] = e.types[k.typ]
	}
	e.mu.Unlock()
	var errs []error
	for i, k := range keys {
		if err := e.Views.CheckData(k.path, types[i].data.typ, k.typ.Name()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
