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
	return strings.TrimSuffix(base, "/") + p, nil
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
	vals, format, err := rt.bind(args, named)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	i := 0
	for _, s := range rt.segs {
		b.WriteByte('/')
		if s.kind == segStatic {
			b.WriteString(s.esc)
			continue
		}
		b.WriteString(escapeSegment(vals[i], s.kind == segGlob))
		i++
	}
	if b.Len() == 0 {
		b.WriteByte('/')
	}
	if format != "" {
		b.WriteString("." + url.PathEscape(format))
	}
	writeQuery(&b, named, rt.params)
	return b.String(), nil
}

// bind takes the route's param values from positional and named args.
func (rt *route) bind(args []any, named Params) ([]string, string, error) {
	if len(args) > len(rt.params)+1 || (len(args) == len(rt.params)+1 && rt.format == formatNone) {
		return nil, "", fmt.Errorf("%d args for %d params: %w", len(args), len(rt.params), ErrInvalidParam)
	}
	vals := make([]string, len(rt.params))
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
// string.
func writeQuery(b *strings.Builder, named Params, used []string) {
	keys := make([]string, 0, len(named))
	for k := range named {
		if k != "format" && !slices.Contains(used, k) {
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
		for _, e := range x {
			encodeParam(b, key+"%5B%5D", e, sep)
		}
	case []string:
		for _, e := range x {
			encodeParam(b, key+"%5B%5D", e, sep)
		}
	default:
		b.WriteByte(*sep)
		*sep = '&'
		b.WriteString(key)
		if v != nil {
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(paramString(v)))
		}
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
