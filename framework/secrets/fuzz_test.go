package secrets_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gorails/gorails/framework/secrets"
)

// FuzzDecrypt feeds credentials files (and keys): Decrypt never panics,
// refuses what it cannot open with ErrDecrypt (a key of the wrong size
// with ErrInvalidMasterKey), and opens what Encrypt
// sealed with the same key to the same bytes.
func FuzzDecrypt(f *testing.F) {
	key := bytes.Repeat([]byte{7}, secrets.MasterKeySize)
	sealed, err := secrets.Encrypt(key, []byte("secret_key_base: abc\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key, sealed, []byte("x: 1"))
	f.Add(key, []byte("not--base64"), []byte(""))
	f.Add([]byte("short"), sealed, []byte("y"))
	f.Add(key, append([]byte(nil), sealed[:len(sealed)/2]...), []byte("z"))
	f.Add(key, []byte("--"), []byte("--"))
	f.Fuzz(func(t *testing.T, key, data, plain []byte) {
		if _, err := secrets.Decrypt(key, data); err != nil && !errors.Is(err, secrets.ErrDecrypt) && !errors.Is(err, secrets.ErrInvalidMasterKey) {
			t.Fatalf("Decrypt: %v wraps neither ErrDecrypt nor ErrInvalidMasterKey", err)
		}
		sealed, err := secrets.Encrypt(key, plain)
		if err != nil {
			return // a key of the wrong size
		}
		got, err := secrets.Decrypt(key, sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %q = %q, %v", plain, got, err)
		}
	})
}
