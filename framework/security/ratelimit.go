package security

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateStore counts requests per key in fixed windows. Implementations (in
// memory, cache, Redis) must be safe for concurrent use.
type RateStore interface {
	// Increment counts one request for key and returns the count in the
	// current window and when that window ends. A window starts at the
	// first request after the previous one ended and lasts within.
	Increment(ctx context.Context, key string, within time.Duration) (count int, reset time.Time, err error)
}

// MemoryStore is a RateStore in process memory: fine for one process,
// per-process otherwise. Safe for concurrent use; expired windows are
// swept as it is used.
type MemoryStore struct {
	mu      sync.Mutex
	windows map[string]rateWindow
	ops     int
}

type rateWindow struct {
	count int
	reset time.Time
}

var _ RateStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{windows: map[string]rateWindow{}} }

// Increment implements RateStore. It never fails.
func (s *MemoryStore) Increment(_ context.Context, key string, within time.Duration) (int, time.Time, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops++; s.ops >= 1024 {
		s.ops = 0
		for k, w := range s.windows {
			if !now.Before(w.reset) {
				delete(s.windows, k)
			}
		}
	}
	w := s.windows[key]
	if !now.Before(w.reset) {
		w = rateWindow{reset: now.Add(within)}
	}
	w.count++
	s.windows[key] = w
	return w.count, w.reset, nil
}

// Decision is the outcome of one rate-limit check.
type Decision struct {
	Allowed bool
	Count   int       // requests counted in the window, this one included
	Limit   int       // the "to" of RateLimit
	Reset   time.Time // when the window ends
}

// RetryAfter is how long a refused client should wait.
func (d Decision) RetryAfter() time.Duration { return max(time.Until(d.Reset), 0) }

// LimitOption configures a [Limiter].
type LimitOption func(*Limiter)

// WithStore counts in s instead of a new MemoryStore.
func WithStore(s RateStore) LimitOption { return func(l *Limiter) { l.store = s } }

// WithName separates this limiter's counters from others sharing a store
// (Rails' name:); default "default".
func WithName(name string) LimitOption { return func(l *Limiter) { l.name = name } }

// WithRefusal answers refused requests instead of the default 429.
func WithRefusal(h func(w http.ResponseWriter, r *http.Request, d Decision)) LimitOption {
	return func(l *Limiter) { l.refuse = h }
}

// WithLogger receives store failures; default slog.Default().
func WithLogger(lg *slog.Logger) LimitOption { return func(l *Limiter) { l.logger = lg } }

// ErrInvalidLimit is returned by [RateLimit] for a limit below 1 or a
// window that is not positive.
var ErrInvalidLimit = errors.New("security: invalid rate limit")

// Limiter allows at most To requests per key within a window. Immutable
// after RateLimit; safe for concurrent use.
type Limiter struct {
	to     int
	within time.Duration
	by     func(*http.Request) string
	store  RateStore
	name   string
	refuse func(http.ResponseWriter, *http.Request, Decision)
	logger *slog.Logger
}

// RateLimit returns a limiter of to requests within a window per key (Rails'
// rate_limit to:, within:, by:). by nil means the peer's IP address (wrap
// Proxies.ClientIP to honour trusted proxies). Requests whose key is "" are
// not limited.
func RateLimit(to int, within time.Duration, by func(*http.Request) string, opts ...LimitOption) (*Limiter, error) {
	if to < 1 || within <= 0 {
		return nil, fmt.Errorf("%w: to=%d within=%v", ErrInvalidLimit, to, within)
	}
	l := &Limiter{to: to, within: within, by: by, name: "default"}
	for _, o := range opts {
		o(l)
	}
	if l.by == nil {
		l.by = func(r *http.Request) string { return peer(r).String() }
	}
	if l.store == nil {
		l.store = NewMemoryStore()
	}
	return l, nil
}

// Check counts r and decides. The controller's rate_limit callback calls
// it; an error means the store failed (the decision then allows).
func (l *Limiter) Check(r *http.Request) (Decision, error) {
	return l.Count(r.Context(), l.store, l.by(r))
}

// Count counts one request of the client key in store (instead of the
// limiter's own) and decides: for callers that choose the store and the
// key per request, as the controller's RateLimit does with the app's
// cache. An empty key is not limited.
func (l *Limiter) Count(ctx context.Context, store RateStore, key string) (Decision, error) {
	if key == "" {
		return Decision{Allowed: true, Limit: l.to}, nil
	}
	n, reset, err := store.Increment(ctx, "rate-limit:"+l.name+":"+key, l.within)
	if err != nil {
		return Decision{Allowed: true, Limit: l.to}, fmt.Errorf("security: rate limit store: %w", err)
	}
	return Decision{Allowed: n <= l.to, Count: n, Limit: l.to, Reset: reset}, nil
}

// Handler is the middleware: refused requests get 429 Too Many Requests
// with Retry-After (or the WithRefusal answer). When the store fails the
// request is let through and the failure logged, so that an outage of the
// store does not take the site down.
func (l *Limiter) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := l.Check(r)
		if err != nil {
			lg := l.logger
			if lg == nil {
				lg = slog.Default()
			}
			lg.Error("rate limit: store failed; request allowed", "error", err, "path", r.URL.Path)
		}
		if d.Allowed {
			next.ServeHTTP(w, r)
			return
		}
		if l.refuse != nil {
			l.refuse(w, r, d)
			return
		}
		secs := int64((d.RetryAfter() + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
		http.Error(w, "429 Too Many Requests", http.StatusTooManyRequests)
	})
}
