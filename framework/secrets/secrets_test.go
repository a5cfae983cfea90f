package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework/secrets"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var longSecret = strings.Repeat("ab", 64)

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     string
		vars    map[string]string
		wantErr error
		source  secrets.Source
	}{
		{"production without a secret fails", "production", nil, secrets.ErrMissingSecret, ""},
		{"production with a short secret fails", "production", map[string]string{"SECRET_KEY_BASE": "Qz7-shh"}, secrets.ErrShortSecret, ""},
		{"production with SECRET_KEY_BASE loads it", "production", map[string]string{"SECRET_KEY_BASE": longSecret}, nil, secrets.FromEnv},
		{"staging is treated like production", "staging", nil, secrets.ErrMissingSecret, ""},
		{"development generates a secret", "development", nil, nil, secrets.FromGenerated},
		{"test generates a secret", "test", nil, nil, secrets.FromGenerated},
		{"empty env is development", "", nil, nil, secrets.FromGenerated},
		{"development prefers SECRET_KEY_BASE", "development", map[string]string{"SECRET_KEY_BASE": longSecret}, nil, secrets.FromEnv},
		{"development rejects a short SECRET_KEY_BASE", "development", map[string]string{"SECRET_KEY_BASE": "Qz8-shh"}, secrets.ErrShortSecret, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := secrets.Load(secrets.Options{Root: t.TempDir(), Env: tt.env, Getenv: env(tt.vars)})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if v := tt.vars["SECRET_KEY_BASE"]; v != "" && strings.Contains(err.Error(), v) {
					t.Errorf("error leaks the secret: %v", err)
				}
				return
			}
			if s.Source() != tt.source {
				t.Errorf("Source = %q, want %q", s.Source(), tt.source)
			}
		})
	}
}

func TestProductionErrorSaysWhatToSet(t *testing.T) {
	t.Parallel()
	_, err := secrets.Load(secrets.Options{Root: t.TempDir(), Env: "production", Getenv: env(nil)})
	for _, want := range []string{"SECRET_KEY_BASE", "credentials:edit", "production"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestDevelopmentSecretIsKeptAcrossLoads(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	opts := secrets.Options{Root: root, Env: "development", Getenv: env(nil)}
	a, err := secrets.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secrets.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Key("p", 32), b.Key("p", 32)) {
		t.Fatal("second development load derived a different key")
	}
	fi, err := os.Stat(filepath.Join(root, secrets.DevelopmentSecretPath))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("development secret mode = %v, want 0600", fi.Mode().Perm())
	}
	other, err := secrets.Load(secrets.Options{Root: t.TempDir(), Env: "development", Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Key("p", 32), other.Key("p", 32)) {
		t.Fatal("two applications generated the same secret")
	}
}

func TestKeyDerivation(t *testing.T) {
	t.Parallel()
	s, err := secrets.New(longSecret, strings.Repeat("cd", 64))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Key("cookies", 32); len(got) != 32 || !bytes.Equal(got, s.Key("cookies", 32)) {
		t.Fatal("Key is not a deterministic 32-byte key")
	}
	if bytes.Equal(s.Key("cookies", 32), s.Key("csrf", 32)) {
		t.Error("two purposes share a key")
	}
	if bytes.Contains(s.Key("cookies", 64), []byte(longSecret[:16])) {
		t.Error("key contains the secret")
	}
	old := s.OldKeys("cookies", 32)
	if len(old) != 1 || bytes.Equal(old[0], s.Key("cookies", 32)) {
		t.Fatalf("OldKeys = %d keys, want 1 distinct from the current", len(old))
	}
	rotated, _ := secrets.New(strings.Repeat("cd", 64))
	if !bytes.Equal(old[0], rotated.Key("cookies", 32)) {
		t.Error("old key differs from the key the old secret derived")
	}
	if _, err := secrets.New("short"); !errors.Is(err, secrets.ErrShortSecret) {
		t.Errorf("New(short) error = %v", err)
	}
}

func TestOldSecretsFromEnv(t *testing.T) {
	t.Parallel()
	s, err := secrets.Load(secrets.Options{Root: t.TempDir(), Env: "production", Getenv: env(map[string]string{
		"SECRET_KEY_BASE":     longSecret,
		"SECRET_KEY_BASE_OLD": strings.Repeat("1", 64) + ", " + strings.Repeat("2", 64),
	})})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.OldKeys("x", 16)); n != 2 {
		t.Fatalf("OldKeys = %d, want 2", n)
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	editor := filepath.Join(t.TempDir(), "editor.sh")
	script := "#!/bin/sh\nprintf 'secret_key_base: " + longSecret + "\\naws:\\n  key: AKIA\\nold_secret_key_bases: [\"" + strings.Repeat("9", 64) + "\"]\\n' > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	opts := secrets.EditOptions{Options: secrets.Options{Root: root, Env: "production", Getenv: env(nil)}, Editor: editor}
	if err := secrets.Edit(opts); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	fi, err := os.Stat(filepath.Join(root, secrets.MasterKeyPath))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key not created 0600: %v %v", err, fi)
	}
	enc, _ := os.ReadFile(filepath.Join(root, secrets.CredentialsPath))
	if bytes.Contains(enc, []byte("AKIA")) {
		t.Fatal("credentials file holds plaintext")
	}
	s, err := secrets.Load(opts.Options)
	if err != nil {
		t.Fatalf("Load from credentials: %v", err)
	}
	if s.Source() != secrets.FromCredentials {
		t.Errorf("Source = %q", s.Source())
	}
	if v, ok := s.Credential("aws", "key"); !ok || v != "AKIA" {
		t.Errorf("Credential(aws, key) = %v, %v", v, ok)
	}
	if n := len(s.OldKeys("x", 16)); n != 1 {
		t.Errorf("old secrets from credentials = %d, want 1", n)
	}
	plain, err := secrets.Show(opts.Options)
	if err != nil || !bytes.Contains(plain, []byte("AKIA")) {
		t.Fatalf("Show = %q, %v", plain, err)
	}

	// GORAILS_MASTER_KEY takes the file's place.
	key, _ := os.ReadFile(filepath.Join(root, secrets.MasterKeyPath))
	os.Remove(filepath.Join(root, secrets.MasterKeyPath))
	if _, err := secrets.Load(opts.Options); !errors.Is(err, secrets.ErrMissingSecret) {
		t.Fatalf("production load without master key: %v", err)
	}
	withEnv := opts.Options
	withEnv.Getenv = env(map[string]string{"GORAILS_MASTER_KEY": string(bytes.TrimSpace(key))})
	if _, err := secrets.Load(withEnv); err != nil {
		t.Fatalf("Load with GORAILS_MASTER_KEY: %v", err)
	}
	wrong := opts.Options
	wrong.Getenv = env(map[string]string{"GORAILS_MASTER_KEY": secrets.GenerateMasterKey()})
	if _, err := secrets.Load(wrong); !errors.Is(err, secrets.ErrDecrypt) {
		t.Fatalf("Load with wrong key error = %v, want ErrDecrypt", err)
	}
}

func TestEditKeepsCredentialsOnInvalidYAML(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	opts := secrets.EditOptions{Options: secrets.Options{Root: root, Getenv: env(nil)}, Editor: "true"}
	if err := secrets.Edit(opts); err != nil {
		t.Fatal(err)
	}
	before, _ := secrets.Show(opts.Options)
	if !bytes.Contains(before, []byte("secret_key_base:")) {
		t.Fatalf("template missing secret_key_base: %q", before)
	}
	bad := filepath.Join(t.TempDir(), "bad.sh")
	os.WriteFile(bad, []byte("#!/bin/sh\necho 'a: [' > \"$1\"\n"), 0o700)
	opts.Editor = bad
	if err := secrets.Edit(opts); err == nil {
		t.Fatal("invalid YAML accepted")
	}
	after, _ := secrets.Show(opts.Options)
	if !bytes.Equal(before, after) {
		t.Fatal("credentials changed after a failed edit")
	}
}

func TestDecryptRejectsTampering(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, secrets.MasterKeySize)
	enc, err := secrets.Encrypt(key, []byte("a: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(enc) - 1 {
		c := bytes.Clone(enc)
		c[i] ^= 0x01
		// A flipped bit in base64 padding bits may decode to the same bytes;
		// anything else that decrypts would be a forgery.
		if plain, err := secrets.Decrypt(key, c); err == nil && !bytes.Equal(plain, []byte("a: 1\n")) {
			t.Fatalf("tampered byte %d accepted", i)
		}
	}
	if _, err := secrets.Decrypt(bytes.Repeat([]byte{8}, secrets.MasterKeySize), enc); !errors.Is(err, secrets.ErrDecrypt) {
		t.Fatalf("wrong key error = %v", err)
	}
}

func TestDevelopmentSecretConcurrentBoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			s, err := secrets.Load(secrets.Options{Root: root, Env: "test", Getenv: env(nil)})
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = s.Key("p", 32)
		})
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatal("processes booting together generated different secrets")
		}
	}
}
