package csrf

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzValid: the token check never panics and accepts only a masking of the
// secret (pad || pad XOR secret), never anything else.
func FuzzValid(f *testing.F) {
	secret := bytes.Repeat([]byte{0x5a}, secretSize)
	f.Add(mask(secret))
	f.Add(mask(bytes.Repeat([]byte{1}, secretSize)))
	f.Add("")
	f.Add(base64.RawURLEncoding.EncodeToString(secret))
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 2*secretSize)))
	f.Fuzz(func(t *testing.T, token string) {
		if !valid(token, secret) {
			return
		}
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) != 2*secretSize {
			t.Fatalf("accepted a token that is not 64 base64url bytes: %q", token)
		}
		for i := range secretSize {
			if raw[i]^raw[secretSize+i] != secret[i] {
				t.Fatalf("accepted a token that does not unmask to the secret: %q", token)
			}
		}
	})
}

func TestValidRejectsShortSecrets(t *testing.T) {
	for _, s := range [][]byte{nil, {}, make([]byte, 31)} {
		if valid(mask(make([]byte, secretSize)), s) {
			t.Fatalf("valid with a %d-byte secret", len(s))
		}
	}
}
