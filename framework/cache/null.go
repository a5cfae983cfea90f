package cache

import (
	"context"
	"time"
)

// Null is a Store that keeps nothing (Rails' NullStore): every read
// misses, every write succeeds and is forgotten, as if each entry expired
// at once; a counter is always just its delta. Fetch then always
// computes: the default in tests, so that tests never see each other's
// entries. The zero value is ready; safe for concurrent use.
type Null struct{}

var (
	_ Store   = Null{}
	_ Matcher = Null{}
)

// Get implements Store: always a miss.
func (Null) Get(context.Context, string) ([]byte, bool, error) { return nil, false, nil }

// GetMulti implements Store: all misses.
func (Null) GetMulti(_ context.Context, keys []string) ([][]byte, error) {
	return make([][]byte, len(keys)), nil
}

// Set implements Store: forgotten.
func (Null) Set(context.Context, string, []byte, time.Time) error { return nil }

// SetMulti implements Store: forgotten.
func (Null) SetMulti(context.Context, []Item) error { return nil }

// Add implements Store: nothing exists, so the write "happens".
func (Null) Add(context.Context, string, []byte, time.Time) (bool, error) { return true, nil }

// Delete implements Store: nothing existed.
func (Null) Delete(context.Context, ...string) (int, error) { return 0, nil }

// Increment implements Store: a fresh counter each time.
func (Null) Increment(_ context.Context, _ string, delta int64, expires time.Time) (int64, time.Time, error) {
	return delta, expires, nil
}

// Clear implements Store.
func (Null) Clear(context.Context) error { return nil }

// DeleteMatched implements Matcher: nothing matched (a bad pattern still
// fails, as on every store).
func (Null) DeleteMatched(_ context.Context, pattern string) (int, error) {
	return 0, ValidatePattern(pattern)
}
