package dispatch

import (
	"net/http"
	"strings"
)

// Option adjusts one DSL call: a route, a resource or a scope.
type Option func(*options)

type formatMode uint8

const (
	formatOptional formatMode = iota // "(.:format)", Rails' default
	formatNone                       // format: false
	formatRequired                   // format: true
)

type paramConstraint struct{ name, pattern string }

type options struct {
	as, path, module, param, on string
	shallowPath, shallowPrefix  string
	asSet, pathSet, moduleSet   bool
	only, except                []string
	onlySet, exceptSet          bool
	shallow                     bool
	via                         []string
	format                      formatMode
	formatSet                   bool
	defaultFormat               string
	cons                        []paramConstraint
	host, subdomain             string
	when                        []func(*http.Request) bool
	defaults                    []paramDefault
	pathNames                   map[string]string
	concerns                    []string
}

func collect(opts []Option) *options {
	o := &options{}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// As names a route (Rails' as:), or sets the name prefix of a scope,
// namespace or resource. As("") draws the route without a name.
func As(name string) Option { return func(o *options) { o.as, o.asSet = name, true } }

// Path sets the path of a resource or namespace (Rails' path:):
// Resources("photos", t, dispatch.Path("images")) draws /images.
func Path(path string) Option { return func(o *options) { o.path, o.pathSet = path, true } }

// Module sets the controller namespace of a scope (Rails' module:).
func Module(name string) Option { return func(o *options) { o.module, o.moduleSet = name, true } }

// ShallowPath prefixes the paths of shallow member routes in a scope
// (Rails' shallow_path:).
func ShallowPath(path string) Option { return func(o *options) { o.shallowPath = path } }

// ShallowPrefix prefixes the names of shallow member routes in a scope
// (Rails' shallow_prefix:).
func ShallowPrefix(prefix string) Option { return func(o *options) { o.shallowPrefix = prefix } }

// Param renames a resource's :id param (Rails' param:).
func Param(name string) Option { return func(o *options) { o.param = name } }

// Only limits a resource to the given standard actions.
func Only(actions ...string) Option {
	return func(o *options) { o.only, o.onlySet = actions, true }
}

// Except leaves the given standard actions out of a resource.
func Except(actions ...string) Option {
	return func(o *options) { o.except, o.exceptSet = actions, true }
}

// Shallow nests a resource's member routes shallowly (Rails' shallow: true).
func Shallow() Option { return func(o *options) { o.shallow = true } }

// Via sets the methods of a Match route; "all" (or "*") matches any method.
func Via(methods ...string) Option {
	return func(o *options) {
		for _, m := range methods {
			o.via = append(o.via, strings.ToUpper(m))
		}
	}
}

// Format controls the format suffix: Format(false) draws no "(.:format)",
// Format(true) requires one. Without it the suffix is optional.
func Format(required bool) Option {
	return func(o *options) {
		o.format, o.formatSet = formatNone, true
		if required {
			o.format = formatRequired
		}
	}
}

// DefaultFormat sets the format of requests whose path has no format suffix
// (Rails' defaults: { format: :json }), ahead of the Accept header.
func DefaultFormat(format string) Option { return func(o *options) { o.defaultFormat = format } }

// On draws a route in a resource's "member", "collection" or "new" scope
// (Rails' on: :member).
func On(scope string) Option { return func(o *options) { o.on = scope } }

// Constrain limits the path param name (or "format") to values matching the
// regular expression pattern, anchored at both ends (Rails' constraints:
// { id: /\d+/ }).
func Constrain(name, pattern string) Option {
	return func(o *options) { o.cons = append(o.cons, paramConstraint{name, pattern}) }
}

// Host limits routes to requests for host (compared without port, case
// insensitively).
func Host(host string) Option { return func(o *options) { o.host = strings.ToLower(host) } }

// Subdomain limits routes to requests whose subdomain (everything before the
// last two labels of the host) is sub.
func Subdomain(sub string) Option { return func(o *options) { o.subdomain = strings.ToLower(sub) } }

// When limits routes to requests for which fn returns true (Rails' lambda
// constraints). fn runs during matching and must be safe for concurrent use.
func When(fn func(*http.Request) bool) Option {
	return func(o *options) { o.when = append(o.when, fn) }
}

// Default sets the param name to value for the routes it applies to when
// their path does not give it (Rails' defaults: { page: "1" }): a path
// param an optional group leaves out, or a param no path has. As in Rails,
// a default is a path param: it wins over a query or body param of the
// same name, and `routes` lists it with the constraints. Default("format",
// f) is [DefaultFormat].
func Default(name, value string) Option {
	return func(o *options) {
		if name == "format" {
			o.defaultFormat = value
			return
		}
		o.defaults = append(o.defaults, paramDefault{name, value})
	}
}

// PathNames renames the path segments of actions (Rails' path_names:):
// PathNames(map[string]string{"new": "neu", "edit": "bearbeiten"}) draws
// /posts/neu and /posts/:id/bearbeiten, named new_post and edit_post as
// before. It applies to a resource's new and edit routes and to routes
// whose path is one action word (Get("preview", ...)), in the resource or
// scope it is given to and below.
func PathNames(names map[string]string) Option {
	return func(o *options) {
		if o.pathNames == nil {
			o.pathNames = map[string]string{}
		}
		for k, v := range names {
			o.pathNames[k] = v
		}
	}
}

// Concerns draws the named concerns ([Mapper.Concern]) inside a resource,
// after its block and before its own routes, as Rails' concerns: option:
// Resources("posts", t, dispatch.Concerns("commentable")).
func Concerns(names ...string) Option {
	return func(o *options) { o.concerns = append(o.concerns, names...) }
}
