package cache

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotInteger: Increment or Decrement of a value that is not a
	// counter (a decimal integer).
	ErrNotInteger = errors.New("cache: value is not an integer")

	// ErrOverflow: Increment or Decrement past the range of int64.
	ErrOverflow = errors.New("cache: increment or decrement would overflow")

	// ErrNotSupported: the store cannot do this (DeleteMatched on a
	// database store, Cleanup on Redis).
	ErrNotSupported = errors.New("cache: not supported by this store")

	// ErrInvalidKey: an empty key.
	ErrInvalidKey = errors.New("cache: invalid key")

	// ErrInvalidOptions: Options that contradict themselves or are out of
	// range (ExpiresIn and ExpiresAt together, a negative duration).
	ErrInvalidOptions = errors.New("cache: invalid options")

	// ErrBadPattern: a DeleteMatched pattern that is not a valid glob.
	ErrBadPattern = errors.New("cache: bad pattern")

	// ErrTooLarge: a value larger than the store can hold (a Memory store's
	// MaxBytes).
	ErrTooLarge = errors.New("cache: value too large for the store")

	// ErrCorruptEntry: stored bytes that are not a valid entry.
	ErrCorruptEntry = errors.New("cache: corrupt entry")

	// ErrWrongType: an entry that cannot be read as the requested type
	// (a string read as a struct, a struct as an int).
	ErrWrongType = errors.New("cache: entry is not of the requested type")
)

// Error is a failure of the store, or of decoding what it returned, for
// one operation. Reads treat it as a miss: Fetch computes the value anyway.
// Every Error is passed to Config.OnError; the functions that return an
// error also return it.
type Error struct {
	Op  string // "read", "write", "delete", "increment", "decode", ...
	Key string // the key as the caller gave it ("" for Clear)
	Err error
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("cache: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("cache: %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
