package session

import (
	"encoding/binary"
	"errors"
	"time"
)

// Record is what a [Store] keeps for one session.
type Record struct {
	ID      string            // random, changes on Reset
	Created time.Time         // for the absolute timeout
	Seen    time.Time         // last activity, for the idle timeout
	Expires time.Time         // when the store may forget it; zero: end of the browser session
	Values  map[string]string // the session's data
	Flash   map[string]string // messages for the next request
}

// errMalformed reports an encoded record that does not parse.
var errMalformed = errors.New("session: malformed record")

const recordVersion = 1

// MarshalBinary encodes the record compactly (no reflection): a version
// byte, then length-prefixed fields. Expires is not encoded; the cookie
// envelope carries it.
func (rec Record) MarshalBinary() ([]byte, error) {
	n := 1 + len(rec.ID) + 3*binary.MaxVarintLen64
	for k, v := range rec.Values {
		n += len(k) + len(v) + 4
	}
	for k, v := range rec.Flash {
		n += len(k) + len(v) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, recordVersion)
	b = appendString(b, rec.ID)
	b = binary.AppendUvarint(b, unix(rec.Created))
	b = binary.AppendUvarint(b, unix(rec.Seen))
	b = appendMap(b, rec.Values)
	b = appendMap(b, rec.Flash)
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary produced. It never panics and
// rejects trailing bytes, truncation and absurd lengths with an error.
func (rec *Record) UnmarshalBinary(b []byte) error {
	d := decoder{b: b}
	if d.byte() != recordVersion {
		return errMalformed
	}
	id := d.string()
	created, seen := d.uvarint(), d.uvarint()
	values := d.stringMap()
	flash := d.stringMap()
	if d.bad || len(d.b) != 0 || created > 1<<40 || seen > 1<<40 {
		return errMalformed
	}
	*rec = Record{ID: id, Created: fromUnix(created), Seen: fromUnix(seen), Values: values, Flash: flash}
	return nil
}

func unix(t time.Time) uint64 {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	return uint64(t.Unix())
}

func fromUnix(s uint64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendMap(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for k, v := range m {
		b = appendString(b, k)
		b = appendString(b, v)
	}
	return b
}

type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) stringMap() map[string]string {
	n := d.uvarint()
	// Each entry takes at least two bytes, which bounds n by the input.
	if d.bad || n > uint64(len(d.b))/2 {
		d.bad = true
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.string()
		v := d.string()
		if d.bad {
			return nil
		}
		if _, dup := m[k]; dup {
			d.bad = true
			return nil
		}
		m[k] = v
	}
	return m
}
