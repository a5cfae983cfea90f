package security

import (
	"net/url"
	"reflect"
	"strings"
)

// Filtered replaces a filtered value.
const Filtered = "[FILTERED]"

// DefaultFilterParams returns Rails' filter_parameters: any parameter whose
// name contains one of these, case-insensitively, is filtered.
func DefaultFilterParams() []string {
	return []string{"passw", "secret", "token", "_key", "crypt", "salt", "certificate", "otp", "ssn", "cvv", "cvc"}
}

// Filter hides sensitive parameters in logs. Immutable, safe for concurrent
// use.
type Filter struct {
	parts []string
}

// NewFilter returns a filter for parameters whose names contain any of
// parts, case-insensitively; with no parts it uses [DefaultFilterParams].
func NewFilter(parts ...string) *Filter {
	if len(parts) == 0 {
		parts = DefaultFilterParams()
	}
	f := &Filter{parts: make([]string, 0, len(parts))}
	for _, p := range parts {
		if p != "" {
			f.parts = append(f.parts, strings.ToLower(p))
		}
	}
	return f
}

// Sensitive reports whether the parameter called key must be filtered. A
// nested name such as "user[password]" is matched as a whole.
func (f *Filter) Sensitive(key string) bool {
	k := strings.ToLower(key)
	for _, p := range f.parts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// Value returns value, or [Filtered] when key is sensitive: the func the log
// middleware calls for each parameter.
func (f *Filter) Value(key, value string) string {
	if f.Sensitive(key) {
		return Filtered
	}
	return value
}

// Values returns a copy of v with sensitive values replaced.
func (f *Filter) Values(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		if f.Sensitive(k) {
			masked := make([]string, len(vs))
			for i := range masked {
				masked[i] = Filtered
			}
			out[k] = masked
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Query returns a URL query string with sensitive values replaced, for
// logging request URLs. An unparsable query is returned as "[FILTERED]".
func (f *Filter) Query(raw string) string {
	if raw == "" {
		return ""
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return Filtered
	}
	return f.Values(v).Encode()
}

// Map returns a copy of m (for example decoded JSON parameters) with
// sensitive values replaced at any depth, through nested maps and slices.
func (f *Filter) Map(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if f.Sensitive(k) {
			out[k] = Filtered
			continue
		}
		out[k] = f.any(v)
	}
	return out
}

func (f *Filter) any(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return f.Map(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = f.any(e)
		}
		return out
	case string, nil:
		return v
	}
	// A named map or list type (dispatch.Params, a nested hash of a form:
	// user[password]) is filtered as the plain one, never shown as it is.
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String && rv.Type().Elem() == anyType:
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return f.Map(m)
	case rv.Kind() == reflect.Slice && rv.Type().Elem() == anyType:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = f.any(rv.Index(i).Interface())
		}
		return out
	}
	return v
}

var anyType = reflect.TypeFor[any]()
