// Package job is gorails' ActiveJob: typed jobs with JSON arguments,
// PerformLater/PerformAt/PerformNow, and backends (inline, async, the app's
// own database, Redis) behind one interface, with a supervised worker,
// retries with backoff, scheduling and crash recovery.
//
// It owns the job API, the backends and the worker. It may import record
// (for the database backend) but nothing of the web stack.
//
// Status: not built yet; see issue "Jobs" in the tracker.
package job
