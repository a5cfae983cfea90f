package controller

import (
	"fmt"
	"reflect"
	"unsafe"
)

// baseType is the type every controller embeds.
var baseType = reflect.TypeFor[Base]()

// level is one struct of a controller's embedding tree: the controller type
// itself (offset 0) or a struct it embeds by value, at its byte offset from
// the start of the controller.
type level struct {
	typ    reflect.Type
	offset uintptr
	depth  int
}

// layout is a controller type's embedding tree, computed once at boot by
// reflection. Per request, receivers are reached by pointer arithmetic from
// the embedded Base: no reflection.
type layout struct {
	typ     reflect.Type
	levels  []level // depth-first, embedded structs before their embedder
	baseOff uintptr // offset of the embedded Base
}

// newLayout walks the structs t embeds by value. Base must be among them,
// reachable through value embedding only (a *Base or a pointer to a struct
// embedding Base cannot be reached from the controller's own memory).
func newLayout(t reflect.Type) (*layout, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("controller %s is not a struct type", t)
	}
	l := &layout{typ: t}
	l.walk(t, 0, 0)
	found := 0
	for _, lv := range l.levels {
		if lv.typ == baseType {
			l.baseOff = lv.offset
			found++
		}
	}
	switch {
	case found == 0:
		return nil, fmt.Errorf("controller %s does not embed controller.Base by value (a *Base or a pointer to an embedding struct is not supported)", t)
	case found > 1:
		return nil, fmt.Errorf("controller %s embeds controller.Base more than once", t)
	}
	return l, nil
}

func (l *layout) walk(t reflect.Type, off uintptr, depth int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			l.walk(f.Type, off+f.Offset, depth+1)
		}
	}
	l.levels = append(l.levels, level{typ: t, offset: off, depth: depth})
}

// offsetOf returns where the struct of type t lives inside the controller. A
// type embedded twice is ambiguous, as Go's own selector rules say.
func (l *layout) offsetOf(t reflect.Type) (uintptr, error) {
	var off uintptr
	n := 0
	for _, lv := range l.levels {
		if lv.typ == t {
			off = lv.offset
			n++
		}
	}
	switch n {
	case 0:
		return 0, fmt.Errorf("%w: %s is not %s and is not embedded in it by value", ErrBadCallback, t, l.typ)
	case 1:
		return off, nil
	default:
		return 0, fmt.Errorf("%w: %s is embedded %d times in %s; its callbacks' receiver is ambiguous", ErrBadCallback, t, n, l.typ)
	}
}

// self returns the start of the controller that holds b. b was reached from
// the controller through Base's promoted base method, so it lies baseOff
// bytes into the same allocation.
func (l *layout) self(b *Base) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(b), -int(l.baseOff))
}
