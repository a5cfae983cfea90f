package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrBadPayload: a stored job's payload (its Redis entry, its arguments or
// its meta) does not decode. The worker fails that job at once, keeping
// it in the dead set with the reason, and goes on with the others:
// retrying cannot help a payload that does not decode.
var ErrBadPayload = errors.New("job: stored payload does not decode")

// Limits on what a stored job may carry in meta: it holds a request id and
// a trace context, not data.
const (
	maxMetaBytes   = 16 << 10
	maxMetaEntries = 64
)

// decodeMeta decodes the Database backend's meta column: "" (or "null")
// is no meta; anything but a small JSON object of strings is ErrBadPayload.
func decodeMeta(s string) (map[string]string, error) {
	if s == "" || s == "null" {
		return nil, nil
	}
	if len(s) > maxMetaBytes {
		return nil, fmt.Errorf("%w: meta is %d bytes, over %d", ErrBadPayload, len(s), maxMetaBytes)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrBadPayload, err)
	}
	if err := checkMeta(m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkMeta bounds a decoded meta map.
func checkMeta(m map[string]string) error {
	if len(m) > maxMetaEntries {
		return fmt.Errorf("%w: meta has %d entries, over %d", ErrBadPayload, len(m), maxMetaEntries)
	}
	for k := range m {
		if k == "" || !utf8.ValidString(k) {
			return fmt.Errorf("%w: meta has an empty or invalid key", ErrBadPayload)
		}
	}
	return nil
}

// decodeRedisPayload decodes a job as the Redis backend stores it. A
// payload that does not decode, or decodes to no runnable job, returns a
// Record holding what could be read and the error (ErrBadPayload): the
// worker fails that job with the error instead of running it.
func decodeRedisPayload(v string) (*Record, error) {
	r := &Record{}
	if err := json.Unmarshal([]byte(v), r); err != nil {
		return &Record{Kind: "", MaxAttempts: 1}, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	switch {
	case r.Kind == "":
		return r, fmt.Errorf("%w: no kind", ErrBadPayload)
	case r.Attempt < 0 || r.Attempt > 1<<20 || r.MaxAttempts < 0 || r.MaxAttempts > 1<<20:
		return r, fmt.Errorf("%w: attempt %d of %d out of range", ErrBadPayload, r.Attempt, r.MaxAttempts)
	case r.Timeout < 0:
		return r, fmt.Errorf("%w: negative timeout", ErrBadPayload)
	}
	if len(r.Args) > 0 && !json.Valid(r.Args) {
		return r, fmt.Errorf("%w: arguments are not JSON", ErrBadPayload)
	}
	if err := checkMeta(r.Meta); err != nil {
		return r, err
	}
	return r, nil
}

// decodeArgs decodes a job's stored arguments into A.
func decodeArgs[A any](kind string, raw json.RawMessage) (A, error) {
	var args A
	if err := json.Unmarshal(raw, &args); err != nil {
		return args, fmt.Errorf("%w: job %s: arguments: %w", ErrBadPayload, kind, err)
	}
	return args, nil
}
