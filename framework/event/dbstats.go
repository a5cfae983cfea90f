package event

import (
	"sync/atomic"
	"time"
)

// DBStats counts the database statements run for a request (record's
// Stats: the request log prints "Record: 0.6ms (3 queries)"). Its zero
// value is ready; safe for concurrent use.
type DBStats struct {
	queries atomic.Int64
	nanos   atomic.Int64
}

// Count adds one statement that took d.
func (s *DBStats) Count(d time.Duration) {
	s.queries.Add(1)
	s.nanos.Add(int64(d))
}

// Queries is the number of statements run.
func (s *DBStats) Queries() int64 { return s.queries.Load() }

// Duration is the total time spent in the database.
func (s *DBStats) Duration() time.Duration { return time.Duration(s.nanos.Load()) }

// ClaimDBStats returns the scope's own statement counters to the first
// caller (record.WithRequestStats, once per request), so that they cost
// no allocation of their own; nil to any later caller and on a nil scope.
// Like Set, it is for the moment before the next handler runs.
func (s *RequestScope) ClaimDBStats() *DBStats {
	if s == nil || s.dbUsed {
		return nil
	}
	s.dbUsed = true
	return &s.db
}
