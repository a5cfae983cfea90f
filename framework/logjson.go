package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorails/gorails/framework/event"
)

// jsonHandler writes what slog.JSONHandler writes, one object per line:
//
//	{"time":"2026-12-05T07:30:00.123456789Z","level":"INFO","msg":"Completed 200 OK in 3ms","status":200,...,"request_id":"3f2a9c"}
//
// the request id of the record's context last, as requestIDHandler adds
// it. It formats strings, numbers, booleans, times and durations itself
// into a pooled buffer (no reflection, no allocation per line); other
// values go through encoding/json as slog's do. Groups (WithGroup) are
// handed to a slog.JSONHandler on the same output, which the request log
// never uses.
type jsonHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Leveler
	pre   []byte      // attributes added with WithAttrs, formatted, each with a leading comma
	attrs []slog.Attr // the same attributes, for WithGroup's slog handler
	clock *logClock   // the last second's text of the lines' times
}

func newJSONHandler(w io.Writer, level slog.Leveler) *jsonHandler {
	return &jsonHandler{mu: new(sync.Mutex), w: w, level: level, clock: newLogClock()}
}

// lineBuf is a pooled buffer of one line.
type lineBuf struct{ b []byte }

var linePool = sync.Pool{New: func() any { return &lineBuf{b: make([]byte, 0, 1024)} }}

func getLine() *lineBuf { return linePool.Get().(*lineBuf) }

func putLine(l *lineBuf) {
	if cap(l.b) > 64<<10 {
		return // a huge line's buffer is not kept
	}
	l.b = l.b[:0]
	linePool.Put(l)
}

func (h *jsonHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *jsonHandler) Handle(ctx context.Context, r slog.Record) error {
	lb := getLine()
	defer putLine(lb)
	b := h.appendHead(lb.b, r.Time, r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = appendJSONAttr(b, a)
		return true
	})
	return h.finish(ctx, lb, b)
}

// handleAttrs writes a line as Handle does, from its parts: the log
// subscriber's path, which builds no slog.Record (a Record of more than
// five attributes allocates them).
func (h *jsonHandler) handleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr) error {
	lb := getLine()
	defer putLine(lb)
	b := h.appendHead(lb.b, t, level, msg)
	for _, a := range attrs {
		b = appendJSONAttr(b, a)
	}
	return h.finish(ctx, lb, b)
}

func (h *jsonHandler) appendHead(b []byte, t time.Time, level slog.Level, msg string) []byte {
	return appendHeadOf(h, b, t, level, msg)
}

// appendHeadOf is appendHead of a message as a string or as bytes.
func appendHeadOf[S string | []byte](h *jsonHandler, b []byte, t time.Time, level slog.Level, msg S) []byte {
	b = append(b, '{')
	if !t.IsZero() {
		b = append(b, `"time":"`...)
		b = h.clock.rfc3339Nano.appendTime(b, t) // t.Round(0).AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":"`...)
	b = append(b, level.String()...)
	b = append(b, `","msg":`...)
	b = appendJSONString(b, msg)
	return append(b, h.pre...)
}

// jsonLine is a line the log subscriber writes into the handler's buffer
// itself, attribute by attribute: the bytes handleAttrs writes for the same
// message and attributes, without a slog.Attr each and with each key
// appended as the constant it is, ready quoted (`,"method":`), instead of
// escaped byte by byte. The request log's three lines of every request
// take this way (TestRequestLinesFastPathWritesWhatSlogWrites).
type jsonLine struct {
	h  *jsonHandler
	lb *lineBuf
	b  []byte
}

// line starts a line of message msg at level, at time t.
func (h *jsonHandler) line(t time.Time, level slog.Level, msg []byte) jsonLine {
	lb := getLine()
	return jsonLine{h: h, lb: lb, b: appendHeadOf(h, lb.b, t, level, msg)}
}

// str appends a string attribute; key is the attribute's name as JSON,
// with its comma and colon: `,"method":`.
func (l *jsonLine) str(key, v string) {
	l.b = appendJSONString(append(l.b, key...), v)
}

// int appends an integer attribute (key as str's).
func (l *jsonLine) int(key string, v int64) {
	l.b = strconv.AppendInt(append(l.b, key...), v, 10)
}

// float appends a float attribute (key as str's).
func (l *jsonLine) float(key string, v float64) {
	l.b = appendJSONFloat(append(l.b, key...), v)
}

// ms appends a duration in milliseconds, as float does msFloat(d), from
// its microseconds as a decimal (no float formatting: three of them per
// request). Up to 2^43 µs (about 100 days) the decimal n/1000 is what
// appendJSONFloat writes for float64(n)/1000, its shortest form (an ulp
// there is under 0.002 µs, so no shorter decimal rounds to the same
// float; TestJSONLineMsIsFloat); beyond, and for negative durations,
// float itself writes it.
func (l *jsonLine) ms(key string, d time.Duration) {
	us := d.Microseconds()
	if us < 0 || us >= 1<<43 {
		l.float(key, msFloat(d))
		return
	}
	b := strconv.AppendInt(append(l.b, key...), us/1000, 10)
	if frac := us % 1000; frac != 0 {
		digits := [4]byte{'.', byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
		n := 4
		for digits[n-1] == '0' {
			n--
		}
		b = append(b, digits[:n]...)
	}
	l.b = b
}

// value appends an attribute of any other value (key as str's), as
// appendJSONAttr writes it.
func (l *jsonLine) value(key string, v slog.Value) {
	l.b = appendJSONValue(append(l.b, key...), v.Resolve())
}

// write ends the line with the request id of ctx and writes it.
func (l *jsonLine) write(ctx context.Context) error {
	defer putLine(l.lb)
	return l.h.finish(ctx, l.lb, l.b)
}

func (h *jsonHandler) finish(ctx context.Context, lb *lineBuf, b []byte) error {
	if id := event.RequestID(ctx); id != "" {
		b = append(b, `,"request_id":`...)
		b = appendJSONString(b, id)
	}
	b = append(b, '}', '\n')
	lb.b = b
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	return err
}

func (h *jsonHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	h2 := *h
	pre := append([]byte(nil), h.pre...)
	for _, a := range as {
		pre = appendJSONAttr(pre, a)
	}
	h2.pre = pre
	h2.attrs = append(slices.Clip(h.attrs), as...)
	return &h2
}

func (h *jsonHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	std := slog.NewJSONHandler(lockedWriter{h.mu, h.w}, &slog.HandlerOptions{Level: h.level})
	return requestIDHandler{std.WithAttrs(h.attrs).WithGroup(name)}
}

// lockedWriter serializes a stdlib handler's writes with the jsonHandler's.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// appendJSONAttr appends ,"key":value as slog.JSONHandler writes it; an
// empty attribute is left out and a group is an object.
func appendJSONAttr(b []byte, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		as := a.Value.Group()
		if len(as) == 0 {
			return b
		}
		if a.Key == "" { // inlined, as slog does
			for _, g := range as {
				b = appendJSONAttr(b, g)
			}
			return b
		}
		b = append(b, ',')
		b = appendJSONString(b, a.Key)
		b = append(b, ':', '{')
		start := len(b)
		for _, g := range as {
			b = appendJSONAttr(b, g)
		}
		if len(b) > start && b[start] == ',' {
			b = append(b[:start], b[start+1:]...)
		}
		return append(b, '}')
	}
	b = append(b, ',')
	b = appendJSONString(b, a.Key)
	b = append(b, ':')
	return appendJSONValue(b, a.Value)
}

func appendJSONValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendJSONString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendJSONFloat(b, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(b, int64(v.Duration()), 10) // nanoseconds, as slog
	case slog.KindTime:
		b = append(b, '"')
		b = v.Time().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	a := v.Any()
	if err, ok := a.(error); ok {
		if _, marshals := a.(json.Marshaler); !marshals {
			return appendJSONString(b, err.Error())
		}
	}
	if m, ok := a.(map[string]any); ok && m != nil {
		if out, ok := appendJSONStringMap(b, m, 0); ok {
			return out
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return appendJSONString(b, "!ERROR:"+err.Error())
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendJSONStringMap writes m as encoding/json does (keys sorted, HTML
// characters left alone) when its values are strings, []string and maps
// of them, as a request's params are, without reflection: the request
// log's Parameters line. ok is false, with b as it was, for any other
// value, which encoding/json then writes.
func appendJSONStringMap(b []byte, m map[string]any, depth int) (out []byte, ok bool) {
	if depth > 8 {
		return b, false
	}
	var kb [16]string
	keys := kb[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := len(b)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch v := m[k].(type) {
		case string:
			b = appendJSONString(b, v)
		case []string:
			if v == nil {
				b = append(b, "null"...)
				break
			}
			b = append(b, '[')
			for j, e := range v {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, e)
			}
			b = append(b, ']')
		case map[string]any:
			if v == nil {
				b = append(b, "null"...)
				break
			}
			if b, ok = appendJSONStringMap(b, v, depth+1); !ok {
				return b[:n], false
			}
		default:
			return b[:n], false
		}
	}
	return append(b, '}'), true
}

// appendJSONFloat writes f as encoding/json does; NaN and the infinities,
// which JSON cannot hold, as strings.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendJSONString(b, strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// jsonPlain tells the bytes appendJSONString copies as they are: ASCII
// from the space on, but the quote and the backslash. One load per byte
// where four comparisons were (about a third of the instructions of the
// request log's strings).
var jsonPlain = [256]bool{
	' ': true, '!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '(': true, ')': true, '*': true, '+': true, ',': true, '-': true, '.': true, '/': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	':': true, ';': true, '<': true, '=': true, '>': true, '?': true, '@': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true, 'J': true, 'K': true, 'L': true, 'M': true,
	'N': true, 'O': true, 'P': true, 'Q': true, 'R': true, 'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'[': true, ']': true, '^': true, '_': true, '`': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true, 'j': true, 'k': true, 'l': true, 'm': true,
	'n': true, 'o': true, 'p': true, 'q': true, 'r': true, 's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
	'{': true, '|': true, '}': true, '~': true, '\x7f': true,
}

// jsonPlainWord reports whether the eight bytes of w are all plain
// (jsonPlain): none below the space, none from 0x80 on, no quote, no
// backslash. Each test is exact, not just a hint: x-0x01 borrows into a
// byte's top bit only from a byte that is zero, and the lowest such byte
// is a real one (TestJSONPlainWord checks it against the table).
func jsonPlainWord(w uint64) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')   // zero where w has a quote
	bs := w ^ (ones * '\\') // zero where w has a backslash
	special := w |          // from 0x80 on
		(w - ones*' ') | // below the space (or from 0x80 on)
		((q - ones) &^ q) | ((bs - ones) &^ bs)
	return special&tops == 0
}

// appendJSONString writes s quoted as slog.JSONHandler does: control
// characters, quotes and backslashes escaped, invalid UTF-8 as U+FFFD,
// U+2028 and U+2029 escaped, HTML characters left alone. s is a string or
// bytes (a message built in a buffer, written without a string of its
// own).
func appendJSONString[S string | []byte](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start, bytewise := 0, 0
	for i := 0; i < len(s); {
		// Eight plain bytes at a time (most of a request line's strings);
		// the eight that hold a byte to escape, then, one at a time.
		if i >= bytewise {
			for i+8 <= len(s) {
				w := s[i : i+8] // one bounds check, and the loads combine into one
				if !jsonPlainWord(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
					uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
					break
				}
				i += 8
			}
			if i == len(s) {
				break
			}
			bytewise = i + 8
		}
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		// A rune is at most four bytes: decoding that much of s decodes
		// what the whole rest would (and converts no more than four bytes
		// of a []byte, on the stack).
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
