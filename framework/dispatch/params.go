package dispatch

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Params holds request parameters the way Rack parses them: a value is a
// string, nil (a key without "="), a nested Params (post[title]), a []any
// (tags[]), a *File (multipart uploads) or, from JSON bodies, a
// json.Number, bool or nil. Params is also how named values are passed to
// the URL helpers.
type Params map[string]any

// String returns the value at key if it is a string (or a JSON number or
// bool, formatted), else "".
func (p Params) String(key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Map returns the nested params at key, or nil.
func (p Params) Map(key string) Params {
	m, _ := p[key].(Params)
	return m
}

// List returns the list at key (tags[]=a&tags[]=b), or nil.
func (p Params) List(key string) []any {
	l, _ := p[key].([]any)
	return l
}

// Strings returns the strings in the list at key, skipping other values.
func (p Params) Strings(key string) []string {
	var out []string
	for _, v := range p.List(key) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// File returns the uploaded file at key, or nil.
func (p Params) File(key string) *File {
	f, _ := p[key].(*File)
	return f
}

// Dig returns the value at the path of keys (post, comments, 0, body), or
// nil.
func (p Params) Dig(keys ...string) any {
	var cur any = p
	for _, k := range keys {
		m, ok := cur.(Params)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// Source says where a param came from.
type Source uint8

// The places params come from. Merged params take path over query over
// body, as Rails does.
const (
	SourceNone Source = iota
	SourcePath
	SourceQuery
	SourceBody
)

func (s Source) String() string {
	switch s {
	case SourcePath:
		return "path"
	case SourceQuery:
		return "query"
	case SourceBody:
		return "body"
	}
	return "none"
}

// ParamError reports params that cannot be parsed: malformed input, a key
// used with two shapes, or a limit exceeded. It surfaces from
// [Request.Params] (and QueryParams, BodyParams) when a controller first
// asks for params; returned from an action, the default ErrorHandler answers
// 400 with its message. Err wraps one of ErrMalformedParams,
// ErrParamConflict, ErrParamsTooDeep, ErrTooManyParams or
// ErrParamsTooLarge.
type ParamError struct {
	Source Source
	Key    string // the param name involved, if any
	Err    error
}

func (e *ParamError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("invalid %s params: %v", e.Source, e.Err)
	}
	return fmt.Sprintf("invalid %s params: %v (param %q)", e.Source, e.Err, e.Key)
}

// Unwrap returns the cause, for errors.Is.
func (e *ParamError) Unwrap() error { return e.Err }

// StatusCode is 400 Bad Request.
func (e *ParamError) StatusCode() int { return 400 }

// limits bounds what a params parser accepts.
type limits struct {
	depth  int
	params int
}

// ParseQuery parses a query string with Rack's nested syntax (post[title],
// tags[], a[][b]) and Rack's default limits (depth 32, 4096 params), as
// Rack 3.1's QueryParser does: it keeps the nils Rack keeps (a[] gives
// [nil]); [Request.QueryParams] then removes them from arrays as Rails'
// deep_munge does. Errors are *ParamError.
func ParseQuery(query string) (Params, error) {
	p := &parser{lim: limits{depth: 32, params: 4096}, src: SourceQuery}
	out := Params{}
	return out, p.query(query, out)
}

// parser is Rack's QueryParser: one per parse.
type parser struct {
	lim   limits
	src   Source
	count int
}

func (p *parser) fail(key string, err error) error {
	return &ParamError{Source: p.src, Key: key, Err: err}
}

func (p *parser) query(q string, into Params) error {
	for q != "" {
		var part string
		var more bool
		part, q, more = strings.Cut(q, "&")
		if more {
			q = strings.TrimLeft(q, " ") // the separator is /& */, as Rack's and Rails'
		}
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		key, err := unescape(k)
		if err != nil {
			return p.fail("", err)
		}
		var val any
		if hasValue {
			s, err := unescape(v)
			if err != nil {
				return p.fail(key, err)
			}
			val = s
		}
		if err := p.add(into, key, val); err != nil {
			return err
		}
	}
	return nil
}

// unescape decodes one key or value of a query string ("+" is a space).
func unescape(s string) (string, error) {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "", fmt.Errorf("%w: invalid %%-encoding in %q", ErrMalformedParams, s)
	}
	if !utf8.ValidString(u) {
		return "", fmt.Errorf("%w: invalid UTF-8 in %q", ErrMalformedParams, s)
	}
	return u, nil
}

// add counts and stores one name/value pair.
func (p *parser) add(into Params, name string, v any) error {
	p.count++
	if p.count > p.lim.params {
		return p.fail("", fmt.Errorf("%w: more than %d", ErrTooManyParams, p.lim.params))
	}
	_, err := p.normalize(into, name, v, 0)
	return err
}

// normalize is Rack's normalize_params.
func (p *parser) normalize(params Params, name string, v any, depth int) (any, error) {
	if depth >= p.lim.depth {
		return nil, p.fail(name, fmt.Errorf("%w: more than %d levels", ErrParamsTooDeep, p.lim.depth))
	}
	k, after := splitName(name, depth)
	if k == "" {
		return params, nil
	}
	switch {
	case after == "":
		if k == "[]" && depth != 0 {
			return []any{v}, nil
		}
		params[k] = v
	case after == "[":
		params[name] = v
	case after == "[]":
		list, err := p.arrayAt(params, k)
		if err != nil {
			return nil, err
		}
		params[k] = append(list, v)
	case strings.HasPrefix(after, "[]"):
		return params, p.arrayChild(params, k, after, v, depth)
	default:
		h, err := p.hashAt(params, k)
		if err != nil {
			return nil, err
		}
		val, err := p.normalize(h, after, v, depth+1)
		if err != nil {
			return nil, err
		}
		params[k] = val
	}
	return params, nil
}

// arrayChild handles x[][y] (a hash inside an array) and deeper nesting.
func (p *parser) arrayChild(params Params, k, after string, v any, depth int) error {
	child := arrayChildKey(after)
	list, err := p.arrayAt(params, k)
	if err != nil {
		return err
	}
	if n := len(list); n > 0 {
		if last, ok := list[n-1].(Params); ok && !hasKey(last, child) {
			_, err := p.normalize(last, child, v, depth+1)
			params[k] = list
			return err
		}
	}
	val, err := p.normalize(Params{}, child, v, depth+1)
	if err != nil {
		return err
	}
	params[k] = append(list, val)
	return nil
}

func splitName(name string, depth int) (k, after string) {
	switch {
	case depth == 0:
		if len(name) > 1 {
			if i := strings.IndexByte(name[1:], '['); i >= 0 {
				return name[:i+1], name[i+1:]
			}
		}
		return name, ""
	case strings.HasPrefix(name, "[]"):
		return "[]", name[2:]
	case strings.HasPrefix(name, "["):
		if i := strings.IndexByte(name[1:], ']'); i >= 0 {
			return name[1 : i+1], name[i+2:]
		}
	}
	return name, ""
}

func arrayChildKey(after string) string {
	if len(after) > 3 && after[2] == '[' && after[len(after)-1] == ']' {
		if ck := after[3 : len(after)-1]; ck != "" && !strings.ContainsAny(ck, "[]") {
			return ck
		}
	}
	return after[2:]
}

// hasKey is Rack's params_hash_has_key?.
func hasKey(h Params, key string) bool {
	if strings.Contains(key, "[]") {
		return false
	}
	var cur any = h
	for _, part := range strings.FieldsFunc(key, func(r rune) bool { return r == '[' || r == ']' }) {
		m, ok := cur.(Params)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// arrayAt and hashAt are Rack's params[k] ||= [] and ||= {}: a key first
// seen without a value (a&a[]=1, a&a[b]=1) becomes the array or hash.
func (p *parser) arrayAt(params Params, k string) ([]any, error) {
	switch v := params[k].(type) {
	case nil:
		return []any{}, nil
	case []any:
		return v, nil
	default:
		return nil, p.conflict(k, "Array", v)
	}
}

func (p *parser) hashAt(params Params, k string) (Params, error) {
	v := params[k]
	if v == nil {
		return Params{}, nil
	}
	if h, ok := v.(Params); ok {
		return h, nil
	}
	return nil, p.conflict(k, "Hash", v)
}

func (p *parser) conflict(k, want string, got any) error {
	return p.fail(k, fmt.Errorf("%w: expected %s (got %s) for param `%s'", ErrParamConflict, want, rubyType(got), k))
}

func rubyType(v any) string {
	switch v.(type) {
	case nil:
		return "NilClass"
	case string:
		return "String"
	case Params:
		return "Hash"
	case []any:
		return "Array"
	case *File:
		return "File"
	}
	return fmt.Sprintf("%T", v)
}

// deepMunge is Rails' deep_munge (ActionDispatch::Request::Utils'
// NoNilParamEncoder): nils are removed from every array, at any depth, so
// that a[] gives [] and a JSON [null] gives []. It changes p in place.
func deepMunge(p Params) {
	for k, v := range p {
		switch v := v.(type) {
		case Params:
			deepMunge(v)
		case []any:
			p[k] = mungeList(v)
		}
	}
}

func mungeList(l []any) []any {
	for i, e := range l {
		switch e := e.(type) {
		case Params:
			deepMunge(e)
		case []any:
			l[i] = mungeList(e)
		}
	}
	return slices.DeleteFunc(l, func(e any) bool { return e == nil })
}
