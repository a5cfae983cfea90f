package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// credentialsAAD binds the ciphertext to its format version.
const credentialsAAD = "gorails credentials v1"

// MasterKeySize is the size of a master key in bytes (AES-256); it is stored
// as 64 hex characters.
const MasterKeySize = 32

// GenerateMasterKey returns a new random master key, hex encoded.
func GenerateMasterKey() string {
	b := make([]byte, MasterKeySize)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// MasterKey returns the master key from GORAILS_MASTER_KEY, or else from
// config/master.key under opts.Root. It fails with [ErrMissingMasterKey]
// when neither is set and [ErrInvalidMasterKey] when the value is not
// 64 hex characters.
func MasterKey(opts Options) ([]byte, error) {
	v := strings.TrimSpace(opts.getenv(EnvMasterKey))
	where := EnvMasterKey
	if v == "" {
		b, err := os.ReadFile(opts.path(MasterKeyPath))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: set %s or create %s", ErrMissingMasterKey, EnvMasterKey, MasterKeyPath)
		}
		if err != nil {
			return nil, fmt.Errorf("secrets: read master key: %w", err)
		}
		v, where = strings.TrimSpace(string(b)), MasterKeyPath
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) != MasterKeySize {
		return nil, fmt.Errorf("%w: %s must hold %d hex characters", ErrInvalidMasterKey, where, 2*MasterKeySize)
	}
	return key, nil
}

// Encrypt seals plaintext with key (AES-256-GCM, random nonce) and returns
// the base64 text stored in config/credentials.yml.enc.
func Encrypt(key, plaintext []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	rand.Read(nonce)
	sealed := gcm.Seal(nonce, nonce, plaintext, []byte(credentialsAAD))
	out := base64.StdEncoding.AppendEncode(nil, sealed)
	return append(out, '\n'), nil
}

// Decrypt opens what [Encrypt] produced. A wrong key or altered file gives
// an error wrapping [ErrDecrypt].
func Decrypt(key, data []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	sealed, err := base64.StdEncoding.AppendDecode(nil, bytes.TrimSpace(data))
	if err != nil || len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, fmt.Errorf("%w: the file is not in the expected format", ErrDecrypt)
	}
	n := gcm.NonceSize()
	plain, err := gcm.Open(nil, sealed[:n], sealed[n:], []byte(credentialsAAD))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != MasterKeySize {
		return nil, fmt.Errorf("%w: need %d bytes", ErrInvalidMasterKey, MasterKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return cipher.NewGCM(block)
}

// loadCredentials returns the decrypted credentials, or nil with no error
// when there is no credentials file. A missing master key is reported with
// ErrMissingMasterKey so that Load can decide whether it matters.
func loadCredentials(opts Options) (map[string]any, error) {
	plain, err := Show(opts)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseCredentials(plain)
}

func parseCredentials(plain []byte) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal(plain, &m); err != nil {
		return nil, fmt.Errorf("secrets: %s is not valid YAML: %w", CredentialsPath, err)
	}
	return m, nil
}

// Show returns the decrypted YAML of config/credentials.yml.enc, for
// `gorails credentials:show`. It returns an error wrapping os.ErrNotExist
// when the file does not exist.
func Show(opts Options) ([]byte, error) {
	data, err := os.ReadFile(opts.path(CredentialsPath))
	if err != nil {
		return nil, fmt.Errorf("secrets: read credentials: %w", err)
	}
	key, err := MasterKey(opts)
	if err != nil {
		return nil, err
	}
	plain, err := Decrypt(key, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CredentialsPath, err)
	}
	return plain, nil
}

// EditOptions configure [Edit].
type EditOptions struct {
	Options
	// Editor is the command that edits the file, split on spaces; the path
	// is appended. "" means $EDITOR from Getenv, then "vi".
	Editor string
	// Stdin, Stdout and Stderr are given to the editor; nil means os.Std*.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// credentialsTemplate is what a new credentials file starts with.
const credentialsTemplate = `# Credentials for this application, encrypted with config/master.key.
# Keep config/master.key out of version control; share it out of band.

# Used as the base secret for all cookies and message verifiers.
secret_key_base: %s

# Retired secrets, newest first, still accepted when reading cookies.
# old_secret_key_bases: []
`

// Edit implements `gorails credentials:edit`: it creates config/master.key
// (0600) when no master key exists, decrypts the credentials (or starts from
// a template holding a fresh secret_key_base) into a 0600 temporary file,
// runs the editor on it, checks that the result is valid YAML and re-encrypts
// it atomically. The temporary file is removed before Edit returns. When the
// editor fails or the YAML is invalid the credentials file is left unchanged.
func Edit(opts EditOptions) error {
	key, err := MasterKey(opts.Options)
	if errors.Is(err, ErrMissingMasterKey) {
		key, err = createMasterKey(opts.Options)
	}
	if err != nil {
		return err
	}
	plain, err := Show(opts.Options)
	if errors.Is(err, os.ErrNotExist) {
		plain, err = fmt.Appendf(nil, credentialsTemplate, Generate()), nil
	}
	if err != nil {
		return err
	}
	edited, err := runEditor(opts, plain)
	if err != nil {
		return err
	}
	if _, err := parseCredentials(edited); err != nil {
		return fmt.Errorf("%w; the credentials were not changed", err)
	}
	enc, err := Encrypt(key, edited)
	if err != nil {
		return err
	}
	return writeFileAtomic(opts.path(CredentialsPath), enc, 0o600)
}

func createMasterKey(opts Options) ([]byte, error) {
	path := opts.path(MasterKeyPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("secrets: create master key: %w", err)
	}
	if _, err := os.Stat(opts.path(CredentialsPath)); err == nil {
		return nil, fmt.Errorf("%w: %s exists but no key opens it; set %s or restore %s",
			ErrMissingMasterKey, CredentialsPath, EnvMasterKey, MasterKeyPath)
	}
	hexKey := GenerateMasterKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secrets: create master key: %w", err)
	}
	_, werr := f.WriteString(hexKey + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("secrets: write master key: %w", werr)
	}
	key, _ := hex.DecodeString(hexKey)
	return key, nil
}

func runEditor(opts EditOptions, plain []byte) ([]byte, error) {
	editor := opts.Editor
	if editor == "" {
		editor = opts.getenv("EDITOR")
	}
	args := strings.Fields(editor)
	if len(args) == 0 {
		args = []string{"vi"}
	}
	f, err := os.CreateTemp("", "gorails-credentials-*.yml")
	if err != nil {
		return nil, fmt.Errorf("secrets: temporary file: %w", err)
	}
	path := f.Name()
	defer os.Remove(path)
	_, werr := f.Write(plain)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("secrets: temporary file: %w", werr)
	}
	cmd := exec.Command(args[0], append(args[1:], path)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = orStdin(opts.Stdin), orOut(opts.Stdout, os.Stdout), orOut(opts.Stderr, os.Stderr)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("secrets: editor %q failed; the credentials were not changed: %w", args[0], err)
	}
	edited, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: read edited credentials: %w", err)
	}
	return edited, nil
}

func orStdin(r io.Reader) io.Reader {
	if r == nil {
		return os.Stdin
	}
	return r
}

func orOut(w, def io.Writer) io.Writer {
	if w == nil {
		return def
	}
	return w
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".credentials-*")
	if err != nil {
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("secrets: write %s: %w", filepath.Base(path), err)
	}
	return nil
}
