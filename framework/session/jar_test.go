package session_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/session"
)

// issue writes cookie "c" = "hello" through m, signed or encrypted, and
// returns the value sent.
func issue(t *testing.T, m *session.Manager, kind string, o session.CookieOptions) string {
	t.Helper()
	var err error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = view(session.Cookies(r), kind).Set("c", "hello", o)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "c" {
			return c.Value
		}
	}
	t.Fatal("no cookie written")
	return ""
}

func view(j *session.Jar, kind string) session.SecureJar {
	if kind == "signed" {
		return j.Signed()
	}
	return j.Encrypted()
}

// read sends cookie name=value to m and returns what the jar reads and the
// response's Set-Cookie headers.
func read(m *session.Manager, kind, name, value string) (string, bool, *httptest.ResponseRecorder) {
	var got string
	var ok bool
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = view(session.Cookies(r), kind).Get("c")
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: name, Value: value})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return got, ok, rec
}

func TestSecureCookies(t *testing.T) {
	t.Parallel()
	current := manager(t, session.Config{Keys: keys(t, secretA)})
	rotatedTo := manager(t, session.Config{Keys: keys(t, secretB, secretA)})
	stranger := manager(t, session.Config{Keys: keys(t, secretB)})
	flip := func(s string) string {
		b := []byte(s)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for _, kind := range []string{"signed", "encrypted"} {
		good := issue(t, current, kind, session.CookieOptions{})
		tests := []struct {
			name      string
			reader    *session.Manager
			cookie    string
			value     string
			wantOK    bool
			rewritten bool
		}{
			{"an untouched cookie reads back", current, "c", good, true, false},
			{"a tampered cookie reads as absent", current, "c", flip(good), false, false},
			{"a truncated cookie reads as absent", current, "c", good[:len(good)-10], false, false},
			{"an empty cookie reads as absent", current, "c", "", false, false},
			{"a plain value reads as absent", current, "c", "hello", false, false},
			{"a value issued for another cookie name reads as absent", current, "other", good, false, false},
			{"a cookie signed with a retired key is read and rewritten", rotatedTo, "c", good, true, true},
			{"a cookie signed with an unknown key reads as absent", stranger, "c", good, false, false},
		}
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				name := tt.cookie
				got, ok, rec := read(tt.reader, kind, name, tt.value)
				if name != "c" {
					// The value was presented under another name; read "c" finds nothing,
					// so also check the other name explicitly.
					got, ok, rec = readName(tt.reader, kind, name, tt.value)
				}
				if ok != tt.wantOK || (ok && got != "hello") {
					t.Fatalf("Get = %q, %v; want ok=%v", got, ok, tt.wantOK)
				}
				if rewritten := strings.Contains(setCookies(rec), "c="); rewritten != tt.rewritten {
					t.Fatalf("rewritten = %v, want %v (Set-Cookie %q)", rewritten, tt.rewritten, setCookies(rec))
				}
				if tt.rewritten {
					fresh := rec.Result().Cookies()[0].Value
					if got, ok, _ := read(stranger, kind, "c", fresh); !ok || got != "hello" {
						t.Fatalf("rewritten cookie does not read with the new key alone: %q %v", got, ok)
					}
				}
			})
		}
	}
}

func readName(m *session.Manager, kind, name, value string) (string, bool, *httptest.ResponseRecorder) {
	var got string
	var ok bool
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = view(session.Cookies(r), kind).Get(name)
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: name, Value: value})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return got, ok, rec
}

func TestEncryptedCookieHidesValue(t *testing.T) {
	t.Parallel()
	m := manager(t, session.Config{})
	if v := issue(t, m, "encrypted", session.CookieOptions{}); strings.Contains(v, "hello") || strings.Contains(v, "aGVsbG8") {
		t.Fatalf("encrypted cookie shows its value: %q", v)
	}
}

func TestExpiringCookies(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"signed", "encrypted"} {
		t.Run(kind, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := manager(t, session.Config{})
				v := issue(t, m, kind, session.CookieOptions{MaxAge: time.Hour})
				time.Sleep(59 * time.Minute)
				if _, ok, _ := read(m, kind, "c", v); !ok {
					t.Fatal("cookie expired early")
				}
				time.Sleep(time.Minute)
				if _, ok, _ := read(m, kind, "c", v); ok {
					t.Fatal("an expired cookie a client kept is still accepted")
				}
			})
		})
	}
}

func TestPlainCookies(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		m := manager(t, session.Config{})
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			j := session.Cookies(r)
			if v, ok := j.Get("theme"); !ok || v != "dark" {
				t.Errorf("Get(theme) = %q, %v", v, ok)
			}
			j.Delete("theme", session.CookieOptions{})
			if _, ok := j.Get("theme"); ok {
				t.Error("deleted cookie still visible")
			}
			if err := j.Set("lang", "fr", session.CookieOptions{Permanent: true}); err != nil {
				t.Error(err)
			}
			if v, _ := j.Get("lang"); v != "fr" {
				t.Errorf("write not visible in the same request: %q", v)
			}
			if err := j.Set("bad name", "x", session.CookieOptions{}); !errors.Is(err, session.ErrInvalidCookie) {
				t.Errorf("invalid name error = %v", err)
			}
			if err := j.Set("big", strings.Repeat("x", 5000), session.CookieOptions{}); !errors.Is(err, session.ErrCookieOverflow) {
				t.Errorf("big cookie error = %v", err)
			}
		}))
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "theme", Value: "dark"})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := map[string]*http.Cookie{}
		for _, c := range rec.Result().Cookies() {
			got[c.Name] = c
		}
		if c := got["theme"]; c == nil || c.MaxAge != -1 {
			t.Errorf("theme not deleted: %v", c)
		}
		want := time.Now().Add(20 * 365 * 24 * time.Hour)
		if c := got["lang"]; c == nil || c.Expires.Unix() != want.Unix() || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("permanent cookie = %v", c)
		}
	})
}
