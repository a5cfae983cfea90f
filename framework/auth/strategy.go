package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Strategy is one way to authenticate a request (Warden's strategy).
// Valid says whether the request carries what the strategy needs (a form's
// login and password, a bearer token); Authenticate is called only then,
// and answers Success, Fail, Pass or Error.
type Strategy interface {
	Name() string
	Valid(r *http.Request) bool
	Authenticate(r *http.Request) Result
}

// Stateless is implemented by strategies whose success must not sign the
// user in (create a session and a cookie): API tokens, sent with every
// request.
type Stateless interface {
	Stateless() bool
}

type resultKind uint8

const (
	pass resultKind = iota
	success
	failure
	errored
)

// Result is a strategy's answer.
type Result struct {
	kind     resultKind
	user     User
	message  string
	err      error
	remember bool
}

// Success authenticates u. With remember, the sign-in it leads to sets
// the remember-me cookie too.
func Success(u User, remember bool) Result {
	if u == nil {
		return Error(errors.New("auth: Success with a nil user"))
	}
	return Result{kind: success, user: u, remember: remember}
}

// Fail stops authentication: the credentials are wrong; message is shown
// to the user (keep it the same whether the login or the password was
// wrong).
func Fail(message string) Result { return Result{kind: failure, message: message} }

// Pass lets the next strategy try.
func Pass() Result { return Result{kind: pass} }

// Error reports that the strategy could not decide (its store failed): the
// request gets an error, not a sign-in page.
func Error(err error) Result { return Result{kind: errored, err: err} }

// PasswordStrategy authenticates a sign-in form (Devise's
// database_authenticatable). Check looks the login up and compares the
// password (framework/auth/password's AuthenticateBy, which takes the same
// time for an unknown login as for a wrong password); it returns a nil
// User and a nil error for wrong credentials, an error matching ErrLocked
// for a locked account, and other errors when it could not tell.
type PasswordStrategy struct {
	Check func(ctx context.Context, login, password string) (User, error)
	// LoginParam, PasswordParam and RememberParam are the form's fields
	// (email_address, password, remember_me by default).
	LoginParam, PasswordParam, RememberParam string
	// Message is shown for wrong credentials ("Try another email address
	// or password."); LockedMessage for a locked account.
	Message, LockedMessage string
}

// ErrLocked is what a PasswordStrategy's Check returns (wrapped) for a
// locked account.
var ErrLocked = errors.New("auth: account locked")

// maxCredential bounds a login and a password read from a form: longer is
// not a credential (bcrypt reads 72 bytes).
const maxCredential = 1024

// Name is "password".
func (s *PasswordStrategy) Name() string { return "password" }

func (s *PasswordStrategy) params() (login, pw, remember string) {
	login, pw, remember = s.LoginParam, s.PasswordParam, s.RememberParam
	if login == "" {
		login = "email_address"
	}
	if pw == "" {
		pw = "password"
	}
	if remember == "" {
		remember = "remember_me"
	}
	return
}

// Valid is true for a POST whose form has both a login and a password.
func (s *PasswordStrategy) Valid(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	login, pw, _ := s.params()
	return r.PostFormValue(login) != "" && r.PostFormValue(pw) != ""
}

// Authenticate checks the form's credentials.
func (s *PasswordStrategy) Authenticate(r *http.Request) Result {
	if s.Check == nil {
		return Error(errors.New("auth: PasswordStrategy.Check is nil"))
	}
	lp, pp, rp := s.params()
	login, pw := strings.TrimSpace(r.PostFormValue(lp)), r.PostFormValue(pp)
	msg := s.Message
	if msg == "" {
		msg = "Try another email address or password."
	}
	if len(login) > maxCredential || len(pw) > maxCredential {
		return Fail(msg)
	}
	u, err := s.Check(r.Context(), login, pw)
	switch {
	case errors.Is(err, ErrLocked):
		if s.LockedMessage != "" {
			return Fail(s.LockedMessage)
		}
		return Fail("Your account is locked after too many failed attempts. Try again later.")
	case err != nil:
		return Error(fmt.Errorf("auth: password check: %w", err))
	case u == nil:
		return Fail(msg)
	}
	// The last value: a form's check box sends a hidden "0" before its "1".
	vals := r.PostForm[rp]
	if n := len(vals); n > 0 {
		switch vals[n-1] {
		case "1", "true", "on", "yes":
			return Success(u, true)
		}
	}
	return Success(u, false)
}

// BearerStrategy authenticates an API client by the token in its
// Authorization header ("Bearer TOKEN"). Tokens are stored as their
// Digest (make one with NewToken), so Find gets the digest, never the
// token, and returns nil for an unknown one. It is stateless: no session,
// no cookie.
type BearerStrategy struct {
	Find func(ctx context.Context, digest string) (User, error)
}

// Name is "bearer".
func (s *BearerStrategy) Name() string { return "bearer" }

// Stateless is true: an API token signs in one request.
func (s *BearerStrategy) Stateless() bool { return true }

// Valid is true when the request has an Authorization: Bearer header.
func (s *BearerStrategy) Valid(r *http.Request) bool {
	_, ok := bearerToken(r)
	return ok
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

const invalidToken = "Invalid or expired API token."

// Authenticate finds the token's user.
func (s *BearerStrategy) Authenticate(r *http.Request) Result {
	if s.Find == nil {
		return Error(errors.New("auth: BearerStrategy.Find is nil"))
	}
	tok, _ := bearerToken(r)
	if tok == "" || len(tok) > maxCredential {
		return Fail(invalidToken)
	}
	u, err := s.Find(r.Context(), Digest(tok))
	if errors.Is(err, ErrNoSession) || (err == nil && u == nil) {
		return Fail(invalidToken)
	}
	if err != nil {
		return Error(fmt.Errorf("auth: bearer token lookup: %w", err))
	}
	return Success(u, false)
}

// RememberMe returns the remember-me strategy: when the browser-session
// cookie is gone (the browser was closed) and the persistent remember-me
// cookie a sign-in with Remember set is still there, it finds the
// server-side session the cookie names and signs the user in again with a
// new token (the old one is destroyed, so each remember-me cookie works
// once). Add it to a scope's Strategies.
func RememberMe() Strategy { return rememberStrategy{} }

type rememberStrategy struct{}

func (rememberStrategy) Name() string { return "remember_me" }

func (rememberStrategy) Valid(r *http.Request) bool {
	p := FromRequest(r)
	if p == nil {
		return false
	}
	_, ok := p.cookieToken(rememberCookie(p.current))
	return ok
}

func (rememberStrategy) Authenticate(r *http.Request) Result {
	p := FromRequest(r)
	s, err := p.m.scope(p.current)
	if err != nil {
		return Error(err)
	}
	tok, _ := p.cookieToken(rememberCookie(s.Name))
	u, _, err := p.lookup(s, tok)
	if err != nil {
		return Error(err)
	}
	if u == nil {
		p.deleteCookie(rememberCookie(s.Name))
		return Pass()
	}
	return Success(u, true)
}
