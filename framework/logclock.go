package framework

import (
	"sync/atomic"
	"time"
)

// secondLayout formats times of one layout and keeps the text of the last
// second it formatted, so that the lines of that second copy it instead of
// computing the date and clock again (about 1.5k instructions per line in
// time.Time.AppendFormat). A time is formatted from its Unix second and
// its Location, which are all its text depends on outside the fraction of
// the second: the cache is keyed on both.
//
// frac is the offset in the layout's text where the fraction of the
// second goes (RFC 3339's ".123456789", trailing zeros trimmed, none when
// it is zero), or -1 for a layout without one. The layouts it is used
// with are the request log's: time.RFC3339Nano (the JSON lines' "time")
// and the Started line's "2006-01-02 15:04:05 -0700".
//
// A secondLayout is safe for concurrent use (newSecondLayout makes one).
type secondLayout struct {
	layout string // the full layout, for AppendFormat
	base   string // the layout without the fraction of the second
	frac   int    // where the fraction goes in base's text, or -1
	last   atomic.Pointer[formattedSecond]
}

// formattedSecond is one second's text in a layout.
type formattedSecond struct {
	sec  int64
	loc  *time.Location
	text []byte // the second's text without a fraction
	frac int    // where the fraction goes in text, or -1
}

// stdClockLen is the length of "2006-01-02T15:04:05" and "2006-01-02
// 15:04:05": a four-digit year's date and clock, where the fraction of
// the second follows.
const stdClockLen = len("2006-01-02T15:04:05")

func newSecondLayout(layout, base string, frac bool) *secondLayout {
	l := &secondLayout{layout: layout, base: base, frac: -1}
	if frac {
		l.frac = stdClockLen
	}
	return l
}

// appendTime appends t as t.AppendFormat(b, l.layout) does.
func (l *secondLayout) appendTime(b []byte, t time.Time) []byte {
	sec, loc := t.Unix(), t.Location()
	f := l.last.Load()
	if f == nil || f.sec != sec || f.loc != loc {
		f = l.format(sec, loc)
		if f == nil {
			return t.AppendFormat(b, l.layout)
		}
		l.last.Store(f)
	}
	if f.frac < 0 {
		return append(b, f.text...)
	}
	b = append(b, f.text[:f.frac]...)
	b = appendFraction(b, t.Nanosecond())
	return append(b, f.text[f.frac:]...)
}

// format is the text of second sec in loc, or nil when the cache does not
// apply (a year outside 0 to 9999, whose date is not of the usual length).
func (l *secondLayout) format(sec int64, loc *time.Location) *formattedSecond {
	t := time.Unix(sec, 0).In(loc)
	if y := t.Year(); y < 0 || y > 9999 {
		return nil
	}
	return &formattedSecond{sec: sec, loc: loc, text: t.AppendFormat(nil, l.base), frac: l.frac}
}

// appendFraction appends the fraction of a second as the layout's
// ".999999999" does: a dot and nine digits without their trailing zeros,
// nothing at all for zero nanoseconds.
func appendFraction(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	var d [10]byte
	d[0] = '.'
	for i := 9; i >= 1; i-- {
		d[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := 10
	for d[n-1] == '0' {
		n--
	}
	return append(b, d[:n]...)
}

// The request log's layouts: the JSON lines' time and the Started line's.
const (
	startedLayout = "2006-01-02 15:04:05 -0700"
	rfc3339Base   = "2006-01-02T15:04:05Z07:00" // time.RFC3339Nano without its fraction
)

// logClock holds the JSON handler's cached layouts; one per handler,
// shared by the handlers WithAttrs derives from it.
type logClock struct {
	rfc3339Nano *secondLayout
	started     *secondLayout
}

func newLogClock() *logClock {
	return &logClock{
		rfc3339Nano: newSecondLayout(time.RFC3339Nano, rfc3339Base, true),
		started:     newSecondLayout(startedLayout, startedLayout, false),
	}
}
