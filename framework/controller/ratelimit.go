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
	o := applyOptions(opts)
	answer := o.with
	o.with = nil
	var answerOff uintptr
	if answer != nil {
		lay, err := newLayout(reflect.TypeFor[T]())
		if err == nil {
			answerOff, err = lay.offsetOf(answer.owner)
		}
		if err != nil {
			c.rec.errs = append(c.rec.errs, errorf("%s: rate limit: With: %v", reflect.TypeFor[T](), err))
			return
		}
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
		if answer != nil {
			if err := answer.fn(unsafe.Add(unsafe.Pointer(ctrl), answerOff), d.RetryAfter()); err != nil || b.performed {
				return err
			}
		}
		return b.TooManyRequests(d.RetryAfter())
	}
	c.addApplied(kindBefore, fn, o, func(p unsafe.Pointer) error { return fn((*T)(p)) }, nil)
}

// TooManyRequests answers 429 Too Many Requests with a Retry-After header
// of retryAfter (whole seconds, at least 1): {"error": "Too many requests.
// Try again later."} for a JSON request, that sentence as text otherwise.
// It is RateLimit's default answer, for a With answer to fall back on.
func (b *Base) TooManyRequests(retryAfter time.Duration) error {
	b.w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retryAfter.Seconds())))))
	const msg = "Too many requests. Try again later."
	if b.format() == "json" {
		return b.JSON(http.StatusTooManyRequests, map[string]string{"error": msg})
	}
	return b.Text(http.StatusTooManyRequests, msg+"\n")
}
