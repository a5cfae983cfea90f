package session

import (
	"encoding/binary"
	"time"

	"github.com/gorilla/securecookie"
)

// Keys supplies the keys cookies are signed and encrypted with. It is
// satisfied by *secrets.Secrets. Key must return the same key for the same
// purpose and length; OldKeys returns the keys retired secrets derive for the
// purpose, newest first, so cookies written before a rotation still read.
type Keys interface {
	Key(purpose string, n int) []byte
	OldKeys(purpose string, n int) [][]byte
}

// Key purposes, so other packages never derive the same key by accident.
const (
	purposeSigned    = "gorails/cookies/signed"
	purposeEncrypted = "gorails/cookies/encrypted"
)

// codecSet holds the codec for the current keys and those for retired keys.
// securecookie.SecureCookie is safe for concurrent use once configured.
type codecSet struct {
	current *securecookie.SecureCookie
	old     []*securecookie.SecureCookie
}

func newCodecSet(k Keys, purpose string, encrypt bool) *codecSet {
	hash := k.Key(purpose+"/hmac", 64)
	var block []byte
	if encrypt {
		block = k.Key(purpose+"/aes", 32)
	}
	cs := &codecSet{current: newCodec(hash, block)}
	oldHash := k.OldKeys(purpose+"/hmac", 64)
	var oldBlock [][]byte
	if encrypt {
		oldBlock = k.OldKeys(purpose+"/aes", 32)
	}
	for i, h := range oldHash {
		var b []byte
		if encrypt && i < len(oldBlock) {
			b = oldBlock[i]
		}
		cs.old = append(cs.old, newCodec(h, b))
	}
	return cs
}

func newCodec(hash, block []byte) *securecookie.SecureCookie {
	// Expiry is carried in our own envelope (see seal), so securecookie's
	// age check is off; the length check is ours too.
	return securecookie.New(hash, block).
		MaxAge(0).
		MaxLength(0).
		SetSerializer(securecookie.NopEncoder{})
}

// seal prefixes value with its expiry (Unix seconds, 0 = none) and encodes
// it for the cookie called name.
func (cs *codecSet) seal(name, value string, expires time.Time) (string, error) {
	var exp uint64
	if !expires.IsZero() {
		exp = uint64(max(expires.Unix(), 1))
	}
	buf := make([]byte, 0, binary.MaxVarintLen64+len(value))
	buf = binary.AppendUvarint(buf, exp)
	buf = append(buf, value...)
	return cs.current.Encode(name, buf)
}

// open decodes a cookie value, trying the current keys, then the retired
// ones. It reports ok=false for anything that does not verify, is malformed
// or has expired at now, and rotated=true when a retired key opened it.
func (cs *codecSet) open(name, encoded string, now time.Time) (value string, expires time.Time, rotated, ok bool) {
	if len(encoded) > MaxCookieSize {
		return "", time.Time{}, false, false
	}
	var raw []byte
	if cs.current.Decode(name, encoded, &raw) != nil {
		found := false
		for _, c := range cs.old {
			if c.Decode(name, encoded, &raw) == nil {
				found = true
				break
			}
		}
		if !found {
			return "", time.Time{}, false, false
		}
		rotated = true
	}
	exp, n := binary.Uvarint(raw)
	if n <= 0 || exp > 1<<62 {
		return "", time.Time{}, false, false
	}
	if exp != 0 {
		expires = time.Unix(int64(exp), 0)
		if !now.Before(expires) {
			return "", time.Time{}, false, false
		}
	}
	return string(raw[n:]), expires, rotated, true
}
