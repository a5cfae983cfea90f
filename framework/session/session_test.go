package session_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/session"
)

// app is a tiny application whose routes exercise the session.
func app(t testing.TB, m *session.Manager) http.Handler {
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		q := r.URL.Query()
		switch r.URL.Path {
		case "/set":
			s.Set(q.Get("k"), q.Get("v"))
		case "/get":
			v, _ := s.Get(q.Get("k"))
			io.WriteString(w, v)
		case "/id":
			io.WriteString(w, s.ID())
		case "/signin":
			s.Reset()
			s.Set("user", q.Get("user"))
			io.WriteString(w, s.ID())
		case "/signout":
			s.Reset()
		case "/delete":
			s.Delete(q.Get("k"))
		case "/big":
			s.Set("big", strings.Repeat("x", 5000))
			io.WriteString(w, "should not be seen")
		case "/flash":
			s.Flash().Set(q.Get("k"), q.Get("v"))
		case "/now":
			s.Flash().Now(q.Get("k"), q.Get("v"))
			io.WriteString(w, strings.Join(flashes(s.Flash()), ","))
		case "/keep":
			s.Flash().Keep()
			io.WriteString(w, strings.Join(flashes(s.Flash()), ","))
		case "/show":
			io.WriteString(w, strings.Join(flashes(s.Flash()), ","))
		case "/static":
			// never touches the session
		}
	}))
}

func flashes(f *session.Flash) []string {
	var out []string
	for _, k := range f.Keys() {
		out = append(out, k+"="+f.Get(k))
	}
	return out
}

func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, app(t, manager(t, session.Config{})))
	b.get("/set?k=user&v=42")
	if got := b.get("/get?k=user").Body.String(); got != "42" {
		t.Fatalf("session value = %q, want 42", got)
	}
	if rec := b.get("/get?k=user"); setCookies(rec) != "" {
		t.Errorf("an unchanged session was rewritten: %s", setCookies(rec))
	}
	if rec := b.get("/set?k=user&v=42"); setCookies(rec) != "" {
		t.Errorf("setting the same value rewrote the session: %s", setCookies(rec))
	}
	if rec := b.get("/static"); setCookies(rec) != "" {
		t.Errorf("a request that never used the session wrote it: %s", setCookies(rec))
	}
	b.get("/delete?k=user")
	if _, ok := b.cookies[session.DefaultCookieName]; ok {
		t.Error("an emptied session kept its cookie")
	}
	if rec := newBrowser(t, b.h).get("/get?k=user"); setCookies(rec) != "" {
		t.Errorf("reading an absent session wrote a cookie: %s", setCookies(rec))
	}
}

func TestSessionFixation(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, app(t, manager(t, session.Config{})))
	b.get("/set?k=cart&v=1")
	before := b.get("/id").Body.String()
	planted := b.cookies[session.DefaultCookieName]
	after := b.get("/signin?user=7").Body.String()
	if before == "" || before == after {
		t.Fatalf("session id did not change on Reset: %q -> %q", before, after)
	}
	if got := b.get("/get?k=cart").Body.String(); got != "" {
		t.Errorf("data from before Reset survived: %q", got)
	}
	if got := b.get("/get?k=user").Body.String(); got != "7" {
		t.Errorf("data set after Reset lost: %q", got)
	}
	if b.cookies[session.DefaultCookieName] == planted {
		t.Error("session cookie not replaced on Reset")
	}
	b.get("/signout")
	if _, ok := b.cookies[session.DefaultCookieName]; ok {
		t.Error("sign-out left a session cookie")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		secure bool
		cookie string
	}{
		{"development uses the plain name without Secure", false, "_gorails_session"},
		{"production uses __Host- and Secure", true, "__Host-_gorails_session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newBrowser(t, app(t, manager(t, session.Config{Secure: tt.secure}))).get("/set?k=a&v=b")
			cs := rec.Result().Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies = %v", cs)
			}
			c := cs[0]
			if c.Name != tt.cookie || c.Secure != tt.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Fatalf("cookie = %+v", c)
			}
		})
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        session.Config
		steps      []time.Duration // wait before each read
		wantAlive  []bool
		cookieLife bool // the cookie carries an Expires attribute
	}{
		{"no timeout keeps the session", session.Config{}, []time.Duration{24 * time.Hour, 300 * 24 * time.Hour}, []bool{true, true}, false},
		{"idle timeout ends an unused session", session.Config{IdleTimeout: 30 * time.Minute},
			[]time.Duration{29 * time.Minute, 29 * time.Minute, 31 * time.Minute}, []bool{true, true, false}, true},
		{"absolute timeout ends an active session", session.Config{AbsoluteTimeout: time.Hour},
			[]time.Duration{20 * time.Minute, 20 * time.Minute, 19 * time.Minute, 2 * time.Minute}, []bool{true, true, true, false}, true},
		{"both timeouts: absolute wins while active", session.Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: time.Hour},
			[]time.Duration{25 * time.Minute, 25 * time.Minute, 25 * time.Minute}, []bool{true, true, false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := manager(t, tt.cfg)
				b := newBrowser(t, app(t, m))
				rec := b.get("/set?k=user&v=1")
				if hasExpires := rec.Result().Cookies()[0].RawExpires != ""; hasExpires != tt.cookieLife {
					t.Errorf("cookie Expires set = %v, want %v", hasExpires, tt.cookieLife)
				}
				for i, d := range tt.steps {
					time.Sleep(d)
					alive := b.get("/get?k=user").Body.String() == "1"
					if alive != tt.wantAlive[i] {
						t.Fatalf("after step %d (%v): alive = %v, want %v", i, d, alive, tt.wantAlive[i])
					}
				}
			})
		})
	}
}

func TestSessionOverflow(t *testing.T) {
	t.Parallel()
	t.Run("the default answer is a 500 with a log line", func(t *testing.T) {
		t.Parallel()
		var log strings.Builder
		m := manager(t, session.Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
		rec := newBrowser(t, app(t, m)).get("/big")
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "should not be seen") {
			t.Fatalf("code = %d body %q", rec.Code, rec.Body)
		}
		if !strings.Contains(log.String(), "do not fit in a cookie") {
			t.Fatalf("log = %q", log.String())
		}
	})
	t.Run("OnError receives ErrCookieOverflow", func(t *testing.T) {
		t.Parallel()
		var got error
		m := manager(t, session.Config{OnError: func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusTeapot)
		}})
		rec := newBrowser(t, app(t, m)).get("/big")
		if !errors.Is(got, session.ErrCookieOverflow) || rec.Code != http.StatusTeapot {
			t.Fatalf("err = %v, code = %d", got, rec.Code)
		}
	})
}

func TestFlashLifetimes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		paths []string
		want  []string // body of each response
	}{
		{"a message set now shows on the next request only",
			[]string{"/flash?k=notice&v=Saved", "/show", "/show"}, []string{"", "notice=Saved", ""}},
		{"Now shows in this request only",
			[]string{"/now?k=alert&v=Oops", "/show"}, []string{"alert=Oops", ""}},
		{"Keep carries a message one request further",
			[]string{"/flash?k=notice&v=Hi", "/keep", "/show", "/show"}, []string{"", "notice=Hi", "notice=Hi", ""}},
		{"a request that never reads the flash leaves it",
			[]string{"/flash?k=notice&v=Hi", "/static", "/get?k=x", "/show", "/show"}, []string{"", "", "", "notice=Hi", ""}},
		{"Reset drops the flash",
			[]string{"/flash?k=notice&v=Hi", "/signin?user=1", "/show"}, []string{"", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t, app(t, manager(t, session.Config{})))
			for i, p := range tt.paths {
				body := b.get(p).Body.String()
				if strings.HasPrefix(p, "/signin") {
					body = ""
				}
				if body != tt.want[i] {
					t.Fatalf("request %d %s: body %q, want %q", i, p, body, tt.want[i])
				}
			}
		})
	}
}

func TestCookiesWrittenBeforeHeaders(t *testing.T) {
	t.Parallel()
	m := manager(t, session.Config{})
	tests := []struct {
		name string
		h    func(w http.ResponseWriter, r *http.Request)
	}{
		{"on Write", func(w http.ResponseWriter, r *http.Request) {
			session.FromContext(r.Context()).Set("a", "1")
			io.WriteString(w, "body")
		}},
		{"on WriteHeader", func(w http.ResponseWriter, r *http.Request) {
			session.FromContext(r.Context()).Set("a", "1")
			w.WriteHeader(http.StatusCreated)
		}},
		{"on Flush through ResponseController", func(w http.ResponseWriter, r *http.Request) {
			session.FromContext(r.Context()).Set("a", "1")
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		}},
		{"not on a 103 Early Hints", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			session.FromContext(r.Context()).Set("a", "1")
			io.WriteString(w, "body")
		}},
		{"on redirect", func(w http.ResponseWriter, r *http.Request) {
			session.FromContext(r.Context()).Set("a", "1")
			http.Redirect(w, r, "/", http.StatusSeeOther)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(tt.h)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if !strings.Contains(setCookies(rec), session.DefaultCookieName) {
				t.Fatalf("no session cookie in %v", rec.Header())
			}
		})
	}
}

func TestNoMiddleware(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	if session.FromContext(r.Context()) != nil || session.Cookies(r) != nil || session.FlashOf(r) != nil {
		t.Fatal("accessors return state without the middleware")
	}
	if _, err := session.New(session.Config{}); !errors.Is(err, session.ErrNoKeys) {
		t.Fatalf("New without keys: %v", err)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	in := session.Record{ID: "id", Created: time.Unix(100, 0), Seen: time.Unix(200, 0),
		Values: map[string]string{"a": "1", "": "empty"}, Flash: map[string]string{"notice": "hi"}}
	b, _ := in.MarshalBinary()
	var out session.Record
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in) != fmt.Sprint(out) {
		t.Fatalf("round trip: %v != %v", in, out)
	}
	for i := range b {
		if err := out.UnmarshalBinary(b[:i]); err == nil {
			t.Fatalf("truncated record (%d of %d bytes) accepted", i, len(b))
		}
	}
}

func TestHijackThroughTheWrapper(t *testing.T) {
	t.Parallel()
	m := manager(t, session.Config{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
		buf.Flush()
	})))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "hi" {
		t.Fatalf("body %q", body)
	}
}

func TestSessionExpiryReadsConfigNow(t *testing.T) {
	t.Parallel()
	// The browser's cookies do not expire on their own here (Expires is
	// in the future for the real clock): only the manager's clock moves.
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	m := manager(t, session.Config{IdleTimeout: 30 * time.Minute, Now: clock})
	b := newBrowser(t, app(t, m))
	b.get("/set?k=user&v=1")
	if got := b.get("/get?k=user").Body.String(); got != "1" {
		t.Fatalf("fresh session: %q, want 1", got)
	}
	offset.Store(int64(31 * time.Minute))
	if got := b.get("/get?k=user").Body.String(); got != "" {
		t.Fatalf("after 31 minutes on Config.Now: %q, want the session gone", got)
	}
}
