// Package railsjson is encoding/json with Rails' times: every time.Time in
// the value, at any depth, is written as Rails writes an
// ActiveSupport::TimeWithZone (ISO 8601 with milliseconds and the zone,
// "2026-12-05T10:31:02.123Z"), where encoding/json writes RFC 3339 with
// nanoseconds ("2026-12-05T10:31:02.123456789Z"). Everything else is
// encoding/json's: tags, omitempty and omitzero, embedded structs, maps,
// and the MarshalJSON and MarshalText methods of other types.
//
// It works by encoding a mirror of the value: for a type that holds a
// time.Time, a struct type of the same exported fields and tags (built
// with reflect.StructOf) whose times are a type with Rails' MarshalJSON.
// A type without a time.Time is handed to encoding/json untouched, at the
// cost of one cached lookup. A recursive type that holds times keeps
// encoding/json's format (reflect cannot build a recursive mirror).
package railsjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"
	"time"
)

// Layout is Rails' JSON time format (Time#xmlschema(3)): milliseconds, and
// Z for UTC or the offset.
const Layout = "2006-01-02T15:04:05.000Z07:00"

// Marshal is json.Marshal with Rails' times.
func Marshal(v any) ([]byte, error) {
	return json.Marshal(Value(v))
}

// Value returns what to hand to an encoding/json encoder for v to be
// written with Rails' times: v itself when its type holds no time.Time,
// else its mirror.
func Value(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	p := planOf(rv.Type())
	if p == nil {
		return v
	}
	if p.kind == reflect.Struct && !p.time {
		// A pointer to the mirror encodes as the mirror does, without
		// the copy that Interface makes of a struct.
		out := reflect.New(p.mirror)
		p.set(out.Elem(), rv)
		return out.Interface()
	}
	return p.convert(rv).Interface()
}

// railsTime is a time.Time written in Layout. It is a TextMarshaler, not
// a json.Marshaler: encoding/json writes a MarshalText result as a string
// as it is, where it would scan and compact a MarshalJSON result.
type railsTime time.Time

// IsZero is time.Time's, for omitzero.
func (t railsTime) IsZero() bool { return time.Time(t).IsZero() }

func (t railsTime) MarshalText() ([]byte, error) {
	tt := time.Time(t)
	if y := tt.Year(); y < 0 || y > 9999 {
		return tt.MarshalText() // its error: out of RFC 3339's range
	}
	return tt.AppendFormat(make([]byte, 0, len(Layout)), Layout), nil
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	railsTimeType  = reflect.TypeFor[railsTime]()
	marshalerType  = reflect.TypeFor[json.Marshaler]()
	textMarshaler  = reflect.TypeFor[encoding.TextMarshaler]()
	emptyInterface = reflect.TypeFor[any]()
)

// plans caches, per type, its mirror plan (nil: the type holds no time and
// is encoded as it is). It is a memo of pure functions of the type, as
// encoding/json's own encoder cache is: nothing in it depends on a value.
var plans sync.Map // reflect.Type -> *plan (or noPlan)

var noPlan = &plan{}

// plan turns a value of one type into its mirror's.
type plan struct {
	mirror reflect.Type
	kind   reflect.Kind
	elem   *plan       // pointer, slice, array, map elements (nil: as they are)
	fields []fieldPlan // struct
	any    bool        // an interface{}: planned by its dynamic value
	time   bool
}

type fieldPlan struct {
	src  int   // the field's index in the source struct
	plan *plan // nil: copied as it is
}

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		if p == noPlan {
			return nil
		}
		return p.(*plan)
	}
	b := builder{busy: map[reflect.Type]bool{}}
	p := b.build(t)
	if p == nil || b.recursive {
		p = nil
		plans.Store(t, noPlan)
	} else {
		plans.Store(t, p)
	}
	return p
}

// builder builds the plan of one type.
type builder struct {
	busy      map[reflect.Type]bool // the types being built
	recursive bool                  // one of them was met again: no mirror
}

// build returns t's plan, nil when t holds no time.Time (or holds one
// only where the mirror cannot reach: another type's MarshalJSON).
func (b *builder) build(t reflect.Type) *plan {
	if t == timeType {
		return &plan{mirror: railsTimeType, kind: reflect.Struct, time: true}
	}
	if t.Kind() == reflect.Interface {
		if t.NumMethod() == 0 {
			return &plan{mirror: t, kind: reflect.Interface, any: true}
		}
		return nil
	}
	// A pointer is its element's: *time.Time has time's methods too.
	if t.Kind() != reflect.Pointer && (t.Implements(marshalerType) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshaler)) {
		return nil
	}
	if b.busy[t] {
		b.recursive = true
		return nil
	}
	b.busy[t] = true
	defer delete(b.busy, t)
	switch t.Kind() {
	case reflect.Pointer:
		if e := b.build(t.Elem()); e != nil {
			return &plan{mirror: reflect.PointerTo(e.mirror), kind: reflect.Pointer, elem: e}
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is base64
		}
		if e := b.build(t.Elem()); e != nil {
			return &plan{mirror: reflect.SliceOf(e.mirror), kind: reflect.Slice, elem: e}
		}
	case reflect.Array:
		if e := b.build(t.Elem()); e != nil {
			return &plan{mirror: reflect.ArrayOf(t.Len(), e.mirror), kind: reflect.Array, elem: e}
		}
	case reflect.Map:
		if e := b.build(t.Elem()); e != nil {
			return &plan{mirror: reflect.MapOf(t.Key(), e.mirror), kind: reflect.Map, elem: e}
		}
	case reflect.Struct:
		return b.buildStruct(t)
	}
	return nil
}

func (b *builder) buildStruct(t reflect.Type) *plan {
	var fields []reflect.StructField
	var fps []fieldPlan
	changed := false
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			// encoding/json reads the exported fields promoted from an
			// unexported embedded struct, which a mirror cannot copy
			// (reflect makes them read-only): such a struct keeps
			// encoding/json's format. Other unexported fields are not
			// encoded at all.
			changed = true
			if sf.Anonymous && sf.Tag.Get("json") != "-" && hasExported(sf.Type) {
				return nil
			}
			continue
		}
		fp := fieldPlan{src: i}
		mt := sf.Type
		if sf.Tag.Get("json") != "-" {
			if p := b.build(sf.Type); p != nil {
				fp.plan, mt, changed = p, p.mirror, true
			}
		}
		fields = append(fields, reflect.StructField{Name: sf.Name, Type: mt, Tag: sf.Tag, Anonymous: sf.Anonymous})
		fps = append(fps, fp)
	}
	if !changed || !holdsTime(fps) {
		return nil
	}
	return &plan{mirror: reflect.StructOf(fields), kind: reflect.Struct, fields: fps}
}

// hasExported reports whether t (or *t) is a struct with an exported field.
func hasExported(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// holdsTime reports whether a field's plan changes anything a mirror is
// for (a time, or an interface that may hold one).
func holdsTime(fps []fieldPlan) bool {
	for _, f := range fps {
		if f.plan != nil {
			return true
		}
	}
	return false
}

// convert returns v (of the plan's source type) as a value of the mirror.
func (p *plan) convert(v reflect.Value) reflect.Value {
	switch {
	case p.time:
		t, _ := reflect.TypeAssert[time.Time](v)
		return reflect.ValueOf(railsTime(t))
	case p.any:
		if v.IsNil() {
			return v
		}
		e := v.Elem()
		dp := planOf(e.Type())
		if dp == nil {
			return v
		}
		out := reflect.New(emptyInterface).Elem()
		out.Set(dp.convert(e))
		return out
	case p.kind == reflect.Map:
		if v.IsNil() {
			return reflect.Zero(p.mirror)
		}
		m := reflect.MakeMapWithSize(p.mirror, v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(it.Key(), p.elem.convert(it.Value()))
		}
		return m
	}
	out := reflect.New(p.mirror).Elem()
	p.set(out, v)
	return out
}

// set stores v (of the plan's source type) as the mirror's in dst, an
// addressable zero value of the mirror type: times, struct fields and
// elements are written in place, without boxing each into an interface.
func (p *plan) set(dst, v reflect.Value) {
	switch {
	case p.time:
		t, _ := reflect.TypeAssert[time.Time](v)
		*dst.Addr().Interface().(*railsTime) = railsTime(t)
	case p.any || p.kind == reflect.Map:
		dst.Set(p.convert(v))
	case p.kind == reflect.Pointer:
		if v.IsNil() {
			return
		}
		ptr := reflect.New(p.mirror.Elem())
		p.elem.set(ptr.Elem(), v.Elem())
		dst.Set(ptr)
	case p.kind == reflect.Slice:
		if v.IsNil() {
			return
		}
		s := reflect.MakeSlice(p.mirror, v.Len(), v.Len())
		for i := range v.Len() {
			p.elem.set(s.Index(i), v.Index(i))
		}
		dst.Set(s)
	case p.kind == reflect.Array:
		for i := range v.Len() {
			p.elem.set(dst.Index(i), v.Index(i))
		}
	case p.kind == reflect.Struct:
		for i, f := range p.fields {
			src := v.Field(f.src)
			if f.plan != nil {
				f.plan.set(dst.Field(i), src)
			} else {
				dst.Field(i).Set(src)
			}
		}
	}
}
