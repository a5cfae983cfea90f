package auth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gorails/gorails/framework/session"
)

// Proxy is a request's authentication (Warden's proxy): who is signed in,
// per scope, and the way to sign in and out. Get it with FromRequest. It
// belongs to one request and is not safe for concurrent use.
type Proxy struct {
	m       *Manager
	r       *http.Request
	users   map[string]*resolved
	current string // the scope whose strategies run
}

// Manager returns the manager the proxy belongs to (for its Tokens).
func (p *Proxy) Manager() *Manager { return p.m }

// resolved is a scope's outcome in this request.
type resolved struct {
	user   User
	digest string // the server-side session's digest; "" for a stateless sign-in
}

// Authenticate returns the scope's user: the one signed in by the session
// cookie, else the first strategy that succeeds (which signs the user in,
// unless it is Stateless). strategies names the strategies to try (Warden's
// authenticate(:password)); none means the scope's Default. It returns a *Failure (matching
// ErrUnauthenticated) when no one is, and another error when a store
// failed. scope "" is the default scope. The answer is kept for the rest
// of the request.
func (p *Proxy) Authenticate(scope string, strategies ...string) (User, error) {
	s, err := p.m.scope(scope)
	if err != nil {
		return nil, err
	}
	run := strategies
	if len(run) == 0 {
		run = s.Default
	}
	for _, n := range strategies {
		if !slices.ContainsFunc(s.Strategies, func(st Strategy) bool { return st.Name() == n }) {
			return nil, fmt.Errorf("auth: scope %q has no strategy %q", s.Name, n)
		}
	}
	if res, ok := p.users[s.Name]; ok && res.user != nil {
		return res.user, nil
	}
	u, err := p.fromSessionCookie(s)
	if err != nil || u != nil {
		return u, err
	}
	p.current = s.Name
	defer func() { p.current = "" }()
	for _, st := range s.Strategies {
		if run != nil && !slices.Contains(run, st.Name()) {
			continue
		}
		if !st.Valid(p.r) {
			continue
		}
		res := st.Authenticate(p.r)
		switch res.kind {
		case pass:
			continue
		case failure:
			return nil, &Failure{Scope: s.Name, Message: res.message, Strategy: st.Name()}
		case errored:
			return nil, fmt.Errorf("auth: %s strategy: %w", st.Name(), res.err)
		}
		if sl, ok := st.(Stateless); ok && sl.Stateless() {
			p.users[s.Name] = &resolved{user: res.user}
			return res.user, nil
		}
		if err := p.SignIn(s.Name, res.user, Remember(res.remember)); err != nil {
			return nil, err
		}
		return res.user, nil
	}
	return nil, &Failure{Scope: s.Name, Message: s.Message}
}

// User returns the scope's signed-in user, or nil: the session cookie and
// the remember-me cookie are read, no other strategy runs (Warden's
// user). A store failure is logged and reads as nobody.
func (p *Proxy) User(scope string) User {
	s, err := p.m.scope(scope)
	if err != nil {
		return nil
	}
	if res, ok := p.users[s.Name]; ok {
		return res.user
	}
	u, err := p.fromSessionCookie(s)
	if err == nil && u == nil {
		for _, st := range s.Strategies {
			if _, ok := st.(rememberStrategy); ok {
				u, err = p.runOne(s, st)
			}
		}
	}
	if err != nil {
		p.m.cfg.Logger.Error("auth: could not read the signed-in user", "scope", s.Name, "error", err.Error())
		return nil
	}
	return u
}

func (p *Proxy) runOne(s *Scope, st Strategy) (User, error) {
	p.current = s.Name
	defer func() { p.current = "" }()
	if !st.Valid(p.r) {
		return nil, nil
	}
	res := st.Authenticate(p.r)
	switch res.kind {
	case success:
		return res.user, p.SignIn(s.Name, res.user, Remember(res.remember))
	case errored:
		return nil, res.err
	}
	return nil, nil
}

// Authenticated reports whether someone is signed in to the scope (see
// User).
func (p *Proxy) Authenticated(scope string) bool { return p.User(scope) != nil }

// fromSessionCookie resolves the scope's session cookie.
func (p *Proxy) fromSessionCookie(s *Scope) (User, error) {
	tok, ok := p.cookieToken(sessionCookie(s.Name))
	if !ok {
		p.users[s.Name] = &resolved{}
		return nil, nil
	}
	u, digest, err := p.lookup(s, tok)
	if err != nil {
		delete(p.users, s.Name)
		return nil, err
	}
	if u == nil {
		p.deleteCookie(sessionCookie(s.Name))
		p.users[s.Name] = &resolved{}
		return nil, nil
	}
	p.users[s.Name] = &resolved{user: u, digest: digest}
	return u, nil
}

// lookup finds the server-side session of a cookie's token; a nil User
// when there is none or it is past the TTL (then it is destroyed).
func (p *Proxy) lookup(s *Scope, tok string) (User, string, error) {
	digest := Digest(tok)
	ctx := p.r.Context()
	sess, u, err := p.m.cfg.Sessions.FindSession(ctx, s.Name, digest)
	if errors.Is(err, ErrNoSession) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("auth: find session: %w", err)
	}
	if u == nil || p.m.cfg.Now().Sub(sess.CreatedAt) > p.m.cfg.TTL {
		if err := p.m.cfg.Sessions.DestroySession(ctx, s.Name, digest); err != nil {
			return nil, "", fmt.Errorf("auth: destroy session: %w", err)
		}
		return nil, "", nil
	}
	return u, digest, nil
}

func (p *Proxy) cookieToken(name string) (string, bool) {
	j := session.Cookies(p.r)
	if j == nil {
		return "", false
	}
	v, ok := j.Signed().Get(name)
	if !ok || v == "" || len(v) > 128 {
		return "", false
	}
	return v, true
}

func (p *Proxy) deleteCookie(name string) {
	if j := session.Cookies(p.r); j != nil {
		j.Delete(name, session.CookieOptions{})
	}
}

// SignInOption changes a sign-in.
type SignInOption func(*signIn)

type signIn struct{ remember bool }

// Remember sets the remember-me cookie too, so the sign-in outlives the
// browser session (until the TTL).
func Remember(on bool) SignInOption { return func(s *signIn) { s.remember = on } }

// SignIn signs u in to the scope: the scope's previous session (if the
// request had one) is destroyed, the cookie session is reset (a new id and
// CSRF secret, keeping only the scope's return path), a server-side
// session is created for u with the client's IP address and user agent,
// and the browser gets a new signed cookie holding a new random token.
func (p *Proxy) SignIn(scope string, u User, opts ...SignInOption) error {
	s, err := p.m.scope(scope)
	if err != nil {
		return err
	}
	if u == nil {
		return errors.New("auth: SignIn with a nil user")
	}
	var o signIn
	for _, opt := range opts {
		opt(&o)
	}
	j, err := jar(p.r)
	if err != nil {
		return err
	}
	if err := p.destroyCookieSessions(s); err != nil {
		return err
	}
	p.resetSession(s.Name)
	tok, digest := NewToken()
	ua := p.r.UserAgent()
	if len(ua) > 512 {
		ua = ua[:512]
	}
	now := p.m.cfg.Now()
	err = p.m.cfg.Sessions.CreateSession(p.r.Context(), Session{
		Scope: s.Name, Digest: digest, UserID: u.AuthID(),
		IPAddress: p.m.clientIP(p.r), UserAgent: ua, CreatedAt: now,
	})
	if err != nil {
		return fmt.Errorf("auth: create session: %w", err)
	}
	if err := j.Signed().Set(sessionCookie(s.Name), tok, session.CookieOptions{}); err != nil {
		return fmt.Errorf("auth: session cookie: %w", err)
	}
	if o.remember {
		if err := j.Signed().Set(rememberCookie(s.Name), tok, session.CookieOptions{Expires: now.Add(p.m.cfg.TTL)}); err != nil {
			return fmt.Errorf("auth: remember-me cookie: %w", err)
		}
	} else {
		j.Delete(rememberCookie(s.Name), session.CookieOptions{})
	}
	p.users[s.Name] = &resolved{user: u, digest: digest}
	return nil
}

// destroyCookieSessions destroys the server-side sessions the request's
// cookies of the scope name.
func (p *Proxy) destroyCookieSessions(s *Scope) error {
	seen := map[string]bool{}
	if res, ok := p.users[s.Name]; ok && res.digest != "" {
		seen[res.digest] = true
	}
	for _, name := range []string{sessionCookie(s.Name), rememberCookie(s.Name)} {
		if tok, ok := p.cookieToken(name); ok {
			seen[Digest(tok)] = true
		}
	}
	for d := range seen {
		if err := p.m.cfg.Sessions.DestroySession(p.r.Context(), s.Name, d); err != nil {
			return fmt.Errorf("auth: destroy session: %w", err)
		}
	}
	return nil
}

// resetSession resets the cookie session, keeping the scope's return
// path.
func (p *Proxy) resetSession(scope string) {
	sess := session.FromContext(p.r.Context())
	if sess == nil {
		return
	}
	back, ok := sess.Get(returnKey(scope))
	sess.Reset()
	if ok {
		sess.Set(returnKey(scope), back)
	}
}

// SignOut signs the scope out: its server-side session is destroyed (so a
// copy of the cookie signs no one in), its cookies are deleted and the
// cookie session is reset.
func (p *Proxy) SignOut(scope string) error {
	s, err := p.m.scope(scope)
	if err != nil {
		return err
	}
	if err := p.destroyCookieSessions(s); err != nil {
		return err
	}
	p.deleteCookie(sessionCookie(s.Name))
	p.deleteCookie(rememberCookie(s.Name))
	if sess := session.FromContext(p.r.Context()); sess != nil {
		sess.Reset()
	}
	p.users[s.Name] = &resolved{}
	return nil
}

// SignOutEverywhere destroys every server-side session of the scope's
// signed-in user (every browser and device), then signs this request out.
// Nobody signed in is not an error.
func (p *Proxy) SignOutEverywhere(scope string) error {
	s, err := p.m.scope(scope)
	if err != nil {
		return err
	}
	if u := p.User(s.Name); u != nil {
		if err := p.m.cfg.Sessions.DestroyUserSessions(p.r.Context(), s.Name, u.AuthID()); err != nil {
			return fmt.Errorf("auth: destroy sessions: %w", err)
		}
	}
	return p.SignOut(s.Name)
}

// SignOutUser destroys every server-side session of the user in the
// scope, whoever is signed in here: after a password change or reset.
func (p *Proxy) SignOutUser(scope string, u User) error {
	s, err := p.m.scope(scope)
	if err != nil {
		return err
	}
	if err := p.m.cfg.Sessions.DestroyUserSessions(p.r.Context(), s.Name, u.AuthID()); err != nil {
		return fmt.Errorf("auth: destroy sessions: %w", err)
	}
	return nil
}
