package dispatch

import "errors"

// Errors returned by Draw, for branching with errors.Is. Draw joins all the
// problems it finds, each wrapped with the route it concerns.
var (
	// ErrInvalidTarget: a route's target cannot be used (nil, a closure
	// without a name, a redirect status outside 3xx).
	ErrInvalidTarget = errors.New("invalid route target")
	// ErrInvalidRoute: a path, option or DSL call is malformed.
	ErrInvalidRoute = errors.New("invalid route")
	// ErrDuplicateName: two routes were given the same name with As.
	ErrDuplicateName = errors.New("route name already in use")
	// ErrUnreachable: a route can never match because an earlier route with
	// the same shape answers every request it would.
	ErrUnreachable = errors.New("route can never match")
	// ErrInvalidConfig: a Config field is out of range (a negative limit).
	ErrInvalidConfig = errors.New("invalid dispatch config")
	// ErrNoInvoker: a route points at a controller action, but the
	// RouteSet's Config has no Invoker to run it.
	ErrNoInvoker = errors.New("no Config.Invoker to run controller actions (the framework passes a *controller.Env)")
)

// Errors returned by the URL helpers.
var (
	// ErrUnknownRoute: no route has the given name.
	ErrUnknownRoute = errors.New("unknown route name")
	// ErrMissingParam: a required path param was not given, or was empty.
	ErrMissingParam = errors.New("missing route param")
	// ErrInvalidParam: a path param does not satisfy the route's constraint.
	ErrInvalidParam = errors.New("route param does not match its constraint")
	// ErrStaleHelpers: an app's generated route helpers no longer match the
	// routes it draws.
	ErrStaleHelpers = errors.New("the route helpers are stale")
)

// Errors wrapped by [*ParamError], for branching with errors.Is.
var (
	// ErrMalformedParams: bad %-encoding, invalid UTF-8, invalid JSON or
	// multipart.
	ErrMalformedParams = errors.New("malformed params")
	// ErrParamConflict: a key is used with two shapes (a=1&a[b]=2), as Rack's
	// ParameterTypeError.
	ErrParamConflict = errors.New("conflicting param shapes")
	// ErrParamsTooDeep: nesting beyond Config.MaxParamDepth.
	ErrParamsTooDeep = errors.New("params nested too deep")
	// ErrTooManyParams: more than Config.MaxParams params.
	ErrTooManyParams = errors.New("too many params")
	// ErrParamsTooLarge: a body beyond Config.MaxBodyBytes.
	ErrParamsTooLarge = errors.New("params too large")
)
