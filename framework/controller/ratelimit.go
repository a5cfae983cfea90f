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
// rate_limit: at most to requests within the window for each key (the
// client's address, or by(r) when by is given), counted from the first. A
// request over the limit is answered 429 Too Many Requests with a
// Retry-After header and the chain halts. Only, Except, If and Unless pick
// the actions, as for Before.
//
// The limiter is built once, at declaration, with an in-memory store: with
// several worker processes each counts its own requests. A store that fails
// lets requests through (and is logged), as in Rails.
func (c *Chain[T]) RateLimit(to int, within time.Duration, by func(*http.Request) string, opts ...Option) {
	l, err := security.RateLimit(to, within, by, security.WithName(reflect.TypeFor[T]().String()))
	if err != nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: rate limit: %v", reflect.TypeFor[T](), err))
		return
	}
	fn := func(ctrl *T) error {
		eb, ok := any(ctrl).(embedsBase)
		if !ok {
			return nil
		}
		b := eb.base()
		d, err := l.Check(b.req.HTTP())
		if err != nil {
			b.env.Logger.Error("rate limit", "error", err.Error())
			return nil
		}
		if d.Allowed {
			return nil
		}
		b.w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.RetryAfter().Seconds()))))
		return b.Text(http.StatusTooManyRequests, "Too many requests. Try again later.\n")
	}
	c.add(kindBefore, fn, opts, func(p unsafe.Pointer) error { return fn((*T)(p)) }, nil)
}
