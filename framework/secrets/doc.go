// Package secrets owns the application's secret_key_base: where it comes
// from, how keys for each purpose are derived from it, and the encrypted
// credentials file that can hold it.
//
// The secret is read, in order, from the SECRET_KEY_BASE environment
// variable, then from the secret_key_base entry of config/credentials.yml.enc
// (decrypted with config/master.key or GORAILS_MASTER_KEY, AES-256-GCM).
// In development and test, when neither is set, a random secret is generated
// once and kept in tmp/development_secret.txt (mode 0600), so restarts keep
// cookies valid. In production a missing or short secret is an error that
// says exactly what to set: there is never a hard-coded fallback.
//
// Keys are never the secret itself: [Secrets.Key] derives a key per purpose
// with HKDF-SHA256 (salt per purpose), and [Secrets.OldKeys] derives the same
// purpose from each retired secret so that data written before a rotation
// can still be read.
//
// The package also provides what the CLI needs for `gorails credentials:edit`
// ([Edit]) and `gorails credentials:show` ([Show]).
//
// Imports: the standard library and gopkg.in/yaml.v3 only; nothing of
// controller, view, record or any other gorails web package.
package secrets
