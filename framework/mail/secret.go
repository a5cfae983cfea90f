package mail

import "log/slog"

// Secret is a string that never prints: fmt, slog and encoding/json show
// [FILTERED]. Passwords in configuration are Secrets, so a logged or
// printed Config cannot leak them. Convert with string(s) where the value
// is really needed.
type Secret string

const filtered = "[FILTERED]"

// String returns [FILTERED] (empty when the secret is empty).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return filtered
}

// GoString returns [FILTERED] for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue returns [FILTERED] for slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes "[FILTERED]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText writes [FILTERED] (YAML and other text encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
