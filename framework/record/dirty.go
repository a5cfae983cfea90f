package record

import (
	"reflect"
	"slices"
	"time"
	"unsafe"
)

type timeT = time.Time

func timeAt(base unsafe.Pointer, f *field) *time.Time { return (*time.Time)(unsafe.Add(base, f.off)) }

func intAt(base unsafe.Pointer, f *field) int64 {
	return reflect.NewAt(f.typ, unsafe.Add(base, f.off)).Elem().Int()
}

// Change is one attribute's unsaved change.
type Change struct{ From, To any }

// cachedPlan returns T's plan on db; a type never registered gets a plan
// built from the struct alone (not cached, not checked).
func cachedPlan[T any](db *DB) *plan {
	if p, ok := db.plans.Load(typeKey[T]()); ok {
		return p.(*plan)
	}
	p, err := buildPlan(typeKey[T]())
	if err != nil {
		panic(err) // T is not a model: a programming error
	}
	return p
}

// Changes returns the attributes (by column) whose values differ from those
// loaded or last saved. For a new record, every attribute that is not zero.
func Changes[T any](ex Executor, m *T) map[string]Change {
	p := cachedPlan[T](ex.on())
	base := unsafe.Pointer(m)
	orig, _ := p.state(base).orig.(*T)
	if orig == nil {
		orig = new(T)
	}
	out := map[string]Change{}
	for _, f := range p.fields {
		if !f.eq(base, unsafe.Pointer(orig)) {
			out[f.column] = Change{From: f.val(unsafe.Pointer(orig)), To: f.val(base)}
		}
	}
	return out
}

// Changed reports whether any of attrs (columns), or any attribute when none
// is given, has an unsaved change.
func Changed[T any](ex Executor, m *T, attrs ...string) bool {
	ch := Changes(ex, m)
	if len(attrs) == 0 {
		return len(ch) > 0
	}
	for _, a := range attrs {
		if _, ok := ch[a]; ok {
			return true
		}
	}
	return false
}

// WasChanged reports whether the last save wrote attr (a column).
func WasChanged[T any](ex Executor, m *T, attr string) bool {
	p := cachedPlan[T](ex.on())
	return slices.Contains(p.state(unsafe.Pointer(m)).saved, attr)
}
