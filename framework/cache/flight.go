package cache

import "sync"

// flight runs one computation per key at a time in a process (a
// singleflight group). Unlike x/sync/singleflight, a caller can see that a
// computation is running without waiting for it (to serve a stale value
// instead), and waiters get the encoded entry, so that each decodes a value
// of its own rather than sharing the leader's.
type flight struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done chan struct{}

	// Set by the leader before done is closed.
	entry     []byte // the encoded entry; nil when err != nil
	err       error
	cancelled bool // err came from the leader's own context ending
}

// join returns the running call for key, or starts one that the caller
// leads and must finish.
func (f *flight) join(key string) (c *call, leader bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c, false
	}
	if f.calls == nil {
		f.calls = map[string]*call{}
	}
	c = &call{done: make(chan struct{})}
	f.calls[key] = c
	return c, true
}

// finish publishes the leader's result and lets the next caller lead.
func (f *flight) finish(key string, c *call) {
	f.mu.Lock()
	delete(f.calls, key)
	f.mu.Unlock()
	close(c.done)
}
