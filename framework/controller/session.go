package controller

import (
	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/session"
	"github.com/gorails/gorails/framework/view"
)

// Session returns the request's session, or nil when the session middleware
// (session.Manager.Handler) is not installed.
func (b *Base) Session() *session.Session { return session.FromContext(b.req.Context()) }

// Flash returns the request's flash (Set a "notice" before a redirect), or
// nil when the session middleware is not installed.
func (b *Base) Flash() *session.Flash { return session.FlashOf(b.req.HTTP()) }

// Cookies returns the request's cookie jar (plain, Signed, Encrypted), or nil
// when the session middleware is not installed.
func (b *Base) Cookies() *session.Jar { return session.Cookies(b.req.HTTP()) }

// CSRFToken returns a masked authenticity token for this request's forms,
// or "" when the session middleware is not installed.
func (b *Base) CSRFToken() string { return csrf.Token(b.req.HTTP()) }

// helpers are the request-scoped values the view helpers read: the URL
// helpers and path of the request and, with the session middleware, the
// CSRF token (made only if a template asks) and the flash messages.
func (b *Base) helpers() view.Helpers {
	r := b.req.HTTP()
	h := view.Helpers{RequestPath: r.URL.Path, URLs: b.req, RequestContext: r.Context()}
	s := session.FromContext(r.Context())
	if s == nil {
		return h
	}
	h.CSRFToken = func() string { return csrf.Token(r) }
	f := s.Flash()
	if keys := f.Keys(); len(keys) > 0 {
		h.Flash = make(map[string]string, len(keys))
		for _, k := range keys {
			h.Flash[k] = f.Get(k)
		}
	}
	return h
}
