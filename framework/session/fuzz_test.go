package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/session"
)

// FuzzRecordDecode: the session record decoder never panics, and what it
// accepts encodes back to an equivalent record.
func FuzzRecordDecode(f *testing.F) {
	good, _ := session.Record{ID: "abc", Created: time.Unix(1, 0), Seen: time.Unix(2, 0),
		Values: map[string]string{"user": "1"}, Flash: map[string]string{"notice": "hi"}}.MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec session.Record
		if rec.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := rec.MarshalBinary()
		var rec2 session.Record
		if err := rec2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if rec2.ID != rec.ID || len(rec2.Values) != len(rec.Values) || len(rec2.Flash) != len(rec.Flash) {
			t.Fatalf("round trip changed the record")
		}
	})
}

// FuzzCookieDecode: signed and encrypted cookie reads never panic, and the
// only value ever accepted is the one the server itself issued.
func FuzzCookieDecode(f *testing.F) {
	m := manager(f, session.Config{})
	var signed, encrypted string
	signed = issueValue(f, m, false)
	encrypted = issueValue(f, m, true)
	f.Add(signed)
	f.Add(encrypted)
	f.Add(signed[:len(signed)/2])
	f.Add("")
	f.Add("MTc5NTQyMjcxMnx8")
	f.Fuzz(func(t *testing.T, value string) {
		for _, enc := range []bool{false, true} {
			var got string
			var ok bool
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				j := session.Cookies(r)
				if enc {
					got, ok = j.Encrypted().Get("c")
				} else {
					got, ok = j.Signed().Get("c")
				}
			}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "c="+value)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if ok && got != "issued" {
				t.Fatalf("forged cookie accepted: %q", got)
			}
		}
	})
}

// FuzzSessionCookie: the session cookie decoder never panics and accepts no
// session the server did not write.
func FuzzSessionCookie(f *testing.F) {
	m := manager(f, session.Config{})
	b := newBrowser(f, app(f, m))
	b.get("/set?k=user&v=1")
	issued := b.cookies[session.DefaultCookieName]
	f.Add(issued)
	f.Add(issued[:len(issued)-4])
	f.Add("")
	f.Fuzz(func(t *testing.T, value string) {
		var got string
		var ok bool
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, ok = session.FromContext(r.Context()).Get("user")
		}))
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", session.DefaultCookieName+"="+value)
		h.ServeHTTP(httptest.NewRecorder(), req)
		if ok && got != "1" {
			t.Fatalf("forged session accepted: user=%q", got)
		}
	})
}

func issueValue(t testing.TB, m *session.Manager, encrypted bool) string {
	var v string
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j := session.Cookies(r)
		if encrypted {
			j.Encrypted().Set("c", "issued", session.CookieOptions{})
		} else {
			j.Signed().Set("c", "issued", session.CookieOptions{})
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, c := range rec.Result().Cookies() {
		v = c.Value
	}
	if v == "" {
		t.Fatal("nothing issued")
	}
	return v
}
