// Package auth is gorails' authentication, in the shape of Warden: a
// middleware ([Manager.Handler]) puts an authentication [Proxy] on every
// request; each scope ("user", "admin") tries its strategies in order, each
// with Valid (does the request carry what I need?) and Authenticate
// (Success, Fail or Pass); a failure is answered by a failure handler
// (HTML: a redirect to the scope's sign-in page with a flash and the
// return path kept, same site only; JSON and API clients: 401 with
// WWW-Authenticate).
//
//	p := auth.FromRequest(r)
//	user, err := p.Authenticate("user") // the session cookie, then the strategies
//	if err != nil {
//		p.Failure("user", err).ServeHTTP(w, r)
//		return
//	}
//	err = p.SignIn("user", user, auth.Remember(true))
//	err = p.SignOut("user")            // the server-side session is gone
//	err = p.SignOutEverywhere("user")  // every session of that user is gone
//
// # Sessions live on the server
//
// Signing in creates a server-side session (Rails 8's Session model: the
// user, the client's IP address and user agent, the time) in a
// [SessionStore] the app implements over its own model (a generated app's
// models.Session), and gives the browser a signed cookie with a fresh
// random token; only the token's SHA-256 digest is stored. Signing out
// destroys the record, so a copied cookie replayed afterwards finds
// nothing. Each sign-in makes a new token and resets the cookie session
// (its id and CSRF secret), so an id planted before sign-in (session
// fixation) is worth nothing after it.
//
// # Strategies
//
// [PasswordStrategy] (a sign-in form), [RememberMe] (a persistent cookie
// that outlives the browser session and is rotated when used) and
// [BearerStrategy] (an API token from the Authorization header, stored
// hashed: [NewToken]) are provided; any type with Name, Valid and
// Authenticate is one. A strategy's success signs the user in (a new
// server-side session) unless the strategy says it is stateless, as API
// tokens are.
//
// # Around the strategies
//
// [Tokens] are signed, expiring, purpose-bound tokens (Rails'
// generates_token_for) that die when a fingerprint of the record changes:
// a password-reset token made from the password digest stops working once
// the password changes. [Lockout] is Devise's lockable: after MaxAttempts
// failures an account is locked for UnlockAfter. Password hashing
// (has_secure_password) is in framework/auth/password, which sits on
// record; this package imports nothing of record.
//
// # Imports
//
// The standard library, framework/session (the cookie jar, the session
// and the flash) and nothing else of gorails: no record, no controller.
package auth
