package controller

import (
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/gorails/gorails/framework/security"
)

// RateLimit limits how often the chain's actions run, like Rails 8's
// rate_limit: at most to requests within the window for each client,
// counted from the first. The client is by(r) when by is given, else its IP
// address as resolved through the app's trusted proxies (Env.ClientIP). A
// request over the limit is answered 429 Too Many Requests with a
// Retry-After header and the chain halts. Only, Except, If and Unless pick
// the actions, as for Before.
//
// The requests are counted in Env.RateStore, which the framework sets to
// the app's cache: with the database or Redis store a limit holds across
// worker processes, restarts and machines (Rails' store: cache_store).
// Without one, each process counts its own. A store that fails lets
// requests through (and is logged), as in Rails.
func (c *Chain[T]) RateLimit(to int, within time.Duration, by func(*http.Request) string, opts ...Option) {
	l, err := security.RateLimit(to, within, by, security.WithName(reflect.TypeFor[T]().String()))
	if err != nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: rate limit: %v", reflect.TypeFor[T](), err))
		return
	}
	own := security.NewMemoryStore() // when the Env has no store
	fn := func(ctrl *T) error {
		eb, ok := any(ctrl).(embedsBase)
		if !ok {
			return nil
		}
		b := eb.base()
		r := b.req.HTTP()
		store := b.env.RateStore
		if store == nil {
			store = own
		}
		var key string
		switch {
		case by != nil:
			key = by(r)
		case b.env.ClientIP != nil:
			key = b.env.ClientIP(r)
		default:
			key = (*security.Proxies)(nil).ClientIP(r).String()
		}
		d, err := l.Count(r.Context(), store, key)
		if err != nil {
			b.env.Logger.Error("rate limit: store failed; request allowed", "error", err.Error())
			return nil
		}
		if d.Allowed {
			return nil
		}
		b.w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.RetryAfter().Seconds())))))
		return b.Text(http.StatusTooManyRequests, "Too many requests. Try again later.\n")
	}
	c.add(kindBefore, fn, opts, func(p unsafe.Pointer) error { return fn((*T)(p)) }, nil)
}
