package session

import (
	"crypto/rand"
	"encoding/base64"
	"maps"
	"slices"
	"time"
)

// Session is the session of one request, loaded from the [Store] the first
// time it is used and saved, before the response headers go out, only when
// it changed. It is not safe for concurrent use: one request, one goroutine.
type Session struct {
	st      *state
	loaded  bool
	existed bool // a valid record came with the request
	changed bool
	oldID   string // record to destroy at commit (Reset, expiry)
	rec     Record
	flash   Flash
}

// modify is called before every change: a change after the cookies were
// committed (the response headers are out) cannot be saved, so it is logged.
func (s *Session) modify() {
	if s.st.w.committed && !s.st.lateLogged {
		s.st.lateLogged = true
		s.st.m.logger().Error("session: changed after the response headers were sent; the change is lost (change the session before writing the response)", "path", s.st.r.URL.Path)
	}
	s.load()
}

func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	st := s.st
	rec, ok, err := st.m.store.Load(st.r, &st.jar)
	if err != nil {
		st.m.logger().Error("session: store failed to load the session; starting a new one", "error", err)
	}
	if !ok || err != nil {
		return
	}
	now := st.jar.now
	cfg := &st.m.cfg
	if cfg.AbsoluteTimeout > 0 && now.Sub(rec.Created) >= cfg.AbsoluteTimeout ||
		cfg.IdleTimeout > 0 && now.Sub(rec.Seen) >= cfg.IdleTimeout {
		s.oldID, s.changed = rec.ID, true
		return
	}
	s.rec, s.existed = rec, true
	if cfg.IdleTimeout > 0 && now.Sub(rec.Seen) >= touchInterval(cfg.IdleTimeout) {
		s.rec.Seen, s.changed = now, true
	}
}

// touchInterval is how stale the last-activity time may get before the
// session is rewritten just to refresh it.
func touchInterval(idle time.Duration) time.Duration {
	return max(min(idle/10, time.Minute), time.Second)
}

// ID returns the session's ID, creating the session if needed. The ID is
// random (256 bits) and changes on [Session.Reset]. A session that holds no
// values and no flash is not stored, so its ID does not outlive the request.
func (s *Session) ID() string {
	s.load()
	s.ensure()
	return s.rec.ID
}

func (s *Session) ensure() {
	if s.rec.ID != "" {
		return
	}
	now := s.st.jar.now
	s.rec.ID, s.rec.Created, s.rec.Seen = newID(), now, now
	s.changed = true
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Get returns the value stored under key and whether it is set.
func (s *Session) Get(key string) (string, bool) {
	s.load()
	v, ok := s.rec.Values[key]
	return v, ok
}

// Set stores value under key.
func (s *Session) Set(key, value string) {
	s.modify()
	s.ensure()
	if old, ok := s.rec.Values[key]; ok && old == value {
		return
	}
	if s.rec.Values == nil {
		s.rec.Values = map[string]string{}
	}
	s.rec.Values[key] = value
	s.changed = true
}

// Delete removes key.
func (s *Session) Delete(key string) {
	s.modify()
	if _, ok := s.rec.Values[key]; ok {
		delete(s.rec.Values, key)
		s.changed = true
	}
}

// Keys returns the keys set, sorted.
func (s *Session) Keys() []string {
	s.load()
	return slices.Sorted(maps.Keys(s.rec.Values))
}

// Reset replaces the session with a new, empty one under a new ID and
// destroys the old one: call it on sign-in and sign-out so that an ID an
// attacker planted before sign-in is worthless (session fixation). The flash
// and the CSRF token, which live in the session, are reset too.
func (s *Session) Reset() {
	s.modify()
	if s.rec.ID != "" && s.oldID == "" {
		s.oldID = s.rec.ID
	}
	s.rec = Record{}
	s.flash = Flash{s: s, loaded: true}
	s.changed = true
	s.ensure()
}

// Flash returns the session's flash.
func (s *Session) Flash() *Flash { return &s.flash }

// commit saves or destroys the record if needed. It runs once, before the
// response headers are written.
func (s *Session) commit() error {
	if !s.loaded {
		return nil
	}
	if s.flash.loaded && s.flash.commit() {
		s.changed = true
	}
	if !s.changed {
		return nil
	}
	st := s.st
	if s.oldID != "" {
		if err := st.m.store.Destroy(st.r, &st.jar, s.oldID); err != nil {
			return err
		}
	}
	if len(s.rec.Values) == 0 && len(s.rec.Flash) == 0 {
		if s.existed && s.oldID == "" {
			return st.m.store.Destroy(st.r, &st.jar, s.rec.ID)
		}
		return nil
	}
	s.ensure()
	s.rec.Expires = time.Time{}
	if idle := st.m.cfg.IdleTimeout; idle > 0 {
		s.rec.Expires = s.rec.Seen.Add(idle)
	}
	if abs := st.m.cfg.AbsoluteTimeout; abs > 0 {
		if e := s.rec.Created.Add(abs); s.rec.Expires.IsZero() || e.Before(s.rec.Expires) {
			s.rec.Expires = e
		}
	}
	return st.m.store.Save(st.r, &st.jar, s.rec)
}
