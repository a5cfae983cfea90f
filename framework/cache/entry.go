package cache

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The entry format: what the Cache stores under a key.
//
//	byte 0     magic 0xC1 (never the first byte of UTF-8 text or of a
//	           decimal counter, so plain values are told apart)
//	byte 1     format version (1)
//	byte 2     flags: bit 0 compressed; bits 1-2 the kind (raw bytes or coded)
//	uvarint    logical expiry, Unix milliseconds (0: none but the store's;
//	           set only when the store keeps the entry longer, for
//	           RaceConditionTTL)
//	uvarint n  then n bytes: the version ("" when none)
//	uvarint n  then n bytes: the coder's name (coded entries only)
//	uvarint    the payload's length before compression (compressed only)
//	rest       the payload: the value's bytes, or what the coder made of it,
//	           deflated when compressed
//
// Values that do not start with the magic byte are plain: counters written
// by Increment ("42") and integers written without a version. They have no
// version, and their expiry is the store's own.
const (
	entryMagic   = 0xC1
	entryFormat1 = 1

	flagCompressed = 1 << 0
	kindShift      = 1
	kindMask       = 3 << kindShift
)

// entryKind says how the payload maps to a Go value.
type entryKind uint8

const (
	kindRaw   entryKind = 0 // the bytes of a string or []byte value
	kindCoded entryKind = 1 // a value encoded by the Cache's Coder
	kindPlain entryKind = 3 // not an entry: the store's bytes as they are
)

// maxInflate bounds how much larger than its compressed form a payload may
// claim to be: DEFLATE cannot expand beyond about 1032:1, so a larger claim
// marks a corrupt entry (and must not be allocated).
const maxInflate = 1032

// entry is a decoded header with its payload, aliasing the stored bytes.
type entry struct {
	kind       entryKind
	compressed bool
	expires    int64  // Unix milliseconds; 0: none
	version    []byte // nil when none
	coder      []byte
	rawLen     int // payload length before compression
	payload    []byte
}

// expired reports whether the entry's logical expiry has passed at now.
func (e *entry) expired(now time.Time) bool {
	return e.expires != 0 && now.UnixMilli() >= e.expires
}

// decodeEntry parses b, which must not be modified while the entry is in
// use. It never panics and never allocates in proportion to what b claims.
func decodeEntry(b []byte) (entry, error) {
	if len(b) == 0 || b[0] != entryMagic {
		return entry{kind: kindPlain, payload: b}, nil
	}
	if len(b) < 3 {
		return entry{}, fmt.Errorf("%w: %d-byte header", ErrCorruptEntry, len(b))
	}
	if b[1] != entryFormat1 {
		return entry{}, fmt.Errorf("%w: unknown format %d", ErrCorruptEntry, b[1])
	}
	flags := b[2]
	if flags&^(flagCompressed|kindMask) != 0 {
		return entry{}, fmt.Errorf("%w: unknown flags %#x", ErrCorruptEntry, flags)
	}
	e := entry{kind: entryKind(flags & kindMask >> kindShift), compressed: flags&flagCompressed != 0}
	if e.kind != kindRaw && e.kind != kindCoded {
		return entry{}, fmt.Errorf("%w: unknown kind %d", ErrCorruptEntry, e.kind)
	}
	r := b[3:]
	exp, n := binary.Uvarint(r)
	if n <= 0 || exp > 1<<62 {
		return entry{}, fmt.Errorf("%w: bad expiry", ErrCorruptEntry)
	}
	e.expires, r = int64(exp), r[n:]
	var err error
	if e.version, r, err = lengthPrefixed(r, "version"); err != nil {
		return entry{}, err
	}
	if len(e.version) == 0 {
		e.version = nil
	}
	if e.kind == kindCoded {
		if e.coder, r, err = lengthPrefixed(r, "coder"); err != nil {
			return entry{}, err
		}
	}
	e.rawLen = -1
	if e.compressed {
		raw, n := binary.Uvarint(r)
		if n <= 0 || raw > uint64(len(r)-n)*maxInflate {
			return entry{}, fmt.Errorf("%w: bad uncompressed length", ErrCorruptEntry)
		}
		e.rawLen, r = int(raw), r[n:]
	}
	e.payload = r
	if !e.compressed {
		e.rawLen = len(r)
	}
	return e, nil
}

func lengthPrefixed(r []byte, what string) (field, rest []byte, err error) {
	n, k := binary.Uvarint(r)
	if k <= 0 || n > uint64(len(r)-k) {
		return nil, nil, fmt.Errorf("%w: bad %s length", ErrCorruptEntry, what)
	}
	end := k + int(n)
	return r[k:end:end], r[end:], nil
}

// header is what appendHeader writes before a payload.
type header struct {
	kind       entryKind
	compressed bool
	expires    time.Time // logical; zero: none
	version    string
	coder      string
	rawLen     int // compressed entries only
}

// headerLen bounds the bytes appendHeader writes.
func (h *header) headerLen() int {
	return 3 + 3*binary.MaxVarintLen64 + len(h.version) + len(h.coder)
}

func (h *header) appendTo(b []byte) []byte {
	flags := byte(h.kind) << kindShift
	if h.compressed {
		flags |= flagCompressed
	}
	b = append(b, entryMagic, entryFormat1, flags)
	var exp uint64
	if t := h.expires; !t.IsZero() {
		ms := t.UnixMilli()
		if t.Nanosecond()%int(time.Millisecond) != 0 {
			ms++ // round up: an entry never expires before its time
		}
		exp = uint64(max(ms, 1))
	}
	b = binary.AppendUvarint(b, exp)
	b = binary.AppendUvarint(b, uint64(len(h.version)))
	b = append(b, h.version...)
	if h.kind == kindCoded {
		b = binary.AppendUvarint(b, uint64(len(h.coder)))
		b = append(b, h.coder...)
	}
	if h.compressed {
		b = binary.AppendUvarint(b, uint64(h.rawLen))
	}
	return b
}
