package secrets

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MinLength is the minimum length, in bytes, of a secret_key_base.
// `openssl rand -hex 64` (or [Generate]) produces 128 characters.
const MinLength = 64

// Environment variables read by [Load].
const (
	EnvSecretKeyBase    = "SECRET_KEY_BASE"
	EnvOldSecretKeyBase = "SECRET_KEY_BASE_OLD" // whitespace- or comma-separated list of retired secrets
	EnvMasterKey        = "GORAILS_MASTER_KEY"
)

// Files read by [Load], relative to Options.Root.
const (
	CredentialsPath       = "config/credentials.yml.enc"
	MasterKeyPath         = "config/master.key"
	DevelopmentSecretPath = "tmp/development_secret.txt"
)

// Errors returned by [Load] and the credentials functions. Their text never
// contains a secret.
var (
	ErrMissingSecret    = errors.New("secrets: secret_key_base is not set")
	ErrShortSecret      = errors.New("secrets: secret_key_base is too short")
	ErrMissingMasterKey = errors.New("secrets: master key is not set")
	ErrInvalidMasterKey = errors.New("secrets: master key is malformed")
	ErrDecrypt          = errors.New("secrets: credentials cannot be decrypted with this master key")
)

// Source says where a secret_key_base came from.
type Source string

// Sources reported by [Secrets.Source].
const (
	FromEnv         Source = "SECRET_KEY_BASE"
	FromCredentials Source = "credentials"
	FromGenerated   Source = DevelopmentSecretPath
	FromValue       Source = "value"
)

// Options configure [Load]. The zero value loads a development secret from
// the current directory with os.Getenv.
type Options struct {
	Root   string              // application root; "" means the current directory
	Env    string              // "development" (default when ""), "test", "production", ...
	Getenv func(string) string // nil means os.Getenv
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

func (o Options) path(rel string) string { return filepath.Join(o.Root, filepath.FromSlash(rel)) }

// local reports whether the environment may use a generated secret.
func (o Options) local() bool { return o.Env == "" || o.Env == "development" || o.Env == "test" }

// Secrets holds a secret_key_base, the retired ones and the decrypted
// credentials. It is immutable after [Load] or [New] and safe for concurrent
// use.
type Secrets struct {
	base        []byte
	old         [][]byte
	source      Source
	credentials map[string]any
}

// New returns Secrets for an explicit secret and retired secrets, newest
// first. It returns an error wrapping [ErrShortSecret] when base is shorter
// than [MinLength]; it is meant for tests and for applications that fetch
// the secret themselves.
func New(base string, old ...string) (*Secrets, error) {
	if err := checkLength(base, "the secret passed to secrets.New"); err != nil {
		return nil, err
	}
	s := &Secrets{base: []byte(base), source: FromValue}
	for _, o := range old {
		s.old = append(s.old, []byte(o))
	}
	return s, nil
}

// Load finds the secret_key_base as described in the package documentation.
//
// It fails with an error wrapping [ErrMissingSecret] or [ErrShortSecret] in
// production when no usable secret is configured, naming the variable or file
// to set; with [ErrDecrypt] or [ErrInvalidMasterKey] when a credentials file
// exists but its key does not open it. Load does not cache: each call reads
// the environment and files again.
func Load(opts Options) (*Secrets, error) {
	creds, credErr := loadCredentials(opts)
	if credErr != nil && !errors.Is(credErr, ErrMissingMasterKey) {
		return nil, credErr
	}
	s := &Secrets{credentials: creds}
	s.old = oldSecrets(opts.getenv(EnvOldSecretKeyBase), creds)

	if v := strings.TrimSpace(opts.getenv(EnvSecretKeyBase)); v != "" {
		if err := checkLength(v, EnvSecretKeyBase); err != nil {
			return nil, err
		}
		s.base, s.source = []byte(v), FromEnv
		return s, nil
	}
	if v, ok := creds["secret_key_base"].(string); ok && v != "" {
		if err := checkLength(v, "secret_key_base in "+CredentialsPath); err != nil {
			return nil, err
		}
		s.base, s.source = []byte(v), FromCredentials
		return s, nil
	}
	if !opts.local() {
		return nil, missingSecretError(opts, credErr)
	}
	v, err := developmentSecret(opts.path(DevelopmentSecretPath))
	if err != nil {
		return nil, err
	}
	s.base, s.source = []byte(v), FromGenerated
	return s, nil
}

func missingSecretError(opts Options, credErr error) error {
	if credErr != nil {
		return fmt.Errorf("%w for the %s environment: set %s, or provide the master key for %s in %s or %s (%w)",
			ErrMissingSecret, opts.Env, EnvSecretKeyBase, CredentialsPath, EnvMasterKey, MasterKeyPath, credErr)
	}
	return fmt.Errorf("%w for the %s environment: set %s (generate one with `openssl rand -hex 64`) or add secret_key_base to %s with `gorails credentials:edit`",
		ErrMissingSecret, opts.Env, EnvSecretKeyBase, CredentialsPath)
}

func checkLength(v, where string) error {
	if len(v) < MinLength {
		return fmt.Errorf("%w: %s is %d characters, at least %d are required (generate one with `openssl rand -hex 64`)",
			ErrShortSecret, where, len(v), MinLength)
	}
	return nil
}

func oldSecrets(env string, creds map[string]any) [][]byte {
	var out [][]byte
	for _, f := range strings.FieldsFunc(env, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		out = append(out, []byte(f))
	}
	if list, ok := creds["old_secret_key_bases"].([]any); ok {
		for _, v := range list {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, []byte(s))
			}
		}
	}
	return out
}

// developmentSecret reads the generated secret at path, creating it (0600)
// the first time. The file appears complete or not at all (written aside,
// then hard-linked into place), so two processes starting together agree
// on one secret: the loser of the link reads the winner's file.
func developmentSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		if v := strings.TrimSpace(string(b)); len(v) >= MinLength {
			return v, nil
		}
		return "", fmt.Errorf("%w: %s is shorter than %d characters; delete it to generate a new one", ErrShortSecret, path, MinLength)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("secrets: read development secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("secrets: create development secret: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".development_secret-*")
	if err != nil {
		return "", fmt.Errorf("secrets: create development secret: %w", err)
	}
	defer os.Remove(f.Name())
	v := Generate()
	_, werr := f.WriteString(v + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("secrets: write development secret: %w", werr)
	}
	if err := os.Link(f.Name(), path); errors.Is(err, os.ErrExist) {
		return developmentSecret(path)
	} else if err != nil {
		return "", fmt.Errorf("secrets: create development secret: %w", err)
	}
	return v, nil
}

// Generate returns a new random secret_key_base: 64 random bytes, hex encoded.
func Generate() string {
	b := make([]byte, 64)
	rand.Read(b) // never fails (crypto/rand aborts the program instead)
	return hex.EncodeToString(b)
}

// Source reports where the secret_key_base came from.
func (s *Secrets) Source() Source { return s.source }

// Key derives an n-byte key for purpose from the current secret with
// HKDF-SHA256, using "gorails:"+purpose as the salt. The same secret,
// purpose and n always give the same key; different purposes give unrelated
// keys. It panics if n is not between 1 and 8160 (a programming error).
func (s *Secrets) Key(purpose string, n int) []byte { return derive(s.base, purpose, n) }

// OldKeys derives the key for purpose from each retired secret, newest first.
// It returns nil when no secret was retired.
func (s *Secrets) OldKeys(purpose string, n int) [][]byte {
	if len(s.old) == 0 {
		return nil
	}
	out := make([][]byte, len(s.old))
	for i, o := range s.old {
		out[i] = derive(o, purpose, n)
	}
	return out
}

func derive(secret []byte, purpose string, n int) []byte {
	k, err := hkdf.Key(sha256.New, secret, []byte("gorails:"+purpose), "gorails key", n)
	if err != nil {
		panic(fmt.Sprintf("secrets: cannot derive a %d-byte key: %v", n, err))
	}
	return k
}

// Credential returns the value at path in the decrypted credentials (for
// example Credential("aws", "access_key_id")), and whether it exists.
// Maps are map[string]any, lists []any, scalars as decoded by YAML.
func (s *Secrets) Credential(path ...string) (any, bool) {
	var cur any = s.credentials
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, s.credentials != nil
}
