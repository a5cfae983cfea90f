package session

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// MaxCookieSize is the largest cookie, name and value together, that the
// jar writes or reads; browsers keep at most about 4096 bytes per cookie.
const MaxCookieSize = 4096

// permanentAge is how long a permanent cookie lives (Rails: 20 years).
const permanentAge = 20 * 365 * 24 * time.Hour

// Errors returned when writing cookies.
var (
	ErrInvalidCookie  = errors.New("session: invalid cookie")
	ErrCookieOverflow = errors.New("session: cookie overflow")
)

// CookieOptions are the attributes of a cookie being written. The zero value
// is a browser-session cookie for the whole site, HttpOnly, SameSite=Lax,
// Secure when the manager is configured Secure or the request came over TLS.
type CookieOptions struct {
	Path      string        // "" means "/"
	Domain    string        // "" means the request host only
	Expires   time.Time     // absolute expiry; zero with MaxAge 0 means a session cookie
	MaxAge    time.Duration // relative expiry; wins over Expires
	Permanent bool          // expires in 20 years; wins over both
	// AllowScript lets JavaScript read the cookie (omits HttpOnly).
	AllowScript bool
	SameSite    http.SameSite // 0 means Lax
}

func (o CookieOptions) expiry(now time.Time) time.Time {
	switch {
	case o.Permanent:
		return now.Add(permanentAge)
	case o.MaxAge > 0:
		return now.Add(o.MaxAge)
	}
	return o.Expires
}

// pending is a cookie to send, with its plain value so that reads in the
// same request see what was written.
type pending struct {
	cookie  *http.Cookie
	plain   string
	cs      *codecSet // nil for a plain cookie
	deleted bool
}

// Jar reads the request's cookies and collects the cookies to send. It
// belongs to one request and is not safe for concurrent use.
type Jar struct {
	st  *state
	m   *Manager
	r   *http.Request
	now time.Time
	out []pending
}

// Get returns the plain value of the cookie called name, seeing writes made
// earlier in the same request, and whether it is present.
func (j *Jar) Get(name string) (string, bool) {
	if p := j.find(name); p != nil {
		return p.cookie.Value, !p.deleted
	}
	c, err := j.r.Cookie(name)
	if err != nil {
		return "", false
	}
	return c.Value, true
}

// Set writes a plain cookie. It fails with [ErrInvalidCookie] for a name or
// value HTTP does not allow and [ErrCookieOverflow] when the cookie exceeds
// [MaxCookieSize].
func (j *Jar) Set(name, value string, o CookieOptions) error {
	return j.set(name, value, value, nil, o, o.expiry(j.now))
}

// Delete expires the cookie called name. Path and Domain must match those it
// was written with.
func (j *Jar) Delete(name string, o CookieOptions) {
	c := j.cookie(name, "", o, time.Time{})
	c.MaxAge = -1
	j.put(pending{cookie: c, deleted: true})
}

// Signed returns the view of the jar whose cookies are signed with
// HMAC-SHA256: readable by the client, not forgeable.
func (j *Jar) Signed() SecureJar { return SecureJar{j, j.m.signed} }

// Encrypted returns the view of the jar whose cookies are encrypted and
// authenticated: neither readable nor forgeable by the client.
func (j *Jar) Encrypted() SecureJar { return SecureJar{j, j.m.encrypted} }

func (j *Jar) set(name, encoded, plain string, cs *codecSet, o CookieOptions, exp time.Time) error {
	if len(name)+len(encoded) > MaxCookieSize {
		return fmt.Errorf("%w: cookie %q is %d bytes, the limit is %d", ErrCookieOverflow, name, len(name)+len(encoded), MaxCookieSize)
	}
	c := j.cookie(name, encoded, o, exp)
	if err := c.Valid(); err != nil {
		return fmt.Errorf("%w %q: %w", ErrInvalidCookie, name, err)
	}
	j.put(pending{cookie: c, plain: plain, cs: cs})
	return nil
}

func (j *Jar) cookie(name, value string, o CookieOptions, exp time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     o.Path,
		Domain:   o.Domain,
		Secure:   j.m.cfg.Secure || j.r.TLS != nil,
		HttpOnly: !o.AllowScript,
		SameSite: o.SameSite,
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	if !exp.IsZero() {
		c.Expires = exp.UTC()
		c.MaxAge = max(int(exp.Sub(j.now)/time.Second), 1)
	}
	return c
}

func (j *Jar) find(name string) *pending {
	for i := range j.out {
		if j.out[i].cookie.Name == name {
			return &j.out[i]
		}
	}
	return nil
}

func (j *Jar) put(p pending) {
	if j.st.w.committed && !j.st.lateLogged {
		j.st.lateLogged = true
		j.m.logger().Error("session: cookie set after the response headers were sent; it is lost (set cookies before writing the response)", "cookie", p.cookie.Name, "path", j.r.URL.Path)
	}
	if old := j.find(p.cookie.Name); old != nil {
		*old = p
		return
	}
	j.out = append(j.out, p)
}

// flush adds a Set-Cookie header for each pending cookie.
func (j *Jar) flush(h http.Header) {
	for _, p := range j.out {
		if v := p.cookie.String(); v != "" {
			h.Add("Set-Cookie", v)
		}
	}
}

// SecureJar is the signed or encrypted view of a [Jar].
type SecureJar struct {
	j  *Jar
	cs *codecSet
}

// Get returns the verified value of the cookie called name and whether it is
// present. A tampered, truncated, expired or foreign cookie reads as absent.
// A cookie written with a retired key is accepted and rewritten with the
// current key.
func (s SecureJar) Get(name string) (string, bool) {
	var encoded string
	if p := s.j.find(name); p != nil {
		if p.deleted || p.cs == s.cs {
			return p.plain, !p.deleted
		}
		encoded = p.cookie.Value
	} else {
		c, err := s.j.r.Cookie(name)
		if err != nil {
			return "", false
		}
		encoded = c.Value
	}
	v, exp, rotated, ok := s.cs.open(name, encoded, s.j.now)
	if !ok {
		return "", false
	}
	if rotated {
		_ = s.Set(name, v, CookieOptions{Expires: exp}) // best effort: the value fitted before
	}
	return v, true
}

// Set writes value signed or encrypted; the expiry is sealed inside the
// value, so a client that keeps the cookie longer gains nothing. It fails
// like [Jar.Set].
func (s SecureJar) Set(name, value string, o CookieOptions) error {
	exp := o.expiry(s.j.now)
	enc, err := s.cs.seal(name, value, exp)
	if err != nil {
		return fmt.Errorf("session: encode cookie %q: %w", name, err)
	}
	return s.j.set(name, enc, value, s.cs, o, exp)
}

// Delete expires the cookie called name.
func (s SecureJar) Delete(name string, o CookieOptions) { s.j.Delete(name, o) }
