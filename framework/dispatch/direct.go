package dispatch

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// DirectFunc builds the URL of a direct route ([Mapper.Direct]) from the
// args its helper was called with: a full URL ("https://rubyonrails.org")
// or a path ("/posts/12#comments").
type DirectFunc func(args ...any) (string, error)

// Direct defines a custom URL helper named name (Rails' direct :homepage
// do "https://rubyonrails.org" end): [RouteSet.Path] and [RouteSet.URL]
// by name, [RouteSet.Helpers] and so the template functions homepage_path
// and homepage_url call fn. A full URL is what both give; a path is put on
// the base for URL. As in Rails, a direct route is not listed by `routes`
// and recognizes no request. Its name must not be a route's.
func (m *Mapper) Direct(name string, fn DirectFunc) {
	switch {
	case fn == nil:
		m.d.fail(fmt.Errorf("dispatch: direct %q: nil func: %w", name, ErrInvalidRoute))
	case !routeNamePattern.MatchString(name):
		m.d.fail(fmt.Errorf("dispatch: direct %q: invalid name: %w", name, ErrInvalidRoute))
	case m.d.names[name] != nil || m.d.directs[name] != nil:
		m.d.fail(fmt.Errorf("dispatch: direct %q: the name is already used: %w", name, ErrDuplicateName))
	default:
		if m.d.directs == nil {
			m.d.directs = map[string]DirectFunc{}
		}
		m.d.directs[name] = fn
	}
}

// Resolve maps values of the model type M to a route (Rails' resolve
// "Basket" do [:basket] end): [RouteSet.PathFor] of an M calls fn, which
// returns the route's name and the args for it. Without a Resolve,
// PathFor follows Rails' polymorphic_path: the route named after the
// type's name (post for a Post), or its plural (posts) for a value whose
// ToParam is empty, a record not yet saved.
func Resolve[M any](m *Mapper, fn func(M) (name string, args []any)) {
	typ := reflect.TypeFor[M]()
	if fn == nil {
		m.d.fail(fmt.Errorf("dispatch: resolve %s: nil func: %w", typ, ErrInvalidRoute))
		return
	}
	if m.d.resolvers == nil {
		m.d.resolvers = map[reflect.Type]func(any) (string, []any){}
	}
	if m.d.resolvers[typ] != nil {
		m.d.fail(fmt.Errorf("dispatch: resolve %s: already resolved: %w", typ, ErrInvalidRoute))
		return
	}
	m.d.resolvers[typ] = func(v any) (string, []any) { return fn(v.(M)) }
}

// PathFor returns the path of model (Rails' polymorphic_path): through
// its [Resolve], else the route named after its type, singular with the
// model as its param when its ToParam is set, plural otherwise (a *Post
// with id 3 gives post's /posts/3, a new one posts' /posts). query adds
// named params as for [RouteSet.Path].
func (rs *RouteSet) PathFor(model any, query ...Params) (string, error) {
	t := rs.table.Load()
	if t == nil || model == nil {
		return "", fmt.Errorf("dispatch: path for %T: %w", model, ErrUnknownRoute)
	}
	name, args := t.resolve(model)
	switch len(query) {
	case 0:
	case 1:
		args = append(args, query[0])
	default:
		merged := Params{}
		for _, q := range query {
			for k, v := range q {
				merged[k] = v
			}
		}
		args = append(args, merged)
	}
	p, err := rs.Path(name, args...)
	if err != nil {
		return "", fmt.Errorf("dispatch: path for %T: %w", model, err)
	}
	return p, nil
}

func (t *table) resolve(model any) (string, []any) {
	if fn := t.resolvers[reflect.TypeOf(model)]; fn != nil {
		return fn(model)
	}
	typ := reflect.TypeOf(model)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	singular := inflect.Underscore(typ.Name())
	if p, ok := model.(URLParam); ok && p.ToParam() != "" {
		return singular, []any{model}
	}
	return inflect.Pluralize(singular), nil
}

// direct builds the URL of a direct route; ok is false when name is none.
func (t *table) direct(name string, args []any) (string, bool, error) {
	fn := t.directs[name]
	if fn == nil {
		return "", false, nil
	}
	u, err := fn(args...)
	if err != nil {
		return "", true, fmt.Errorf("dispatch: direct %q: %w", name, err)
	}
	return u, true, nil
}

// absolute reports whether u has a scheme or host, so URL does not put it
// on the base.
func absolute(u string) bool {
	if len(u) > 0 && u[0] == '/' && !strings.HasPrefix(u, "//") {
		return false // a path: the common case, without parsing
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme != "" || p.Host != "")
}

// joinBase puts a path on base; a full URL stays as it is.
func joinBase(base, u string) string {
	if absolute(u) {
		return u
	}
	return strings.TrimSuffix(base, "/") + u
}
