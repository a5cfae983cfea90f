package session_test

import (
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework/session"
)

// memStore is what a database or Redis store looks like: the record stays on
// the server, the cookie holds only its signed ID.
type memStore struct {
	mu   sync.Mutex
	recs map[string]session.Record
}

var _ session.Store = (*memStore)(nil)

func (s *memStore) Load(r *http.Request, jar *session.Jar) (session.Record, bool, error) {
	id, ok := jar.Signed().Get("sid")
	if !ok {
		return session.Record{}, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	rec.Values = maps.Clone(rec.Values)
	rec.Flash = maps.Clone(rec.Flash)
	return rec, ok, nil
}

func (s *memStore) Save(r *http.Request, jar *session.Jar, rec session.Record) error {
	s.mu.Lock()
	s.recs[rec.ID] = rec
	s.mu.Unlock()
	return jar.Signed().Set("sid", rec.ID, session.CookieOptions{Expires: rec.Expires})
}

func (s *memStore) Destroy(r *http.Request, jar *session.Jar, id string) error {
	s.mu.Lock()
	delete(s.recs, id)
	s.mu.Unlock()
	jar.Delete("sid", session.CookieOptions{})
	return nil
}

func TestCustomStore(t *testing.T) {
	t.Parallel()
	store := &memStore{recs: map[string]session.Record{}}
	b := newBrowser(t, app(t, manager(t, session.Config{Store: store})))
	b.get("/set?k=cart&v=3")
	if got := b.get("/get?k=cart").Body.String(); got != "3" {
		t.Fatalf("value through the store = %q", got)
	}
	planted := b.cookies["sid"]
	b.get("/signin?user=9")
	// With a server-side store the pre-sign-in ID is dead: replaying it finds nothing.
	attacker := newBrowser(t, b.h)
	attacker.cookies["sid"] = planted
	if got := attacker.get("/get?k=user").Body.String(); got != "" {
		t.Fatalf("fixated session sees the user: %q", got)
	}
	if got := b.get("/get?k=user").Body.String(); got != "9" {
		t.Fatalf("signed-in user lost: %q", got)
	}
	if len(store.recs) != 1 {
		t.Fatalf("store holds %d records, want 1", len(store.recs))
	}
}

func TestSessionSurvivesSecretRotation(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, app(t, manager(t, session.Config{Keys: keys(t, secretA)})))
	b.get("/set?k=user&v=5")
	old := b.cookies[session.DefaultCookieName]
	b.h = app(t, manager(t, session.Config{Keys: keys(t, secretB, secretA)}))
	rec := b.get("/get?k=user")
	if rec.Body.String() != "5" {
		t.Fatalf("session lost on rotation: %q", rec.Body)
	}
	if b.cookies[session.DefaultCookieName] == old {
		t.Fatal("session cookie not rewritten with the new key")
	}
	b.h = app(t, manager(t, session.Config{Keys: keys(t, secretB)}))
	if got := b.get("/get?k=user").Body.String(); got != "5" {
		t.Fatalf("rewritten cookie does not read with the new key alone: %q", got)
	}
}

func TestLateChangesAreLogged(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	m := manager(t, session.Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "body first")
		session.FromContext(r.Context()).Set("a", "1")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/late", nil))
	if setCookies(rec) != "" {
		t.Fatalf("late change reached the headers: %s", setCookies(rec))
	}
	if !strings.Contains(log.String(), "changed after the response headers were sent") {
		t.Fatalf("log = %q", log.String())
	}
}
