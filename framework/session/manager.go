package session

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// DefaultCookieName is the session cookie's name; with Config.Secure it gets
// the "__Host-" prefix, which browsers accept only from HTTPS, for Path=/ and
// without Domain, so no subdomain or plain-HTTP page can plant or overwrite it.
const DefaultCookieName = "_gorails_session"

// Errors of the manager.
var (
	// ErrNoKeys is returned by [New] when Config.Keys is nil.
	ErrNoKeys = errors.New("session: Config.Keys is required (pass the application's *secrets.Secrets)")
	// ErrNotSaved is returned by the response writer's Write after the
	// session could not be saved and Config.OnError answered instead.
	ErrNotSaved = errors.New("session: the session could not be saved; the response was replaced")
)

// Config configures a [Manager]. Only Keys is required.
type Config struct {
	Keys Keys // signing and encryption keys; required
	// Secure marks every cookie Secure and gives the session cookie the
	// "__Host-" prefix. Turn it on in production (force_ssl does).
	Secure bool
	// CookieName names the session cookie; "" means DefaultCookieName.
	CookieName string
	// Store keeps sessions; nil means an encrypted CookieStore.
	Store Store
	// IdleTimeout ends a session not used for this long; 0 means never.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after it began, however
	// active; 0 means never.
	AbsoluteTimeout time.Duration
	// Logger receives store failures; nil means slog.Default().
	Logger *slog.Logger
	// OnError answers the request when the session cannot be saved (for
	// example ErrCookieOverflow). nil logs the error and answers 500.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// Now is the clock that session timeouts and cookie expiry read; nil
	// is time.Now. The framework gives it the App's clock, so a test that
	// travels in time sees its session expire.
	Now func() time.Time
}

// Manager installs the cookie jar, session and flash on each request. It is
// immutable after [New] and safe for concurrent use.
type Manager struct {
	cfg       Config
	store     Store
	signed    *codecSet
	encrypted *codecSet
}

// New builds a Manager, deriving its keys once. It fails with [ErrNoKeys]
// without keys.
func New(cfg Config) (*Manager, error) {
	if cfg.Keys == nil {
		return nil, ErrNoKeys
	}
	m := &Manager{
		cfg:       cfg,
		signed:    newCodecSet(cfg.Keys, purposeSigned, false),
		encrypted: newCodecSet(cfg.Keys, purposeEncrypted, true),
	}
	m.store = cfg.Store
	if m.store == nil {
		m.store = &CookieStore{Name: m.CookieName()}
	}
	return m, nil
}

// CookieName returns the session cookie's name as sent.
func (m *Manager) CookieName() string {
	name := m.cfg.CookieName
	if name == "" {
		name = DefaultCookieName
	}
	if m.cfg.Secure {
		name = "__Host-" + name
	}
	return name
}

func (m *Manager) logger() *slog.Logger {
	if m.cfg.Logger != nil {
		return m.cfg.Logger
	}
	return slog.Default()
}

type ctxKey struct{}

// state is everything one request needs, allocated once.
type state struct {
	m       *Manager
	r       *http.Request
	jar     Jar
	session Session
	w       responseWriter

	lateLogged bool
}

// Handler is the middleware: it puts a Jar, a Session and a Flash in the
// request context and writes their cookies just before the response headers
// (on the first WriteHeader, Write or Flush, or when next returns). Changes
// made after that point cannot reach the client; they are logged as errors.
// If the session cannot be saved, Config.OnError answers instead of next.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &state{m: m}
		// In the default stack the request's context is its
		// event.RequestScope: the state goes in it and the request is
		// not copied. Alone, the middleware adds a layer as before.
		if !event.ScopeOf(r.Context()).Set(ctxKey{}, st) {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		}
		st.r = r
		now := time.Now
		if m.cfg.Now != nil {
			now = m.cfg.Now
		}
		st.jar = Jar{st: st, m: m, r: r, now: now()}
		st.session.st = st
		st.session.flash.s = &st.session
		st.w = responseWriter{ResponseWriter: w, st: st}
		next.ServeHTTP(&st.w, r)
		st.w.commit()
	})
}

// FromContext returns the request's session, or nil when Manager.Handler
// is not installed.
func FromContext(ctx context.Context) *Session {
	if st, ok := ctx.Value(ctxKey{}).(*state); ok {
		return &st.session
	}
	return nil
}

// Cookies returns the request's cookie jar, or nil when Manager.Handler is
// not installed.
func Cookies(r *http.Request) *Jar {
	if st, ok := r.Context().Value(ctxKey{}).(*state); ok {
		return &st.jar
	}
	return nil
}

// FlashOf returns the request's flash, or nil when Manager.Handler is not
// installed.
func FlashOf(r *http.Request) *Flash {
	if s := FromContext(r.Context()); s != nil {
		return s.Flash()
	}
	return nil
}

// responseWriter commits cookies before the headers go out.
type responseWriter struct {
	http.ResponseWriter
	st        *state
	committed bool
	failed    bool
}

func (w *responseWriter) commit() {
	if w.committed {
		return
	}
	st := w.st
	err := st.session.commit()
	w.committed = true // after the store wrote through the jar, so that is not a late write
	if err != nil {
		w.failed = true
		if st.m.cfg.OnError != nil {
			st.m.cfg.OnError(w.ResponseWriter, st.r, err)
			return
		}
		st.m.logger().Error("session: cannot save the session", "error", err, "path", st.r.URL.Path)
		http.Error(w.ResponseWriter, "500 Internal Server Error: the session could not be saved", http.StatusInternalServerError)
		return
	}
	st.jar.flush(w.ResponseWriter.Header())
}

// WriteHeader commits cookies, except for informational (1xx) responses.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.commit()
	}
	if w.failed {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.commit()
	if w.failed {
		return 0, ErrNotSaved
	}
	return w.ResponseWriter.Write(p)
}

// Flush commits cookies and flushes, if the underlying writer can.
func (w *responseWriter) Flush() {
	w.commit()
	if w.failed {
		return
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands over the connection, if the underlying writer can; cookies
// not yet sent are lost.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
