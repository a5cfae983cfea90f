package cache

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func testCache(t testing.TB, threshold int) *Cache {
	c, err := New(Config{CompressThreshold: threshold})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCorruptEntriesAreRefused(t *testing.T) {
	good, _ := encodeValue(testCache(t, 0), "value", header{version: "v1"}, true)
	tests := []struct {
		name string
		b    []byte
	}{
		{"a header cut short", good[:2]},
		{"an unknown format", append([]byte{entryMagic, 9}, good[2:]...)},
		{"unknown flags", append([]byte{entryMagic, entryFormat1, 0x80}, good[3:]...)},
		{"a version longer than the entry", []byte{entryMagic, entryFormat1, 0, 0, 50, 'v'}},
		{"a truncated varint", []byte{entryMagic, entryFormat1, 0, 0x80}},
		{"a compressed length beyond what DEFLATE can reach", []byte{entryMagic, entryFormat1, flagCompressed, 0, 0, 0xff, 0xff, 0xff, 0x7f, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeEntry(tt.b); !errors.Is(err, ErrCorruptEntry) {
				t.Fatalf("decodeEntry = %v; want ErrCorruptEntry", err)
			}
		})
	}
}

func TestACompressedPayloadMustInflateToItsDeclaredLength(t *testing.T) {
	c := testCache(t, 10)
	b, _ := encodeValue(c, bytes.Repeat([]byte("abc"), 100), header{}, true)
	e, err := decodeEntry(b)
	if err != nil || !e.compressed {
		t.Fatalf("entry %+v, %v; want a compressed one", e, err)
	}
	for _, n := range []int{e.rawLen - 1, e.rawLen + 1} {
		e.rawLen = n
		if _, err := decodeValue[[]byte](c, &e); !errors.Is(err, ErrCorruptEntry) {
			t.Errorf("declared length %d: %v; want ErrCorruptEntry", n, err)
		}
	}
}

// FuzzDecodeEntry feeds arbitrary stored bytes to the decoder and to the
// typed reads: they must fail cleanly, never panic or allocate what a
// corrupt length claims, and what decodes must encode back to the same.
func FuzzDecodeEntry(f *testing.F) {
	c := testCache(f, 16)
	seeds := [][]byte{nil, []byte("42"), []byte("-7"), {entryMagic}}
	for _, v := range []any{"text", []byte("bytes"), 12, struct{ A int }{1}, bytes.Repeat([]byte("z"), 200)} {
		for _, version := range []string{"", "v1"} {
			h := header{version: version, expires: time.UnixMilli(1_700_000_000_000)}
			var b []byte
			switch v := v.(type) {
			case string:
				b, _ = encodeValue(c, v, h, false)
			case []byte:
				b, _ = encodeValue(c, v, h, false)
			case int:
				b, _ = encodeValue(c, v, h, false)
			default:
				b, _ = encodeValue(c, v, h, false)
			}
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			if !errors.Is(err, ErrCorruptEntry) {
				t.Fatalf("decodeEntry error %v does not wrap ErrCorruptEntry", err)
			}
			return
		}
		_, _ = decodeValue[string](c, &e)
		_, _ = decodeValue[int64](c, &e)
		_, _ = decodeValue[struct{ A int }](c, &e)
		_, _ = decodeValue[map[string]any](c, &e)
		if e.kind == kindPlain {
			return
		}
		h := header{kind: e.kind, compressed: e.compressed, version: string(e.version), coder: string(e.coder), rawLen: e.rawLen}
		if e.expires != 0 {
			h.expires = time.UnixMilli(e.expires)
		}
		again, err := decodeEntry(append(h.appendTo(nil), e.payload...))
		if err != nil || again.kind != e.kind || again.expires != e.expires || !bytes.Equal(again.version, e.version) ||
			!bytes.Equal(again.coder, e.coder) || again.rawLen != e.rawLen || !bytes.Equal(again.payload, e.payload) {
			t.Fatalf("re-encoded entry decodes as %+v, %v; want %+v", again, err, e)
		}
	})
}

// FuzzEntryRoundTrip writes any value, version and expiry, with and
// without compression, and reads back exactly what was written.
func FuzzEntryRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), "v1", int64(1_700_000_000_123), 0)
	f.Add(bytes.Repeat([]byte("<li>x</li>"), 300), "", int64(0), 64)
	f.Add([]byte{}, "\xc1", int64(1), 1)
	caches := []*Cache{testCache(f, 0), testCache(f, 1), testCache(f, 64)}
	f.Fuzz(func(t *testing.T, value []byte, version string, expiresMs int64, which int) {
		if expiresMs < 0 || expiresMs > 1<<50 {
			expiresMs = 0
		}
		c := caches[uint(which)%uint(len(caches))]
		h := header{version: version}
		if expiresMs != 0 {
			h.expires = time.UnixMilli(expiresMs)
		}
		b, err := encodeValue(c, value, h, true)
		if err != nil {
			t.Fatal(err)
		}
		e, err := decodeEntry(b)
		if err != nil {
			t.Fatalf("decode of an encoded entry: %v", err)
		}
		if e.expires != expiresMs || string(e.version) != version {
			t.Fatalf("expiry %d version %q; want %d %q", e.expires, e.version, expiresMs, version)
		}
		got, err := decodeValue[[]byte](c, &e)
		if err != nil || !bytes.Equal(got, value) {
			t.Fatalf("value %q, %v; want %q", got, err, value)
		}
		s, err := decodeValue[string](c, &e)
		if err != nil || s != string(value) {
			t.Fatalf("as a string %q, %v", s, err)
		}
	})
}
