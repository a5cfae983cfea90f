package dispatch

import (
	"fmt"
	"slices"

	"github.com/gorails/gorails/internal/inflect"
)

// resource is Rails' Mapper::Resource / SingletonResource: the names and
// paths one resources or resource call draws with.
type resource struct {
	target         Resource
	singleton      bool
	path           string
	param          string
	collectionName string
	memberName     string
	shallow        bool
	actions        []string // to draw, in Rails' order
}

var defaultResourceActions = []string{"index", "create", "new", "edit", "show", "update", "destroy"}

func newResource(name string, t Resource, singleton, shallow bool, o *options) (*resource, error) {
	r := &resource{target: t, singleton: singleton, path: name, param: "id", shallow: shallow}
	if o.pathSet {
		r.path = o.path
	}
	if o.param != "" {
		r.param = o.param
	}
	if o.asSet {
		name = o.as
	}
	r.memberName = name
	r.collectionName = name
	if !singleton {
		r.memberName = inflect.Singularize(name)
		if r.memberName == name {
			r.collectionName = name + "_index"
		}
	}
	acts, err := resourceActions(name, t, singleton, o)
	r.actions = acts
	return r, err
}

// resourceActions applies Only/Except to the standard actions and keeps
// those the controller type has. Naming an action the type lacks is an error.
func resourceActions(name string, t Resource, singleton bool, o *options) ([]string, error) {
	want := defaultResourceActions
	if singleton {
		want = want[1:] // no index
	}
	for _, a := range append(append([]string(nil), o.only...), o.except...) {
		if !slices.Contains(want, a) {
			return nil, fmt.Errorf("dispatch: resources %q: unknown action %q in Only/Except: %w", name, a, ErrInvalidRoute)
		}
	}
	var out []string
	for _, a := range want {
		if (o.onlySet && !slices.Contains(o.only, a)) || slices.Contains(o.except, a) {
			continue
		}
		if t.actions[a] == nil {
			if o.onlySet {
				return nil, fmt.Errorf("dispatch: resources %q: %s has no %s action: %w", name, t.base.typeName, a, ErrInvalidRoute)
			}
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

func (r *resource) has(action string) bool { return slices.Contains(r.actions, action) }

func (r *resource) nestedParam() string { return r.memberName + "_" + r.param }

func (r *resource) memberScope() string {
	if r.singleton {
		return r.path
	}
	return r.path + "/:" + r.param
}

func (r *resource) nestedScope() string {
	if r.singleton {
		return r.path
	}
	return r.path + "/:" + r.nestedParam()
}
