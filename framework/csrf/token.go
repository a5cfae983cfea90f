package csrf

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html"
	"html/template"
	"net/http"

	"github.com/gorails/gorails/framework/session"
)

// Names of the token in forms and headers, and of its secret in the session.
const (
	ParamName  = "authenticity_token"
	HeaderName = "X-CSRF-Token"
	SessionKey = "_csrf_token"
)

const secretSize = 32

// Token returns a masked authenticity token for the request's session,
// creating the session's secret on first use (which writes the session).
// Each call returns a different string that verifies against the same
// secret. It returns "" when session.Manager.Handler is not installed.
// Call it before the response headers are sent (views render into a buffer
// first): a session created after that cannot be saved.
func Token(r *http.Request) string {
	s := session.FromContext(r.Context())
	if s == nil {
		return ""
	}
	secret := sessionSecret(s, true)
	return mask(secret)
}

// HiddenField returns the hidden form input carrying [Token].
func HiddenField(r *http.Request) template.HTML {
	return template.HTML(`<input type="hidden" name="` + ParamName + `" value="` + html.EscapeString(Token(r)) + `" autocomplete="off">`)
}

// MetaTags returns Rails' csrf_meta_tags: the parameter name and a token,
// for JavaScript that sends X-CSRF-Token.
func MetaTags(r *http.Request) template.HTML {
	return template.HTML(`<meta name="csrf-param" content="` + ParamName + `">` + "\n" +
		`<meta name="csrf-token" content="` + html.EscapeString(Token(r)) + `">`)
}

// sessionSecret returns the session's raw secret, creating it when create is
// set, or nil.
func sessionSecret(s *session.Session, create bool) []byte {
	if v, ok := s.Get(SessionKey); ok {
		if b, err := base64.RawURLEncoding.DecodeString(v); err == nil && len(b) == secretSize {
			return b
		}
	}
	if !create {
		return nil
	}
	b := make([]byte, secretSize)
	rand.Read(b)
	s.Set(SessionKey, base64.RawURLEncoding.EncodeToString(b))
	return b
}

// mask returns base64url(pad || pad XOR secret) with a fresh random pad.
func mask(secret []byte) string {
	buf := make([]byte, 2*secretSize)
	rand.Read(buf[:secretSize])
	subtle.XORBytes(buf[secretSize:], buf[:secretSize], secret)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// valid reports whether token is a masking of secret, in constant time with
// respect to the secret. It never panics, whatever token holds.
func valid(token string, secret []byte) bool {
	if len(secret) != secretSize || len(token) != base64.RawURLEncoding.EncodedLen(2*secretSize) {
		return false
	}
	var buf [2 * secretSize]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(token))
	if err != nil || n != len(buf) {
		return false
	}
	var unmasked [secretSize]byte
	subtle.XORBytes(unmasked[:], buf[:secretSize], buf[secretSize:])
	return subtle.ConstantTimeCompare(unmasked[:], secret) == 1
}

// SecretDigest returns a short digest of the request's session CSRF secret
// ("" when the session has none), for validators of pages that carry a
// token: a cached page stays valid only while the secret its tokens mask
// does. It never creates the secret and reveals nothing of it.
func SecretDigest(r *http.Request) string {
	s := session.FromContext(r.Context())
	if s == nil {
		return ""
	}
	secret := sessionSecret(s, false)
	if secret == nil {
		return ""
	}
	sum := sha256.Sum256(append([]byte("gorails csrf etag\x00"), secret...))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}
