// Package session owns cookies, the session and the flash of a request: the
// cookie jar (plain, signed and encrypted cookies with key rotation), the
// session stored behind a [Store] (an encrypted cookie by default) and the
// flash messages carried to the next request.
//
// All three are installed by one net/http middleware, [Manager.Handler],
// which keeps per-request state in the request context and writes any
// Set-Cookie header just before the response headers are sent. Handlers
// reach the state through typed accessors:
//
//	jar := session.Cookies(r)              // *Jar
//	s := session.FromContext(r.Context())  // *Session, loaded on first use
//	s.Flash().Set("notice", "Saved.")      // shown on the next request
//
// Tampered, truncated, expired or foreign cookies read as absent, never as
// an error. Nothing is decoded unless it is read, and nothing is written
// unless it changed.
//
// Keys come from a [Keys] (satisfied by *secrets.Secrets), each purpose
// derived separately.
//
// Imports: the standard library and github.com/gorilla/securecookie only;
// nothing of controller, view, record or dispatch.
package session
