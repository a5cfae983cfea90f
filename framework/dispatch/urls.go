package dispatch

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// URLParam is implemented by values that name themselves in URLs, like
// Rails' to_param: a record returns its id.
type URLParam interface {
	ToParam() string
}

// Path generates the path of the route named name. args fill the route's
// params in order (post_comment_path(post, comment)); one more positional
// arg fills the format. A final Params (or map[string]any) gives params by
// name, "format", and extra keys that become the query string (nested with
// Rack's syntax, keys sorted). Values may be strings, integers, URLParam or
// fmt.Stringer. Segments are escaped.
//
// It fails with ErrUnknownRoute for an unknown name, ErrMissingParam for a
// missing or empty param and ErrInvalidParam for a value its constraint
// rejects: never a broken link. Safe for concurrent use.
func (rs *RouteSet) Path(name string, args ...any) (string, error) {
	t := rs.table.Load()
	var rt *route
	if t != nil {
		rt = t.names[name]
		if rt == nil {
			if u, ok, err := t.direct(name, args); ok {
				return u, err
			}
		}
	}
	if rt == nil {
		return "", fmt.Errorf("dispatch: path %q: %w", name, ErrUnknownRoute)
	}
	p, err := rt.generate(args)
	if err != nil {
		return "", fmt.Errorf("dispatch: path %q: %w", name, err)
	}
	return p, nil
}

// URL is Path prefixed with base ("https://example.com").
func (rs *RouteSet) URL(base, name string, args ...any) (string, error) {
	p, err := rs.Path(name, args...)
	if err != nil {
		return "", err
	}
	return joinBase(base, p), nil
}

func (rt *route) generate(args []any) (string, error) {
	var named Params
	if n := len(args); n > 0 {
		switch m := args[n-1].(type) {
		case Params:
			named, args = m, args[:n-1]
		case map[string]any:
			named, args = Params(m), args[:n-1]
		}
	}
	if rt.variants != nil {
		var buf [8]any
		v, vargs, err := rt.pick(args, named, buf[:0])
		if err != nil {
			return "", err
		}
		rt, args = v, vargs
	}
	var arr [4]string
	vals, format, err := rt.bind(args, named, arr[:0])
	if err != nil {
		return "", err
	}
	var buf [128]byte // the common path is built here and copied once into its string
	b := buf[:0]
	i := 0
	for k := range rt.segs {
		s := &rt.segs[k]
		b = append(b, '/')
		switch s.kind {
		case segStatic:
			b = append(b, s.esc...)
			continue
		case segComposite:
			n := len(s.groups)
			if b, err = s.appendComposite(b, vals[i:i+n]); err != nil {
				return "", err
			}
			i += n
			continue
		}
		b = appendSegment(b, vals[i], s.kind == segGlob)
		i++
	}
	if len(b) == 0 {
		b = append(b, '/')
	}
	if format != "" {
		b = append(b, '.')
		b = append(b, url.PathEscape(format)...)
	}
	if len(named) == 0 {
		return string(b), nil
	}
	var sb strings.Builder
	sb.Write(b)
	writeQuery(&sb, named, rt.params, rt.defaults)
	return sb.String(), nil
}

// pick chooses the variant of a route with optional groups that the params
// fill: positional args fill the params every variant has (and one more
// the format), named ones any; the variant kept is the one with the most
// params, all given, and then the most groups, as Rails' Journey writes a
// group only when all of its params are given. It returns the variant's
// args in its order (appended to buf), and the format if given so.
func (rt *route) pick(args []any, named Params, buf []any) (*route, []any, error) {
	if len(args) > len(rt.required)+1 || (len(args) == len(rt.required)+1 && rt.format == formatNone) {
		return nil, nil, fmt.Errorf("%d args for %d params (give optional ones by name): %w", len(args), len(rt.required), ErrInvalidParam)
	}
	value := func(p string) any {
		if i := slices.Index(rt.required, p); i >= 0 && i < len(args) {
			return args[i]
		}
		return named[p]
	}
	var best *route
	for i, v := range rt.variants {
		if slices.ContainsFunc(v.params, func(p string) bool { return paramString(value(p)) == "" }) {
			continue
		}
		if rt.captured(i, value) {
			continue
		}
		if best == nil || len(v.params) > len(best.params) || (len(v.params) == len(best.params) && v.groups > best.groups) {
			best = v
		}
	}
	if best == nil {
		for _, p := range rt.required {
			if paramString(value(p)) == "" {
				return nil, nil, fmt.Errorf("%w %q", ErrMissingParam, p)
			}
		}
		return nil, nil, fmt.Errorf("%w: no path of %s takes the params given", ErrMissingParam, rt.path)
	}
	for _, p := range best.params {
		buf = append(buf, value(p))
	}
	if len(args) > len(rt.required) {
		buf = append(buf, args[len(rt.required)])
	}
	return best, buf, nil
}

// captured reports whether an earlier variant of the same shape would
// read the path of variant i back: "photos(/:id)(/:c)" given only c would
// write /photos/1, which is read as id, so that variant is not written
// (c goes to the query string instead) unless id's constraint rejects the
// value.
func (rt *route) captured(i int, value func(string) any) bool {
	v := rt.variants[i]
	for _, e := range rt.variants[:i] {
		if e.shape != v.shape {
			continue
		}
		rejects := false
		for j, re := range e.paramRes {
			if val := paramString(value(v.params[j])); (re != nil && !re.MatchString(val)) || (e.plain[j] && strings.IndexByte(val, '.') >= 0) {
				rejects = true
				break
			}
		}
		if !rejects {
			return true
		}
	}
	return false
}

// bind takes the route's param values from positional and named args.
// vals is where the values go (its capacity is used when large enough).
func (rt *route) bind(args []any, named Params, vals []string) ([]string, string, error) {
	if len(args) > len(rt.params)+1 || (len(args) == len(rt.params)+1 && rt.format == formatNone) {
		return nil, "", fmt.Errorf("%d args for %d params: %w", len(args), len(rt.params), ErrInvalidParam)
	}
	if cap(vals) >= len(rt.params) {
		vals = vals[:len(rt.params)]
	} else {
		vals = make([]string, len(rt.params))
	}
	for i, name := range rt.params {
		var v any
		if i < len(args) {
			v = args[i]
		} else if x, ok := named[name]; ok {
			v = x
		}
		s := paramString(v)
		if s == "" {
			return nil, "", fmt.Errorf("%w %q", ErrMissingParam, name)
		}
		if re := rt.paramRes[i]; re != nil && !re.MatchString(s) {
			return nil, "", fmt.Errorf("%w: %s=%q", ErrInvalidParam, name, s)
		}
		vals[i] = s
	}
	format := paramString(named["format"])
	if len(args) > len(rt.params) {
		format = paramString(args[len(rt.params)])
	}
	if format == "" && rt.format == formatRequired {
		return nil, "", fmt.Errorf("%w %q", ErrMissingParam, "format")
	}
	if format != "" && rt.format == formatNone {
		return nil, "", fmt.Errorf("%w: route takes no format", ErrInvalidParam)
	}
	return vals, format, nil
}

func paramString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case URLParam:
		return x.ToParam()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// appendSegment appends v escaped (escapeSegment) to b; a value of
// unreserved characters only, as ids and most slugs are, as it is.
func appendSegment(b []byte, v string, glob bool) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return append(b, escapeSegment(v, glob)...)
		}
	}
	return append(b, v...)
}

// escapeSegment escapes v as net/url encodes paths by default (so a
// generated path parses back with an empty RawPath when it can), plus "/"
// unless v is a glob's value.
func escapeSegment(v string, glob bool) string {
	e := (&url.URL{Path: "/" + v}).EscapedPath()[1:]
	if !glob {
		e = strings.ReplaceAll(e, "/", "%2F")
	}
	return e
}

// writeQuery appends the named params that are not path params as a query
// string, as Rails' url_for writes it: a nil value is left out (page: nil
// gives no page), a nested nil is an empty value (q[a]=), and an empty list
// is one empty element (tags%5B%5D=).
//
// As Rails' Journey formatter, a key that is one of the route's defaults
// is not written either: the route sets it.
func writeQuery(b *strings.Builder, named Params, used []string, defaults []paramDefault) {
	keys := make([]string, 0, len(named))
	for k := range named {
		if k != "format" && named[k] != nil && !slices.Contains(used, k) && !slices.ContainsFunc(defaults, func(d paramDefault) bool { return d.name == k }) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	sep := byte('?')
	for _, k := range keys {
		encodeParam(b, url.QueryEscape(k), named[k], &sep)
	}
}

// encodeParam writes key=value pairs with Rack's nested syntax (Rails'
// to_query).
func encodeParam(b *strings.Builder, key string, v any, sep *byte) {
	switch x := v.(type) {
	case Params:
		encodeMap(b, key, x, sep)
	case map[string]any:
		encodeMap(b, key, x, sep)
	case []any:
		if len(x) == 0 {
			encodeParam(b, key+"%5B%5D", nil, sep)
		}
		for _, e := range x {
			encodeParam(b, key+"%5B%5D", e, sep)
		}
	case []string:
		if len(x) == 0 {
			encodeParam(b, key+"%5B%5D", nil, sep)
		}
		for _, e := range x {
			encodeParam(b, key+"%5B%5D", e, sep)
		}
	default:
		b.WriteByte(*sep)
		*sep = '&'
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(paramString(v)))
	}
}

func encodeMap(b *strings.Builder, key string, m map[string]any, sep *byte) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		encodeParam(b, key+"%5B"+url.QueryEscape(k)+"%5D", m[k], sep)
	}
}
