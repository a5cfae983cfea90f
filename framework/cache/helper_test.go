package cache_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

var ctx = context.Background()

// newCache returns a Cache whose OnError failures are collected in the
// returned *reports (and fail the test unless it looks at them).
func newCache(t *testing.T, cfg cache.Config) (*cache.Cache, *reports) {
	t.Helper()
	r := &reports{}
	cfg.OnError = r.add
	c, err := cache.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, r
}

// reports collects what a Cache passed to OnError.
type reports struct {
	mu   sync.Mutex
	errs []*cache.Error
}

func (r *reports) add(_ context.Context, err *cache.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

// ops returns the Op of every report, in order, and forgets them.
func (r *reports) ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []string
	for _, e := range r.errs {
		ops = append(ops, e.Op)
	}
	r.errs = nil
	return ops
}

func (r *reports) none(t *testing.T) {
	t.Helper()
	if ops := r.ops(); len(ops) > 0 {
		t.Fatalf("OnError got failures of %v; want none", ops)
	}
}

var errDown = errors.New("store is down")

// downStore fails every call, as a store whose server is gone.
type downStore struct{}

func (downStore) Get(context.Context, string) ([]byte, bool, error)            { return nil, false, errDown }
func (downStore) GetMulti(context.Context, []string) ([][]byte, error)         { return nil, errDown }
func (downStore) Set(context.Context, string, []byte, time.Time) error         { return errDown }
func (downStore) SetMulti(context.Context, []cache.Item) error                 { return errDown }
func (downStore) Delete(context.Context, ...string) (int, error)               { return 0, errDown }
func (downStore) Clear(context.Context) error                                  { return errDown }
func (downStore) Add(context.Context, string, []byte, time.Time) (bool, error) { return false, errDown }
func (downStore) Increment(context.Context, string, int64, time.Time) (int64, time.Time, error) {
	return 0, time.Time{}, errDown
}

// mustNotCompute is a compute function that fails the test when called.
func mustNotCompute[T any](t *testing.T) func() (T, error) {
	return func() (T, error) {
		t.Helper()
		t.Error("computed; want a hit")
		var zero T
		return zero, nil
	}
}

func value[T any](v T) func() (T, error) { return func() (T, error) { return v, nil } }
