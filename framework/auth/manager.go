package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gorails/gorails/framework/session"
)

// User is who a scope signs in: a strategy's success and a session's
// owner. AuthID is the record's id as text ("42").
type User interface {
	AuthID() string
}

// Scope is one kind of signed-in identity (Warden's scope): "user",
// "admin". Each has its own cookies, sessions and strategies, so an admin
// signed in is not a user signed in.
type Scope struct {
	// Name is the scope's name, a short lowercase word ("user").
	Name string
	// Strategies are the scope's strategies. Authenticate tries them in
	// order, after the session cookie: the first valid one that does not
	// Pass decides.
	Strategies []Strategy
	// Default names the strategies Authenticate runs when it is given no
	// names (Warden's scope defaults); nil means all of them. A generated
	// app runs only remember_me by default and the password strategy only
	// in SessionsController#create.
	Default []string
	// SignInPath is where the failure handler sends an HTML request
	// ("/session/new"); required.
	SignInPath string
	// Realm is the realm of WWW-Authenticate on a 401 ("Application").
	Realm string
	// Message is the flash and 401 message when no strategy said more
	// ("You need to sign in or sign up before continuing.").
	Message string
}

// Config configures a Manager. Scopes and Sessions are required; the rest
// has defaults.
type Config struct {
	// Scopes are the scopes; the first is the default.
	Scopes []Scope
	// Sessions keeps the server-side sessions.
	Sessions SessionStore
	// TTL is how long a session lives after sign-in (30 days by default):
	// the remember-me cookie's age, and the server-side limit of both
	// cookies.
	TTL time.Duration
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// ClientIP resolves the client's address for the session record (the
	// app's trusted proxies); by default the peer's address.
	ClientIP func(*http.Request) string
	// Logger receives the store's failures (never a token).
	Logger *slog.Logger
	// Keys derives the keys of Tokens (satisfied by *secrets.Secrets);
	// needed only by Manager.Tokens.
	Keys Keys
}

// Keys derives a key per purpose, as *secrets.Secrets does.
type Keys interface {
	Key(purpose string, n int) []byte
}

// DefaultTTL is a session's life when Config.TTL is zero.
const DefaultTTL = 30 * 24 * time.Hour

// Errors.
var (
	// ErrUnauthenticated matches every authentication failure (a
	// *Failure): no credentials, wrong ones, a locked account.
	ErrUnauthenticated = errors.New("auth: not authenticated")
	// ErrUnknownScope is a scope name the manager was not given.
	ErrUnknownScope = errors.New("auth: unknown scope")
	// ErrNoProxy is returned where the auth middleware is not installed.
	ErrNoProxy = errors.New("auth: the authentication middleware is not installed (Manager.Handler, after the session middleware)")
	// ErrNoSessionMiddleware means the session middleware does not run
	// before the auth middleware: there is no cookie jar to sign in with.
	ErrNoSessionMiddleware = errors.New("auth: no session middleware before the authentication middleware")
)

// Failure is why authentication failed, with the message shown to the
// user. It matches ErrUnauthenticated.
type Failure struct {
	Scope   string
	Message string
	// Strategy is the strategy that failed, "" when none applied.
	Strategy string
}

func (f *Failure) Error() string {
	if f.Strategy == "" {
		return fmt.Sprintf("auth: %s not authenticated: %s", f.Scope, f.Message)
	}
	return fmt.Sprintf("auth: %s not authenticated by %s: %s", f.Scope, f.Strategy, f.Message)
}

// Is makes a Failure match ErrUnauthenticated.
func (f *Failure) Is(target error) bool { return target == ErrUnauthenticated }

// Manager is Warden's manager: the scopes, the session store and the
// middleware. It is safe for concurrent use.
type Manager struct {
	cfg    Config
	scopes map[string]*Scope
	first  string
}

// New checks cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	if cfg.Sessions == nil {
		return nil, errors.New("auth: Config.Sessions is nil: give the manager a session store (the app's Session model)")
	}
	if len(cfg.Scopes) == 0 {
		return nil, errors.New("auth: Config.Scopes is empty")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{cfg: cfg, scopes: make(map[string]*Scope, len(cfg.Scopes)), first: cfg.Scopes[0].Name}
	for i := range cfg.Scopes {
		s := &m.cfg.Scopes[i]
		if !validScopeName(s.Name) {
			return nil, fmt.Errorf("auth: scope name %q: use lowercase letters, digits and _", s.Name)
		}
		if _, dup := m.scopes[s.Name]; dup {
			return nil, fmt.Errorf("auth: scope %q given twice", s.Name)
		}
		if s.SignInPath == "" || s.SignInPath[0] != '/' {
			return nil, fmt.Errorf("auth: scope %q: SignInPath %q must be a path on this site", s.Name, s.SignInPath)
		}
		if s.Realm == "" {
			s.Realm = "Application"
		}
		if s.Message == "" {
			s.Message = "You need to sign in or sign up before continuing."
		}
		names := map[string]bool{}
		for j, st := range s.Strategies {
			if st == nil {
				return nil, fmt.Errorf("auth: scope %q: strategy %d is nil", s.Name, j)
			}
			names[st.Name()] = true
		}
		for _, n := range s.Default {
			if !names[n] {
				return nil, fmt.Errorf("auth: scope %q: default strategy %q is not among its strategies", s.Name, n)
			}
		}
		m.scopes[s.Name] = s
	}
	return m, nil
}

func validScopeName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Tokens returns the signed, expiring tokens for purpose
// ("password_reset"), keyed by Config.Keys for that purpose: the same
// purpose gives the same key in every process of the app.
func (m *Manager) Tokens(purpose string, expiresIn time.Duration) (*Tokens, error) {
	if m.cfg.Keys == nil {
		return nil, errors.New("auth: Config.Keys is nil: give the manager the app's secrets to sign tokens")
	}
	return KeyedTokens(m.cfg.Keys, purpose, expiresIn, m.cfg.Now)
}

// KeyedTokens returns Tokens for purpose with a key derived from keys for
// it (what Manager.Tokens returns, for code without a manager: a mailer's
// job).
func KeyedTokens(keys Keys, purpose string, expiresIn time.Duration, now func() time.Time) (*Tokens, error) {
	if keys == nil {
		return nil, errors.New("auth: no keys to sign tokens with")
	}
	return NewTokens(keys.Key("gorails auth token: "+purpose, 32), purpose, expiresIn, now)
}

// DefaultScope is the first scope's name.
func (m *Manager) DefaultScope() string { return m.first }

type ctxKey struct{}

// Handler is the middleware: it puts a Proxy for the request in its
// context. Install it after the session middleware (it needs the cookie
// jar and the flash). Nothing is looked up until a handler asks.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := &Proxy{m: m, users: make(map[string]*resolved, 1)}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, p))
		p.r = r
		next.ServeHTTP(w, r)
	})
}

// FromRequest returns the request's Proxy, or nil when Manager.Handler did
// not run. It binds the proxy to r, the request as the caller sees it (a
// middleware after the auth middleware may have replaced it, with a body
// put back), so strategies read that one.
func FromRequest(r *http.Request) *Proxy {
	p := FromContext(r.Context())
	if p != nil {
		p.r = r
	}
	return p
}

// FromContext returns the Proxy a request's context carries, or nil.
func FromContext(ctx context.Context) *Proxy {
	p, _ := ctx.Value(ctxKey{}).(*Proxy)
	return p
}

func (m *Manager) clientIP(r *http.Request) string {
	if m.cfg.ClientIP != nil {
		return m.cfg.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (m *Manager) scope(name string) (*Scope, error) {
	if name == "" {
		name = m.first
	}
	s, ok := m.scopes[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownScope, name)
	}
	return s, nil
}

// cookie names: the session cookie and the remember-me cookie of a scope.
func sessionCookie(scope string) string  { return "_" + scope + "_session_token" }
func rememberCookie(scope string) string { return "_remember_" + scope + "_token" }

// jar returns the request's cookie jar or ErrNoSessionMiddleware.
func jar(r *http.Request) (*session.Jar, error) {
	j := session.Cookies(r)
	if j == nil {
		return nil, ErrNoSessionMiddleware
	}
	return j, nil
}
