package record

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Attributes are what Assign and Update take: Attrs, which the program
// writes, or request params that were permitted. A controller's params
// (controller.Params) implement it and refuse to hand over their values
// until Permit chose them (Rails' ForbiddenAttributesProtection), so a
// request cannot set a column the action did not name, such as admin. A
// map decoded from a request body is not Attributes: converting it to
// Attrs is the explicit, visible way to trust it.
type Attributes interface {
	// AttributeValues returns the values by column (or field) name, or the
	// reason they may not be assigned.
	AttributeValues() (map[string]any, error)
}

// AttributeValues returns a: what the program wrote is always permitted.
func (a Attrs) AttributeValues() (map[string]any, error) { return a, nil }

// ErrInvalidAttribute is wrapped by an *AttributeError: a value Assign
// cannot convert to its field's type.
var ErrInvalidAttribute = errors.New("value does not convert to the attribute's type")

// AttributeError is a value Assign could not convert to its field, such as
// "maybe" for a boolean or "12abc" for an integer. Values come from request
// params, so it answers 400 Bad Request and names the attribute.
type AttributeError struct {
	Model     string // "Post"
	Attribute string // the column, "published"
	Value     string // the offending value, truncated
	Err       error
}

func (e *AttributeError) Error() string {
	return fmt.Sprintf("record: %s.%s: %q: %v", e.Model, e.Attribute, e.Value, e.Err)
}

// Unwrap returns ErrInvalidAttribute and the conversion's error.
func (e *AttributeError) Unwrap() []error { return []error{ErrInvalidAttribute, e.Err} }

// StatusCode is 400 Bad Request: the value came from the client. (An int,
// so that record needs no net/http.)
func (e *AttributeError) StatusCode() int { return 400 }

// fromText converts a form's or a JSON body's text to the type t, the way
// Rails casts attributes: "1", "true", "on" for booleans, base-10 numbers,
// RFC 3339 or what date and datetime-local inputs send for times. Blank
// text is the zero value (nil for a pointer).
func fromText(s string, t reflect.Type) (reflect.Value, error) {
	s = strings.TrimSpace(s)
	if t.Kind() == reflect.Pointer {
		if s == "" {
			return reflect.Zero(t), nil
		}
		v, err := fromText(s, t.Elem())
		if err != nil {
			return v, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(v)
		return p, nil
	}
	out := reflect.New(t).Elem()
	if s == "" {
		return out, nil
	}
	switch {
	case t == timeType:
		for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "15:04:05", "15:04"} {
			if tm, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				if strings.Count(layout, "-") == 0 { // a time of day: Rails' time columns keep 2000-01-01
					tm = tm.AddDate(2000, 0, 0)
				}
				out.Set(reflect.ValueOf(tm))
				return out, nil
			}
		}
		return out, errors.New("not a time (use RFC 3339 or YYYY-MM-DD[THH:MM[:SS]])")
	case t.Kind() == reflect.Bool:
		switch strings.ToLower(s) {
		case "1", "t", "true", "on", "yes", "y":
			out.SetBool(true)
		case "0", "f", "false", "off", "no", "n":
		default:
			return out, errors.New("not a boolean (use true/false, 1/0 or on/off)")
		}
	case out.CanInt():
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return out, fmt.Errorf("not an integer: %w", errors.Unwrap(err))
		}
		out.SetInt(n)
	case out.CanUint():
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return out, fmt.Errorf("not a non-negative integer: %w", errors.Unwrap(err))
		}
		out.SetUint(n)
	case out.CanFloat():
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return out, fmt.Errorf("not a number: %w", errors.Unwrap(err))
		}
		out.SetFloat(f)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		out.SetBytes([]byte(s))
	default:
		return out, fmt.Errorf("cannot convert text to %v", t)
	}
	return out, nil
}

// assignValue sets the field to v: assignable and numeric values as they
// are, text converted by fromText, anything else an *AttributeError.
func (p *plan) assignValue(f *field, base unsafe.Pointer, v any) error {
	err := f.assign(base, v)
	if err == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String && f.typ.Kind() != reflect.String {
		conv, cerr := fromText(rv.String(), f.typ)
		if cerr == nil {
			reflect.NewAt(f.typ, unsafe.Add(base, f.off)).Elem().Set(conv)
			return nil
		}
		err = cerr
	} else {
		err = fmt.Errorf("a %s is not a %v", kindName(rv), f.typ)
	}
	s := fmt.Sprint(v)
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return &AttributeError{Model: p.name, Attribute: f.column, Value: s, Err: err}
}

func kindName(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Map:
		return "hash"
	case reflect.Slice:
		return "list"
	}
	return v.Type().String()
}
