package server

import (
	"context"
	"sync/atomic"
)

// Status is what a worker reports to the master every check interval; the
// fields and their JSON names are Puma's.
type Status struct {
	// Backlog is the number of buffered requests waiting for a free slot.
	Backlog int64 `json:"backlog"`
	// Running is the number of requests running application code now.
	Running int64 `json:"running"`
	// PoolCapacity is the number of free slots (MaxThreads - Running).
	PoolCapacity int64 `json:"pool_capacity"`
	// MaxThreads is the number of slots.
	MaxThreads int64 `json:"max_threads"`
	// RequestsCount is the number of requests the application has served.
	RequestsCount int64 `json:"requests_count"`
}

// pool is the handler pool: at most cap(slots) requests run application
// code at once. It is safe for concurrent use.
type pool struct {
	slots    chan struct{}
	waiting  atomic.Int64
	running  atomic.Int64
	requests atomic.Int64
}

func newPool(n int) *pool { return &pool{slots: make(chan struct{}, n)} }

// acquire takes a slot, waiting in the backlog while none is free. It
// returns ctx's error if ctx ends first (the client went away).
func (p *pool) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
	default:
		p.waiting.Add(1)
		defer p.waiting.Add(-1)
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.running.Add(1)
	return nil
}

// release gives back a slot taken by acquire.
func (p *pool) release() {
	p.running.Add(-1)
	p.requests.Add(1)
	<-p.slots
}

// status reports the pool's counters; they are read one at a time, so
// they may be mutually off by a request or two.
func (p *pool) status() Status {
	max := int64(cap(p.slots))
	running := p.running.Load()
	return Status{
		Backlog:       p.waiting.Load(),
		Running:       running,
		PoolCapacity:  max - running,
		MaxThreads:    max,
		RequestsCount: p.requests.Load(),
	}
}
