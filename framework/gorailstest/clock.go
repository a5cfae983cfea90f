package gorailstest

import (
	"sync"
	"time"
)

// clock is the App's clock under test: the real one moved by an offset,
// or frozen at a time.
type clock struct {
	base func() time.Time

	mu     sync.Mutex
	offset time.Duration
	frozen time.Time
}

func newClock(base func() time.Time) *clock {
	if base == nil {
		base = time.Now
	}
	return &clock{base: base}
}

// Now is the app's time: frozen, or the real time plus the offset.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return c.base().Add(c.offset)
}

func (c *clock) set(offset time.Duration, frozen time.Time) (time.Duration, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prevOff, prevFrozen := c.offset, c.frozen
	c.offset, c.frozen = offset, frozen
	return prevOff, prevFrozen
}
