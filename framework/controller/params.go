package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/dispatch"
)

// Sentinels of the params errors, for errors.Is. Each of them comes inside a
// typed error that names the param and answers 400 Bad Request.
var (
	// ErrParamMissing: a required param is missing or blank (Rails'
	// ActionController::ParameterMissing).
	ErrParamMissing = errors.New("param is missing or the value is empty")
	// ErrInvalidParam: a param has the wrong shape or cannot be converted to
	// the type asked for.
	ErrInvalidParam = errors.New("invalid param")
	// ErrUnpermittedParams: params hold keys Permit did not allow, with
	// Env.RaiseOnUnpermitted set.
	ErrUnpermittedParams = errors.New("found unpermitted params")
	// ErrForbiddenAttributes: params that did not go through Permit were
	// given to a mass assignment (record.Assign, record.Update; Rails'
	// ActiveModel::ForbiddenAttributesError). It is a bug in the action,
	// so it is not a 400: the debug page names it.
	ErrForbiddenAttributes = errors.New("params must be permitted before they are assigned to a model: c.Params().Require(\"post\").Permit(\"title\", ...)")
)

// ParamError is a problem with one param: missing, of the wrong shape, or
// not convertible. Key is its full name, such as "post[published_at]". It
// answers 400 Bad Request.
type ParamError struct {
	Key   string
	Value string // the offending value, when there is one (truncated)
	Err   error  // ErrParamMissing or ErrInvalidParam, possibly wrapping a parse error
}

func (e *ParamError) Error() string {
	if errors.Is(e.Err, ErrParamMissing) {
		return fmt.Sprintf("%v: %s", e.Err, e.Key)
	}
	if e.Value != "" {
		return fmt.Sprintf("param %s: %q: %v", e.Key, e.Value, e.Err)
	}
	return fmt.Sprintf("param %s: %v", e.Key, e.Err)
}

func (e *ParamError) Unwrap() error { return e.Err }

// StatusCode is 400 Bad Request.
func (e *ParamError) StatusCode() int { return http.StatusBadRequest }

// UnpermittedError lists the keys Permit found and did not allow, when
// Env.RaiseOnUnpermitted is set. It answers 400 Bad Request.
type UnpermittedError struct {
	Keys []string // full names, sorted: "post[admin]"
}

func (e *UnpermittedError) Error() string {
	return fmt.Sprintf("%v: %s", ErrUnpermittedParams, strings.Join(e.Keys, ", "))
}

func (e *UnpermittedError) Unwrap() error { return ErrUnpermittedParams }

// StatusCode is 400 Bad Request.
func (e *UnpermittedError) StatusCode() int { return http.StatusBadRequest }

// Params are a request's params with Rails' strong-params API: Require a
// key, Permit what may be mass-assigned, and read values with typed getters
// whose failures are 400s naming the param. A Params value (and what it
// returns) belongs to one request.
//
// Errors are sticky so that calls chain: when the request's params could not
// be parsed, or Require failed, Permit and the getters return that error.
type Params struct {
	values    dispatch.Params
	prefix    string // "post" for the params under post; "" at the root
	err       error
	b         *Base
	permitted bool // returned by Permit: may be mass-assigned
	// lazy: the request's root params, not built yet; they hold only the
	// route's values, and building them cannot fail (vals builds them).
	lazy bool
}

// vals is the params' values, built on the first read when lazy.
func (p *Params) vals() dispatch.Params {
	if p.lazy {
		p.values, p.err = p.b.req.Params()
		p.lazy = false
	}
	return p.values
}

// Params returns the request's params: body, then query, then path params
// over them, as dispatch merges them. They are parsed on the first call.
func (b *Base) Params() *Params {
	if b.params == nil {
		if b.req.OnlyPathParams() {
			// Built when first read, and not at all for a path param
			// read with a typed getter ({{c.Params().Int64("id")}}).
			b.ps = Params{b: b, lazy: true}
		} else {
			v, err := b.req.Params()
			b.ps = Params{values: v, err: err, b: b}
		}
		b.params = &b.ps
	}
	return b.params
}

// Err returns the error that made these params unusable, or nil.
func (p *Params) Err() error { return p.err }

// Raw returns the underlying values (nil after an error). They are the
// request's own: do not change them.
func (p *Params) Raw() dispatch.Params { return p.vals() }

// Has reports whether key is present.
func (p *Params) Has(key string) bool {
	_, ok := p.vals()[key]
	return ok
}

// Get returns the raw value at key (a string, nil, dispatch.Params, []any,
// *dispatch.File, or from JSON a json.Number or bool).
func (p *Params) Get(key string) any { return p.vals()[key] }

func (p *Params) name(key string) string {
	if p.prefix == "" {
		return key
	}
	return p.prefix + "[" + key + "]"
}

// Require returns the params nested at key, such as the post of
// post[title]=...; a missing or blank key is a *ParamError wrapping
// ErrParamMissing (400), kept in the returned Params for Permit to report.
func (p *Params) Require(key string) *Params {
	if p.err != nil {
		return &Params{err: p.err, b: p.b}
	}
	v, ok := p.vals()[key]
	if !ok && p.prefix == "" && p.jsonBody() {
		v, ok = p.wrapped(), true
	}
	if !ok || blank(v) {
		return &Params{err: &ParamError{Key: p.name(key), Err: ErrParamMissing}, b: p.b}
	}
	m, ok := v.(dispatch.Params)
	if !ok {
		return &Params{err: &ParamError{Key: p.name(key), Err: fmt.Errorf("%w: expected nested params (%s[...])", ErrInvalidParam, p.name(key))}, b: p.b}
	}
	return &Params{values: m, prefix: p.name(key), b: p.b}
}

// jsonBody reports whether the request's body is JSON.
func (p *Params) jsonBody() bool {
	if p.b == nil || p.b.req == nil || p.b.req.HTTP().ContentLength == 0 {
		return false
	}
	ct := p.b.req.HTTP().Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/json") || strings.Contains(ct, "+json")
}

// wrapped is Rails' wrap_parameters for a JSON body that does not nest its
// attributes under the model's key ({"title": "x"} for post[title]): the
// root params but routing's own (controller, action, format) and the path
// params, as if they had been sent nested. Permit still decides what is
// assigned.
func (p *Params) wrapped() dispatch.Params {
	out := make(dispatch.Params, len(p.vals()))
	for k, v := range p.vals() {
		if alwaysPermitted(k) || p.b.req.PathParam(k) != "" {
			continue
		}
		out[k] = v
	}
	return out
}

func blank(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case dispatch.Params:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// Permit returns a copy of the params holding only what filters allow:
//
//	p.Permit("title", "body", controller.List("tags"),
//		controller.Nested("author", "name", "email"),
//		controller.Nested("comments", "body"))
//
// A string permits a scalar (a string, number, bool, null or uploaded file;
// not a list or a hash). List permits a list of scalars (tags[]=a). Nested
// permits a hash with the given keys, a list of such hashes, or a hash of
// them by index (comments[0][body]); Nested with no keys permits any hash of
// scalars. Everything else is dropped and logged at debug level as
// "unpermitted params", or, with Env.RaiseOnUnpermitted, makes Permit fail
// with an *UnpermittedError. A filter of another type is an error.
func (p *Params) Permit(filters ...any) (*Params, error) {
	if p.err != nil {
		return nil, p.err
	}
	fs, err := toFilters(filters)
	if err != nil {
		return nil, err
	}
	var dropped []string
	out := permitHash(p.vals(), fs, p.prefix, p.prefix == "", &dropped)
	if len(dropped) > 0 {
		slices.Sort(dropped)
		if p.b != nil && p.b.env != nil && p.b.env.RaiseOnUnpermitted {
			return nil, &UnpermittedError{Keys: dropped}
		}
		if p.b != nil && p.b.env != nil {
			p.b.log.Debug("unpermitted params", "action", p.b.action.String(), "keys", strings.Join(dropped, ", "))
		}
	}
	return &Params{values: out, prefix: p.prefix, b: p.b, permitted: true}, nil
}

// Permitted reports whether these params came from Permit, and so may be
// mass-assigned.
func (p *Params) Permitted() bool { return p.permitted && p.err == nil }

// AttributeValues hands the params to a mass assignment (it makes Params a
// record.Attributes, so record.Assign(ctx, db, &post, permitted) works):
// the values of permitted params, else an error wrapping
// ErrForbiddenAttributes (or the error that made these params unusable).
func (p *Params) AttributeValues() (map[string]any, error) {
	if p.err != nil {
		return nil, p.err
	}
	if !p.permitted {
		name := p.prefix
		if name == "" {
			name = "the root params"
		}
		return nil, fmt.Errorf("%s: %w", name, ErrForbiddenAttributes)
	}
	return p.vals(), nil
}

// Filter is a Permit rule for a key whose value is not a scalar: see List
// and Nested.
type Filter struct {
	key  string
	kind filterKind
	sub  []Filter
	err  error // a bad filter inside Nested, reported by Permit
}

type filterKind uint8

const (
	filterScalar filterKind = iota
	filterList
	filterNested
	filterAnyHash
)

// List permits key as a list of scalars: tags[]=go&tags[]=web (Rails'
// permit(tags: [])).
func List(key string) Filter { return Filter{key: key, kind: filterList} }

// Nested permits key as a hash with the given keys (strings, List and
// Nested filters), as a list of such hashes, or as a hash of them by index
// (Rails' permit(author: [:name], comments: [:body])). With no keys, any
// hash of scalars and lists of scalars, however nested (permit(prefs: {})).
func Nested(key string, filters ...any) Filter {
	if len(filters) == 0 {
		return Filter{key: key, kind: filterAnyHash}
	}
	sub, err := toFilters(filters)
	return Filter{key: key, kind: filterNested, sub: sub, err: err}
}

func toFilters(filters []any) ([]Filter, error) {
	out := make([]Filter, 0, len(filters))
	for _, f := range filters {
		switch f := f.(type) {
		case string:
			out = append(out, Filter{key: f})
		case Filter:
			if f.err != nil {
				return nil, fmt.Errorf("Nested(%q): %w", f.key, f.err)
			}
			out = append(out, f)
		default:
			return nil, fmt.Errorf("controller: Permit: filter %v of type %T: use a string, List or Nested", f, f)
		}
	}
	return out, nil
}

// alwaysPermitted are the keys routing adds to the root params; they are
// never reported as unpermitted.
func alwaysPermitted(key string) bool {
	return key == "controller" || key == "action" || key == "format"
}

func permitHash(src dispatch.Params, fs []Filter, prefix string, root bool, dropped *[]string) dispatch.Params {
	out := make(dispatch.Params, len(fs))
	for _, f := range fs {
		v, ok := src[f.key]
		if !ok {
			continue
		}
		name := join(prefix, f.key)
		switch f.kind {
		case filterScalar:
			if scalar(v) {
				out[f.key] = v
			}
		case filterList:
			if l, ok := v.([]any); ok && allScalars(l) {
				out[f.key] = slices.Clone(l)
			}
		case filterAnyHash:
			if h, ok := v.(dispatch.Params); ok {
				out[f.key] = permitAny(h, name, dropped)
			}
		case filterNested:
			if r, ok := permitNested(v, f.sub, name, dropped); ok {
				out[f.key] = r
			}
		}
	}
	for k := range src {
		if _, ok := out[k]; ok || (root && alwaysPermitted(k)) {
			continue
		}
		*dropped = append(*dropped, join(prefix, k))
	}
	return out
}

// permitNested applies fs to a hash, a list of hashes, or a hash of hashes
// by index.
func permitNested(v any, fs []Filter, name string, dropped *[]string) (any, bool) {
	switch v := v.(type) {
	case dispatch.Params:
		if len(v) > 0 && numericKeys(v) {
			out := make(dispatch.Params, len(v))
			for k, e := range v {
				if h, ok := e.(dispatch.Params); ok {
					out[k] = permitHash(h, fs, name+"["+k+"]", false, dropped)
				} else {
					*dropped = append(*dropped, name+"["+k+"]")
				}
			}
			return out, true
		}
		return permitHash(v, fs, name, false, dropped), true
	case []any:
		out := make([]any, 0, len(v))
		for i, e := range v {
			if h, ok := e.(dispatch.Params); ok {
				out = append(out, permitHash(h, fs, name+"["+strconv.Itoa(i)+"]", false, dropped))
			} else {
				*dropped = append(*dropped, name+"[]")
			}
		}
		return out, true
	}
	return nil, false
}

// permitAny keeps scalars, lists of scalars and nested hashes of them.
func permitAny(src dispatch.Params, prefix string, dropped *[]string) dispatch.Params {
	out := make(dispatch.Params, len(src))
	for k, v := range src {
		switch v := v.(type) {
		case dispatch.Params:
			out[k] = permitAny(v, join(prefix, k), dropped)
		case []any:
			if allScalars(v) {
				out[k] = slices.Clone(v)
			} else {
				*dropped = append(*dropped, join(prefix, k))
			}
		default:
			if scalar(v) {
				out[k] = v
			} else {
				*dropped = append(*dropped, join(prefix, k))
			}
		}
	}
	return out
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "[" + key + "]"
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, json.Number, bool, float64, int, int64, *dispatch.File:
		return true
	}
	return false
}

func allScalars(l []any) bool {
	for _, e := range l {
		if !scalar(e) {
			return false
		}
	}
	return true
}

func numericKeys(p dispatch.Params) bool {
	for k := range p {
		if k == "" {
			return false
		}
		for i := range len(k) {
			if k[i] < '0' || k[i] > '9' {
				return false
			}
		}
	}
	return true
}

// String returns the param at key as a string: "" when it is missing, and a
// *ParamError when it is a list or a hash. Numbers and bools from JSON are
// formatted.
func (p *Params) String(key string) (string, error) {
	if p.err != nil {
		return "", p.err
	}
	if p.lazy && !alwaysPermitted(key) {
		if s := p.b.req.PathParam(key); s != "" {
			return s, nil // what the built params hold at key (see scalarString)
		}
	}
	switch v := p.vals()[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	default:
		return "", &ParamError{Key: p.name(key), Err: fmt.Errorf("%w: expected a string, got %s", ErrInvalidParam, shape(v))}
	}
}

// scalarString is the text to convert for the typed getters: missing, null
// or blank is ErrParamMissing; a list or hash is ErrInvalidParam.
func (p *Params) scalarString(key string) (string, error) {
	if p.err != nil {
		return "", p.err
	}
	if p.lazy && !alwaysPermitted(key) {
		// A path param is what the built params would hold at key: it
		// goes over a default, and nothing else is there.
		if s := strings.TrimSpace(p.b.req.PathParam(key)); s != "" {
			return s, nil
		}
	}
	v, ok := p.vals()[key]
	if !ok || blank(v) {
		if _, isList := v.([]any); ok && isList {
			return "", &ParamError{Key: p.name(key), Err: fmt.Errorf("%w: expected a single value, got a list", ErrInvalidParam)}
		}
		return "", &ParamError{Key: p.name(key), Err: ErrParamMissing}
	}
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	default:
		return "", &ParamError{Key: p.name(key), Err: fmt.Errorf("%w: expected a single value, got %s", ErrInvalidParam, shape(v))}
	}
}

func shape(v any) string {
	switch v.(type) {
	case dispatch.Params:
		return "a hash"
	case []any:
		return "a list"
	case *dispatch.File:
		return "a file"
	}
	return fmt.Sprintf("%T", v)
}

func (p *Params) invalid(key, s, want string, err error) error {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return &ParamError{Key: p.name(key), Value: s, Err: fmt.Errorf("%w: not %s: %w", ErrInvalidParam, want, err)}
}

// Int returns the param at key as an int. Missing or blank is a *ParamError
// wrapping ErrParamMissing, anything but a base-10 integer one wrapping
// ErrInvalidParam; both answer 400 and name the param.
func (p *Params) Int(key string) (int, error) {
	s, err := p.scalarString(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, p.invalid(key, s, "an integer", errors.Unwrap(err))
	}
	return n, nil
}

// Int64 returns the param at key as an int64; errors as Int.
func (p *Params) Int64(key string) (int64, error) {
	s, err := p.scalarString(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, p.invalid(key, s, "an integer", errors.Unwrap(err))
	}
	return n, nil
}

// Float returns the param at key as a finite float64; errors as Int.
func (p *Params) Float(key string) (float64, error) {
	s, err := p.scalarString(key)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
		err = errors.New("not finite")
	}
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return 0, p.invalid(key, s, "a number", err)
	}
	return f, nil
}

// Bool returns the param at key as a bool, the way Rails casts form values:
// "1", "t", "true", "on" (any case) are true; "0", "f", "false", "off" are
// false. Anything else is an error as in Int.
func (p *Params) Bool(key string) (bool, error) {
	s, err := p.scalarString(key)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(s) {
	case "1", "t", "true", "on", "yes", "y":
		return true, nil
	case "0", "f", "false", "off", "no", "n":
		return false, nil
	}
	return false, p.invalid(key, s, "a boolean", errors.New(`use true/false, 1/0 or on/off`))
}

// Time returns the param at key as a time: RFC 3339, or a date or
// date-time as HTML inputs send them (2026-11-23, 2026-11-23T10:20), read
// in loc (nil is UTC). Errors as in Int.
func (p *Params) Time(key string, loc *time.Location) (time.Time, error) {
	s, err := p.scalarString(key)
	if err != nil {
		return time.Time{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	// RFC 3339 (JSON), what HTML's datetime-local and date inputs send, and
	// SQL's form.
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, p.invalid(key, s, "a time", errors.New("use RFC 3339 or YYYY-MM-DD[THH:MM[:SS]]"))
}

// Map returns the nested params at key, or empty params when there are
// none.
func (p *Params) Map(key string) *Params {
	if p.err != nil {
		return &Params{err: p.err, b: p.b}
	}
	m, _ := p.vals()[key].(dispatch.Params)
	return &Params{values: m, prefix: p.name(key), b: p.b}
}

// Strings returns the list of strings at key (tags[]=a&tags[]=b); a single
// string is a list of one. Other values are a *ParamError.
func (p *Params) Strings(key string) ([]string, error) {
	if p.err != nil {
		return nil, p.err
	}
	switch v := p.vals()[key].(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, &ParamError{Key: p.name(key) + "[]", Err: fmt.Errorf("%w: expected strings, got %s", ErrInvalidParam, shape(e))}
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, &ParamError{Key: p.name(key), Err: fmt.Errorf("%w: expected a list, got %s", ErrInvalidParam, shape(v))}
	}
}
