package cache

import (
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// How a Go value of type T is stored:
//
//   - string and []byte (and named types over them, such as template.HTML
//     or json.RawMessage) as their bytes, in a raw entry;
//   - signed integers as plain decimal text ("42", no entry header) when
//     the write has no version or race_condition_ttl, so that Increment
//     works on them as on counters (Rails' raw: true), else coded;
//   - everything else through the Cache's Coder, in a coded entry.
//
// The type switches on *T are static: T = any is coded even when it holds
// a string, and reads back as what the Coder makes of it.

// encodeValue returns the bytes that store v under a header of h's
// version and expiry.
func encodeValue[T any](c *Cache, v T, h header, plainInts bool) ([]byte, error) {
	var s string
	var b []byte
	isBytes := false
	switch p := any(&v).(type) {
	case *string:
		s = *p
	case *[]byte:
		b, isBytes = *p, true
	case *int64:
		if plainInts {
			return strconv.AppendInt(nil, *p, 10), nil
		}
		return c.encodeCoded(v, h)
	case *int:
		if plainInts {
			return strconv.AppendInt(nil, int64(*p), 10), nil
		}
		return c.encodeCoded(v, h)
	default:
		rv := reflect.ValueOf(p).Elem()
		switch {
		case rv.Kind() == reflect.String:
			s = rv.String()
		case isByteSlice(rv.Type()):
			b, isBytes = rv.Bytes(), true
		case isInt(rv.Kind()) && plainInts:
			return strconv.AppendInt(nil, rv.Int(), 10), nil
		default:
			return c.encodeCoded(v, h)
		}
	}
	h.kind = kindRaw
	if isBytes {
		return c.build(h, b, ""), nil
	}
	return c.build(h, nil, s), nil
}

func (c *Cache) encodeCoded(v any, h header) ([]byte, error) {
	p, err := c.coder.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cache: encode %T with %s: %w", v, c.coderName, err)
	}
	h.kind, h.coder = kindCoded, c.coderName
	return c.build(h, p, ""), nil
}

// build returns the entry of h over the payload b, or s when b is nil,
// compressed when that is on, large enough and worth it.
func (c *Cache) build(h header, b []byte, s string) []byte {
	n := len(b) + len(s)
	if c.compressAt > 0 && n >= c.compressAt {
		if b == nil {
			b = []byte(s)
		}
		z := c.shared.comp.compress(make([]byte, 0, n/2), b)
		if len(z) < n-n/8 {
			h.compressed, h.rawLen = true, n
			return append(h.appendTo(make([]byte, 0, h.headerLen()+len(z))), z...)
		}
	}
	out := h.appendTo(make([]byte, 0, h.headerLen()+n))
	if b != nil {
		return append(out, b...)
	}
	return append(out, s...)
}

// freshness is how an entry stands for a read.
type freshness uint8

const (
	entryMiss    freshness = iota // absent, another version, another coder
	entryFresh                    // usable
	entryExpired                  // past its logical expiry (still in the store)
)

// usable tells how e stands for a read wanting version at now (zero:
// the clock is read only when the entry expires at all).
func (c *Cache) usable(e *entry, version string, now time.Time) freshness {
	if e.kind == kindCoded && string(e.coder) != c.coderName {
		return entryMiss
	}
	if version != "" && e.version != nil && string(e.version) != version {
		return entryMiss
	}
	if e.expires != 0 {
		if now.IsZero() {
			now = time.Now()
		}
		if e.expired(now) {
			return entryExpired
		}
	}
	return entryFresh
}

// decodeValue reads e's value as a T. The common types take paths on which
// the value does not escape to the heap: a hit on a string costs no
// allocation at all.
func decodeValue[T any](c *Cache, e *entry) (T, error) {
	payload := e.payload
	if e.compressed {
		var err error
		if payload, err = c.shared.comp.decompress(e.payload, e.rawLen); err != nil {
			var zero T
			return zero, err
		}
	}
	if e.kind == kindCoded {
		return decodeCoded[T](c, payload)
	}
	var v T
	switch reflect.TypeFor[T]() {
	case reflect.TypeFor[string]():
		*(*string)(unsafe.Pointer(&v)) = bytesToString(payload)
		return v, nil
	case reflect.TypeFor[[]byte]():
		*(*[]byte)(unsafe.Pointer(&v)) = append([]byte{}, payload...)
		return v, nil
	case reflect.TypeFor[int64]():
		if e.kind == kindPlain {
			n, err := parseInt(payload)
			*(*int64)(unsafe.Pointer(&v)) = n
			return v, err
		}
	case reflect.TypeFor[int]():
		if e.kind == kindPlain {
			n, err := parseInt(payload)
			*(*int)(unsafe.Pointer(&v)) = int(n)
			return v, err
		}
	}
	return decodeOther[T](e.kind, payload)
}

func decodeCoded[T any](c *Cache, payload []byte) (T, error) {
	var v T
	if err := c.coder.Unmarshal(payload, &v); err != nil {
		return v, fmt.Errorf("cache: decode as %T with %s: %w", v, c.coderName, err)
	}
	return v, nil
}

// decodeOther reads a raw or plain payload as a named string, byte slice
// or integer type (template.HTML, json.RawMessage, time.Month).
func decodeOther[T any](kind entryKind, payload []byte) (T, error) {
	var v T
	rv := reflect.ValueOf(&v).Elem()
	switch {
	case rv.Kind() == reflect.String:
		rv.SetString(bytesToString(payload))
		return v, nil
	case isByteSlice(rv.Type()):
		rv.SetBytes(append([]byte{}, payload...))
		return v, nil
	case isInt(rv.Kind()) && kind == kindPlain:
		n, err := parseInt(payload)
		if err == nil && rv.OverflowInt(n) {
			err = fmt.Errorf("%w: %d overflows %s", ErrWrongType, n, rv.Type())
		}
		if err == nil {
			rv.SetInt(n)
		}
		return v, err
	}
	return v, fmt.Errorf("%w: a %s entry read as %T", ErrWrongType, kindName(kind), v)
}

// bytesToString returns b as a string without copying it. The Store
// contract makes this safe: nobody modifies the bytes a Get returned (the
// caller must not, the store must not after returning them), and a
// decompressed payload belongs to this read alone. A cache hit on a
// rendered fragment then costs no copy of the fragment.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func parseInt(b []byte) (int64, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not an integer", ErrWrongType, truncate(b))
	}
	return n, nil
}

func truncate(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

func kindName(k entryKind) string {
	if k == kindRaw {
		return "string"
	}
	return "plain"
}

func isByteSlice(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}
