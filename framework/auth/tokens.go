package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidToken is what Tokens.Verify returns for a token that is
// malformed, forged, for another purpose, expired, or whose record changed
// since it was made (its fingerprint differs).
var ErrInvalidToken = errors.New("auth: invalid or expired token")

// Tokens makes and checks signed, expiring tokens for one purpose (Rails'
// generates_token_for): a token carries a record's id and an expiry, and
// its signature covers a fingerprint of the record taken when it was made,
// so it stops working as soon as the fingerprint changes. For a password
// reset the fingerprint comes from the password digest: once the password
// has changed, every reset token made before is dead. Nothing is stored.
// It is safe for concurrent use.
type Tokens struct {
	key       []byte
	purpose   string
	expiresIn time.Duration
	now       func() time.Time
}

// NewTokens returns Tokens signing with key (at least 32 bytes; derive it
// for the purpose: secrets.Key("password_reset", 32)) whose tokens expire
// after expiresIn. now nil means time.Now.
func NewTokens(key []byte, purpose string, expiresIn time.Duration, now func() time.Time) (*Tokens, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("auth: tokens for %q: the key has %d bytes, want at least 32", purpose, len(key))
	}
	if purpose == "" || expiresIn <= 0 {
		return nil, errors.New("auth: tokens need a purpose and a positive expiry")
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{key: append([]byte(nil), key...), purpose: purpose, expiresIn: expiresIn, now: now}, nil
}

// ExpiresIn is how long a token lives.
func (t *Tokens) ExpiresIn() time.Duration { return t.expiresIn }

// Generate returns a token for the record id with the record's current
// fingerprint: URL-safe characters only (base64url), so it fits a path
// segment. id must not contain "|".
func (t *Tokens) Generate(id, fingerprint string) string {
	payload := id + "|" + strconv.FormatInt(t.now().Add(t.expiresIn).Unix(), 10)
	// No separator: the signature is the last sigLen characters. A "."
	// would read as a format suffix in a URL path (/passwords/TOKEN/edit).
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + base64.RawURLEncoding.EncodeToString(t.sign(payload, fingerprint))
}

func (t *Tokens) sign(payload, fingerprint string) []byte {
	h := hmac.New(sha256.New, t.key)
	h.Write([]byte(t.purpose))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	h.Write([]byte{0})
	h.Write([]byte(fingerprint))
	return h.Sum(nil)
}

// sigLen is the length of a token's signature (base64url of 32 bytes).
var sigLen = base64.RawURLEncoding.EncodedLen(sha256.Size)

// maxToken bounds what Verify reads.
const maxToken = 512

// Verify checks a token and returns its record id. fingerprint looks the
// record up and returns its current fingerprint; an error from it (the
// record is gone) makes the token invalid, and is wrapped so that a store
// failure can be told apart with errors.Is.
func (t *Tokens) Verify(token string, fingerprint func(id string) (string, error)) (string, error) {
	if len(token) > maxToken {
		return "", ErrInvalidToken
	}
	if len(token) <= sigLen {
		return "", ErrInvalidToken
	}
	p64, s64 := token[:len(token)-sigLen], token[len(token)-sigLen:]
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(s64)
	if err1 != nil || err2 != nil || len(sig) != sha256.Size {
		return "", ErrInvalidToken
	}
	id, exp, ok := strings.Cut(string(payload), "|")
	if !ok || id == "" {
		return "", ErrInvalidToken
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !t.now().Before(time.Unix(unix, 0)) {
		return "", ErrInvalidToken
	}
	fp, err := fingerprint(id)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if !hmac.Equal(sig, t.sign(string(payload), fp)) {
		return "", ErrInvalidToken
	}
	return id, nil
}
