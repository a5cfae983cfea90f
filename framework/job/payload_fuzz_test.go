package job

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeRedisPayload: any stored Redis entry decodes to a runnable job
// or fails with ErrBadPayload, never a panic; a decoded job encodes back to
// a payload that decodes to the same job.
func FuzzDecodeRedisPayload(f *testing.F) {
	for _, seed := range []string{
		`{"id":1,"kind":"WelcomeJob","queue":"default","args":{"user_id":42},"attempt":0,"max_attempts":25,"run_at":"2026-12-05T10:00:00Z","created_at":"2026-12-05T10:00:00Z"}`,
		`{"id":2,"kind":"k","queue":"q","args":[1,2],"priority":-3,"timeout":1000000000,"unique_key":"pabc","unique_until":"2026-12-05T10:00:00Z","meta":{"request_id":"r-1","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}`,
		`{"kind":"k","args":null}`,
		`{"kind":"","args":{}}`,
		`{"kind":"k","attempt":-1}`,
		`{"kind":"k","attempt":9223372036854775807,"max_attempts":1}`,
		`{"kind":"k","timeout":-5}`,
		`{"kind":"k","meta":{"":"x"}}`,
		`{"kind":"k","meta":{"a":1}}`,
		`{"kind":"k","run_at":"yesterday"}`,
		`[]`, `null`, `"job"`, ``, `{`, "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, err := decodeRedisPayload(v)
		if r == nil {
			t.Fatal("nil record")
		}
		if err != nil {
			if !errors.Is(err, ErrBadPayload) {
				t.Fatalf("error %v does not match ErrBadPayload", err)
			}
			return
		}
		if r.Kind == "" || r.Attempt < 0 || r.MaxAttempts < 0 || r.Timeout < 0 {
			t.Fatalf("accepted a job that cannot run: %+v", r)
		}
		again, err := (&RedisBackend{}).encode(r)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", r, err)
		}
		back, err := decodeRedisPayload(again)
		if err != nil {
			t.Fatalf("re-decode %s: %v", again, err)
		}
		if back.Kind != r.Kind || back.ID != r.ID || back.Attempt != r.Attempt || !maps.Equal(back.Meta, r.Meta) {
			t.Fatalf("round trip changed the job: %+v, then %+v", r, back)
		}
	})
}

// FuzzDecodeMeta: the Database backend's meta column decodes to a small
// map of strings or fails with ErrBadPayload.
func FuzzDecodeMeta(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `{"request_id":"abc"}`, `{"request_id":"a\nb","traceparent":"00-x-y-01"}`,
		`{"a":1}`, `[]`, `"s"`, `{"":"x"}`, `{"a":"b"`, strings.Repeat(`{"a":"b"}`, 3), "{\"\xff\":\"x\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := decodeMeta(s)
		if err != nil {
			if !errors.Is(err, ErrBadPayload) || m != nil {
				t.Fatalf("decodeMeta(%q) = %v, %v", s, m, err)
			}
			return
		}
		if len(m) > maxMetaEntries {
			t.Fatalf("accepted %d entries", len(m))
		}
		if len(m) > 0 {
			data, _ := json.Marshal(m)
			back, err := decodeMeta(string(data))
			if err != nil || !maps.Equal(back, m) {
				t.Fatalf("round trip of %v: %v, %v", m, back, err)
			}
		}
	})
}

// FuzzDecodeArgs: stored arguments decode into the job's argument type or
// fail that job with ErrBadPayload; the kind's runner never panics on them.
func FuzzDecodeArgs(f *testing.F) {
	for _, seed := range []string{`{"n":1,"s":"x"}`, `{}`, `null`, `{"n":"1"}`, `{"n":1e400}`, `[`, ``, `{"n":1}{"n":2}`, "\x00"} {
		f.Add([]byte(seed))
	}
	c := New(Config{})
	Register(c, echoJob{})
	k, err := c.kindOf("echoJob")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := c.protect(context.Background(), time.Second, func(ctx context.Context) error { return k.run(ctx, raw) })
		var pe *PanicError
		if errors.As(err, &pe) {
			t.Fatalf("arguments %q panicked: %v", raw, pe)
		}
		if err != nil && !errors.Is(err, ErrBadPayload) {
			t.Fatalf("arguments %q: %v, want nil or ErrBadPayload", raw, err)
		}
		if err == nil && !json.Valid(raw) {
			t.Fatalf("arguments %q are not JSON and were accepted", raw)
		}
	})
}
