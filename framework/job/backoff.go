package job

import (
	"math/rand/v2"
	"time"
)

// DefaultBackoff is the delay before retry number attempt (1 after the
// first failure): attempt^4 seconds plus a random jitter of up to 10% of
// that plus one second, as River and Sidekiq do. 25 attempts span about
// three weeks.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	base := time.Duration(attempt*attempt*attempt*attempt) * time.Second
	jitter := time.Duration(rand.Int64N(int64(base/10 + time.Second)))
	return base + jitter
}
