package view

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// Models reach view through these small, optional interfaces; view never
// imports record. Without them, view reads exported struct fields (found
// once per type and cached): the field ID for identity, and fields by their
// snake_case names ("author_id" -> AuthorID).

// FieldErrors is a model with validation errors, for form_with.
type FieldErrors interface {
	ErrorsOn(field string) []string
}

// ModelNamer names a model for params and DOM ids ("post"); default: its
// type name in snake_case.
type ModelNamer interface {
	ModelName() string
}

// Persister tells whether a model is saved (form_with: PATCH to the member
// URL vs POST to the collection); default: a non-zero ID field.
type Persister interface {
	Persisted() bool
}

// FieldValuer gives a model's field value by name, in place of reflection.
type FieldValuer interface {
	FieldValue(field string) (any, bool)
}

// typeInfo is what view knows of a model type, computed once per Set.
type typeInfo struct {
	name   string           // "blog_post"
	fields map[string][]int // snake_case name -> field index
	id     []int            // index of ID, nil if none
}

func (s *Set) typeInfo(t reflect.Type) *typeInfo {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if ti, ok := s.types.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{name: inflect.Underscore(t.Name()), fields: make(map[string][]int)}
	if t.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(t) {
			if !f.IsExported() || f.Anonymous {
				continue
			}
			name := inflect.Underscore(f.Name)
			if _, dup := ti.fields[name]; !dup {
				ti.fields[name] = f.Index
			}
		}
		ti.id = ti.fields["id"]
	}
	v, _ := s.types.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

func (s *Set) modelName(m any) string {
	if n, ok := m.(ModelNamer); ok {
		return n.ModelName()
	}
	if m == nil {
		return ""
	}
	return s.typeInfo(reflect.TypeOf(m)).name
}

// fieldValue returns the model's field value, or nil.
func (s *Set) fieldValue(m any, field string) any {
	switch m := m.(type) {
	case nil:
		return nil
	case FieldValuer:
		v, _ := m.FieldValue(field)
		return v
	case map[string]any:
		return m[field]
	case map[string]string:
		return m[field]
	}
	idx, ok := s.typeInfo(reflect.TypeOf(m)).fields[field]
	if !ok {
		return nil
	}
	return fieldByIndex(m, idx)
}

func fieldByIndex(m any, idx []int) any {
	v := reflect.ValueOf(m)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	f, err := v.FieldByIndexErr(idx)
	if err != nil {
		return nil
	}
	return f.Interface()
}

// modelID returns the model's ID formatted, "" if it has none or it is zero.
func (s *Set) modelID(m any) string {
	if m == nil {
		return ""
	}
	var id any
	if fv, ok := m.(FieldValuer); ok {
		id, _ = fv.FieldValue("id")
	} else if idx := s.typeInfo(reflect.TypeOf(m)).id; idx != nil {
		id = fieldByIndex(m, idx)
	}
	if id == nil || reflect.ValueOf(id).IsZero() {
		return ""
	}
	return fmt.Sprint(id)
}

func (s *Set) persisted(m any) bool {
	if p, ok := m.(Persister); ok {
		return p.Persisted()
	}
	return s.modelID(m) != ""
}

// domID is dom_id: "post_12" for a saved post, "new_post" for a new one;
// a prefix gives "edit_post_12".
func (s *Set) domID(m any, prefix ...string) string {
	id := s.modelID(m)
	if id == "" {
		if len(prefix) == 0 {
			prefix = []string{"new"}
		}
		return s.domClass(m, prefix...)
	}
	return s.domClass(m, prefix...) + "_" + id
}

// domClass is dom_class: "post", or "edit_post" with a prefix.
func (s *Set) domClass(m any, prefix ...string) string {
	name := s.modelName(m)
	if len(prefix) > 0 && prefix[0] != "" {
		return strings.Join(prefix, "_") + "_" + name
	}
	return name
}
