package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorails/gorails/framework/record"
)

// DatabaseBackend keeps jobs in the app's own database (Solid Queue's idea:
// a fresh app needs no Redis), in the table Migration creates.
//
// PerformLaterTx writes the job in the caller's record transaction: it
// exists only if that transaction commits. PostgreSQL and MySQL
// 8/MariaDB 10.6+ claim with FOR UPDATE SKIP LOCKED, so many workers in
// many processes never block on or share a job; SQLite claims with one
// UPDATE ... RETURNING statement (one writer at a time). A claimed job is
// leased; see Store. Its statements go through record, so they are logged
// (polling ones only when they fail) and their errors are record's.
// Safe for concurrent use.
type DatabaseBackend struct {
	db    *record.DB
	mysql bool
	// meta is whether the table has the meta column (metaUnknown until
	// the catalog was read): a table created before it existed works
	// without it until MetaMigration is applied.
	meta atomic.Int32
}

// The states of DatabaseBackend.meta.
const (
	metaUnknown int32 = iota
	metaPresent
	metaAbsent
)

var (
	_ Store     = (*DatabaseBackend)(nil)
	_ TxBackend = (*DatabaseBackend)(nil)
)

// Database returns a backend storing jobs in db (whose schema must have
// Migration applied).
func Database(db *record.DB) *DatabaseBackend {
	return &DatabaseBackend{db: db, mysql: db.Adapter() == record.MySQL}
}

// DB returns the backend's database.
func (b *DatabaseBackend) DB() *record.DB { return b.db }

// ErrNoTable: the Database backend's table does not exist (Migration was
// not applied).
var ErrNoTable = errors.New("job: the " + Table + " table does not exist")

// Check returns ErrNoTable when the backend's table does not exist yet, so
// that a missing migration is one clear error rather than a failed claim on
// every poll. It asks the database's catalog (record.Tables, as migrations
// do), so a missing table logs no failed statement.
func (b *DatabaseBackend) Check(ctx context.Context) error {
	tables, err := record.Tables(ctx, b.db)
	if err != nil {
		return fmt.Errorf("job: look for the %s table: %w", Table, err)
	}
	if !slices.Contains(tables, Table) {
		return ErrNoTable
	}
	return nil
}

const jobColumns = "id, kind, queue, args, priority, attempt, max_attempts, timeout_ms, run_at, created_at, " +
	"COALESCE(unique_key, ''), COALESCE(unique_until, 0), COALESCE(last_error, '')"

// hasMeta reports whether the table has the meta column, reading the
// catalog once per backend (again after a failure, or while the table does
// not exist). A process started before MetaMigration ran keeps working
// without meta until it restarts.
func (b *DatabaseBackend) hasMeta(ctx context.Context) bool {
	switch b.meta.Load() {
	case metaPresent:
		return true
	case metaAbsent:
		return false
	}
	cols, err := record.TableColumns(record.Silence(ctx), b.db, Table)
	if err != nil || len(cols) == 0 {
		return false
	}
	state := metaAbsent
	for _, c := range cols {
		if strings.EqualFold(c.Name, "meta") {
			state = metaPresent
		}
	}
	b.meta.Store(state)
	return state == metaPresent
}

// schemaWarning is what a worker logs at start about the table: a table
// created before the meta column works, but jobs lose the request id.
func (b *DatabaseBackend) schemaWarning(ctx context.Context) string {
	if b.hasMeta(ctx) || b.meta.Load() != metaAbsent {
		return ""
	}
	return "the " + Table + " table has no meta column, so jobs run without the request id (and trace context) of the request that enqueued them: add db/migrate/" +
		MetaMigrationFile + " returning job.MetaMigration() and run db:migrate"
}

// columns is what scanJobs reads: jobColumns, then meta (empty without the column).
func (b *DatabaseBackend) columns(ctx context.Context) string {
	if b.hasMeta(ctx) {
		return jobColumns + ", COALESCE(meta, '')"
	}
	return jobColumns + ", ''"
}

func (b *DatabaseBackend) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	res, err := b.db.Exec(ctx, sql, args...)
	return res.RowsAffected, err
}

// deadlockAttempts bounds how often retryDeadlock runs its statement.
const deadlockAttempts = 5

// retryDeadlock runs fn, a claim or one of the rescue's statements, again
// at once when it deadlocked (record.ErrDeadlockDetected: MySQL's 1213,
// PostgreSQL's 40P01; not a lock timeout or SQLite's busy database, which
// waited already). A rescue scans the running jobs while claims lock
// the ones they take, so on MariaDB (next-key locks) and PostgreSQL the
// two can deadlock, and either side may be the victim. fn runs up to
// deadlockAttempts times, after a jitter of 1 to 10ms so that the two
// sides do not meet again; the retried failures are logged at debug level
// (record.RetryingDeadlock), only the last is a warning and an error for
// the caller. fn must be idempotent or a transaction of its own.
func retryDeadlock(ctx context.Context, fn func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		actx := ctx
		if attempt < deadlockAttempts {
			actx = record.RetryingDeadlock(ctx)
		}
		err := fn(actx)
		if err == nil || attempt == deadlockAttempts || !errors.Is(err, record.ErrDeadlockDetected) {
			return err
		}
		t := time.NewTimer(time.Millisecond + rand.N(9*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// execRetrying is exec under retryDeadlock.
func (b *DatabaseBackend) execRetrying(ctx context.Context, sql string, args ...any) (n int64, err error) {
	err = retryDeadlock(ctx, func(ctx context.Context) error {
		n, err = b.exec(ctx, sql, args...)
		return err
	})
	return n, err
}

// Enqueue inserts r.
func (b *DatabaseBackend) Enqueue(ctx context.Context, r *Record) error {
	return b.insert(ctx, b.db, r)
}

// EnqueueTx inserts r in tx, which must be on the backend's database
// (ErrNoTransaction otherwise).
func (b *DatabaseBackend) EnqueueTx(ctx context.Context, tx *record.Tx, r *Record) error {
	if tx == nil || tx.DB() != b.db {
		return fmt.Errorf("%w: the transaction is on another database", ErrNoTransaction)
	}
	return b.insert(ctx, tx, r)
}

func (b *DatabaseBackend) insert(ctx context.Context, ex record.Executor, r *Record) error {
	var key, until any
	if r.UniqueKey != "" {
		key = r.UniqueKey
		if !r.UniqueUntil.IsZero() {
			until = micros(r.UniqueUntil)
		}
		// Release the key if its holder no longer holds it: its period is
		// over and, for a while-active key ("a..."), it finished.
		release := "UPDATE " + Table + " SET unique_key = NULL WHERE unique_key = ? AND COALESCE(unique_until, 0) <= ? AND (state IN ('completed', 'dead') OR unique_key NOT LIKE 'a%')"
		if _, err := ex.Exec(ctx, release, r.UniqueKey, micros(r.CreatedAt)); err != nil {
			return err
		}
	}
	cols := "(kind, queue, args, priority, state, attempt, max_attempts, timeout_ms, run_at, created_at, unique_key, unique_until) VALUES (?, ?, ?, ?, 'available', 0, ?, ?, ?, ?, ?, ?)"
	args := []any{r.Kind, r.Queue, string(r.Args), r.Priority, r.MaxAttempts, r.Timeout.Milliseconds(), micros(r.RunAt), micros(r.CreatedAt), key, until}
	if len(r.Meta) > 0 && b.hasMeta(ctx) {
		meta, err := json.Marshal(r.Meta)
		if err != nil {
			return fmt.Errorf("encode meta: %w", err)
		}
		cols = "(kind, queue, args, priority, state, attempt, max_attempts, timeout_ms, run_at, created_at, unique_key, unique_until, meta) VALUES (?, ?, ?, ?, 'available', 0, ?, ?, ?, ?, ?, ?, ?)"
		args = append(args, string(meta))
	}
	if b.mysql {
		res, err := ex.Exec(ctx, "INSERT IGNORE INTO "+Table+" "+cols, args...)
		if err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return ErrDuplicate
		}
		r.ID = res.LastInsertID
		return nil
	}
	found := false
	err := ex.QueryRows(ctx, "INSERT INTO "+Table+" "+cols+" ON CONFLICT DO NOTHING RETURNING id", args, func(scan func(...any) error) error {
		found = true
		return scan(&r.ID)
	})
	if err == nil && !found {
		err = ErrDuplicate
	}
	return err
}

// Claim leases up to limit due jobs of queue to worker.
func (b *DatabaseBackend) Claim(ctx context.Context, worker, queue string, limit int, now, leaseUntil time.Time) ([]*Record, error) {
	ctx = record.Silence(ctx) // polling: kept out of the debug log, as Solid Queue's silence_polling
	pick := "SELECT id FROM " + Table + " WHERE queue = ? AND state = 'available' AND run_at <= ? ORDER BY priority, run_at, id LIMIT ?"
	if b.mysql {
		return b.claimMySQL(ctx, worker, queue, limit, now, leaseUntil)
	}
	if b.db.Adapter() == record.PostgreSQL {
		pick += " FOR UPDATE SKIP LOCKED"
	}
	sql := "UPDATE " + Table + " SET state = 'running', attempt = attempt + 1, worker = ?, lease_until = ? WHERE id IN (" + pick + ") RETURNING " + b.columns(ctx)
	var out []*Record
	err := retryDeadlock(ctx, func(ctx context.Context) (err error) {
		out, err = scanJobs(ctx, b.db, sql, worker, micros(leaseUntil), queue, micros(now), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	for _, r := range out {
		r.Worker = worker
	}
	slices.SortFunc(out, func(x, y *Record) int {
		if x.Priority != y.Priority {
			return x.Priority - y.Priority
		}
		if c := x.RunAt.Compare(y.RunAt); c != 0 {
			return c
		}
		return int(x.ID - y.ID)
	})
	return out, nil
}

func (b *DatabaseBackend) claimMySQL(ctx context.Context, worker, queue string, limit int, now, leaseUntil time.Time) ([]*Record, error) {
	var out []*Record
	err := retryDeadlock(ctx, func(ctx context.Context) error {
		return record.Transaction(ctx, b.db, func(tx *record.Tx) error {
			var err error
			out, err = scanJobs(ctx, tx, "SELECT "+b.columns(ctx)+" FROM "+Table+" WHERE queue = ? AND state = 'available' AND run_at <= ? ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
				queue, micros(now), limit)
			if err != nil || len(out) == 0 {
				return err
			}
			args := []any{worker, micros(leaseUntil)}
			for _, r := range out {
				args = append(args, r.ID)
			}
			marks := strings.Repeat(", ?", len(out))[2:]
			_, err = tx.Exec(ctx, "UPDATE "+Table+" SET state = 'running', attempt = attempt + 1, worker = ?, lease_until = ? WHERE id IN ("+marks+")", args...)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	for _, r := range out {
		r.Attempt++
		r.Worker = worker
	}
	return out, nil
}

// scanJobs runs a query returning the backend's columns and reads the
// jobs. A row whose payload does not decode is returned with the error
// kept on the Record, so that the worker fails that job (ErrBadPayload)
// and goes on with the others.
func scanJobs(ctx context.Context, ex record.Executor, sql string, args ...any) ([]*Record, error) {
	var out []*Record
	err := ex.QueryRows(ctx, sql, args, func(scan func(...any) error) error {
		var (
			r                         Record
			args, meta                string
			timeoutMS, runAt, created int64
			uniqueUntil               int64
		)
		if err := scan(&r.ID, &r.Kind, &r.Queue, &args, &r.Priority, &r.Attempt, &r.MaxAttempts, &timeoutMS,
			&runAt, &created, &r.UniqueKey, &uniqueUntil, &r.LastError, &meta); err != nil {
			return err
		}
		r.Args = json.RawMessage(args)
		r.Timeout = time.Duration(timeoutMS) * time.Millisecond
		r.RunAt, r.CreatedAt, r.UniqueUntil = fromMicros(runAt), fromMicros(created), fromMicros(uniqueUntil)
		r.State = Running
		r.Meta, r.bad = decodeMeta(meta)
		out = append(out, &r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const owned = " WHERE id = ? AND worker = ? AND state = 'running'"

// Complete deletes the job, or keeps it as completed while UniqueFor lasts.
func (b *DatabaseBackend) Complete(ctx context.Context, r *Record, now time.Time) error {
	var err error
	if r.UniqueKey != "" && r.UniqueUntil.After(now) {
		_, err = b.exec(ctx, "UPDATE "+Table+" SET state = 'completed', worker = NULL, lease_until = NULL"+owned, r.ID, r.Worker)
	} else {
		_, err = b.exec(ctx, "DELETE FROM "+Table+owned, r.ID, r.Worker)
	}
	if err != nil {
		return fmt.Errorf("complete %d: %w", r.ID, err)
	}
	return nil
}

// CompleteMany completes rs (claimed by one worker) in one statement,
// except those kept for a UniqueFor period.
func (b *DatabaseBackend) CompleteMany(ctx context.Context, rs []*Record, now time.Time) error {
	args := make([]any, 0, len(rs)+1)
	args = append(args, rs[0].Worker)
	for _, r := range rs {
		if r.UniqueKey != "" && r.UniqueUntil.After(now) || r.Worker != rs[0].Worker {
			if err := b.Complete(ctx, r, now); err != nil {
				return err
			}
			continue
		}
		args = append(args, r.ID)
	}
	if len(args) == 1 {
		return nil
	}
	marks := strings.Repeat(", ?", len(args)-1)[2:]
	if _, err := b.exec(ctx, "DELETE FROM "+Table+" WHERE worker = ? AND state = 'running' AND id IN ("+marks+")", args...); err != nil {
		return fmt.Errorf("complete %d jobs: %w", len(args)-1, err)
	}
	return nil
}

// Retry makes the job available again at at.
func (b *DatabaseBackend) Retry(ctx context.Context, r *Record, at time.Time, errText string) error {
	_, err := b.exec(ctx, "UPDATE "+Table+" SET state = 'available', run_at = ?, last_error = ?, failed_at = ?, worker = NULL, lease_until = NULL"+owned,
		micros(at), errText, micros(time.Now()), r.ID, r.Worker)
	if err != nil {
		return fmt.Errorf("retry %d: %w", r.ID, err)
	}
	return nil
}

// Kill moves the job to the dead set.
func (b *DatabaseBackend) Kill(ctx context.Context, r *Record, errText string, now time.Time) error {
	_, err := b.exec(ctx, "UPDATE "+Table+" SET state = 'dead', last_error = ?, failed_at = ?, worker = NULL, lease_until = NULL"+owned,
		errText, micros(now), r.ID, r.Worker)
	if err != nil {
		return fmt.Errorf("kill %d: %w", r.ID, err)
	}
	return nil
}

// Release returns the job to its queue, uncounting the attempt.
func (b *DatabaseBackend) Release(ctx context.Context, r *Record) error {
	_, err := b.exec(ctx, "UPDATE "+Table+" SET state = 'available', attempt = attempt - 1, worker = NULL, lease_until = NULL"+owned, r.ID, r.Worker)
	if err != nil {
		return fmt.Errorf("release %d: %w", r.ID, err)
	}
	return nil
}

// Heartbeat extends the leases of worker's running jobs.
func (b *DatabaseBackend) Heartbeat(ctx context.Context, worker string, _, leaseUntil time.Time) error {
	ctx = record.Silence(ctx) // polling: kept out of the debug log, as Solid Queue's silence_polling
	if _, err := b.exec(ctx, "UPDATE "+Table+" SET lease_until = ? WHERE worker = ? AND state = 'running'", micros(leaseUntil), worker); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// lostError is recorded on a job whose worker stopped renewing its lease.
const lostError = "worker lost: lease expired while the job was running (process killed or stalled)"

// exitedError is recorded on a job handed back because its worker's
// process exited (RescueWorker, called by Supervise).
const exitedError = "worker lost: its process exited while the job was running; handed back by the supervisor"

// Rescue returns jobs of expired leases to their queue; those that used
// their last attempt go to the dead set. It also deletes completed rows
// whose uniqueness period is over.
func (b *DatabaseBackend) Rescue(ctx context.Context, now time.Time) (int, error) {
	ctx = record.Silence(ctx) // polling: kept out of the debug log, as Solid Queue's silence_polling
	n, err := b.handBack(ctx, lostError, now, "lease_until < ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("rescue: %w", err)
	}
	if _, err := b.execRetrying(ctx, "DELETE FROM "+Table+" WHERE state = 'completed' AND unique_until <= ?", micros(now)); err != nil {
		return 0, fmt.Errorf("rescue: %w", err)
	}
	return n, nil
}

// RescueWorker returns the running jobs of the workers whose ID starts
// with prefix (a process known to have exited, see WorkerPrefix) to their
// queue at once, as Rescue does once their leases expire.
func (b *DatabaseBackend) RescueWorker(ctx context.Context, prefix string, now time.Time) (int, error) {
	if prefix == "" {
		return 0, fmt.Errorf("%w: rescue a worker: empty prefix", ErrInvalidConfig)
	}
	n, err := b.handBack(ctx, exitedError, now, "SUBSTR(worker, 1, ?) = ?", utf8.RuneCountInString(prefix), prefix)
	if err != nil {
		return 0, fmt.Errorf("rescue worker %s: %w", prefix, err)
	}
	return n, nil
}

// LeaseHolders lists the workers holding running jobs.
func (b *DatabaseBackend) LeaseHolders(ctx context.Context) ([]string, error) {
	ctx = record.Silence(ctx)
	var out []string
	err := b.db.QueryRows(ctx, "SELECT DISTINCT worker FROM "+Table+" WHERE state = 'running' AND worker IS NOT NULL", nil, func(scan func(...any) error) error {
		var w string
		if err := scan(&w); err != nil {
			return err
		}
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lease holders: %w", err)
	}
	return out, nil
}

// handBack returns the running jobs matching cond to their queue (those
// that used their last attempt to the dead set), recording why.
func (b *DatabaseBackend) handBack(ctx context.Context, why string, now time.Time, cond string, args ...any) (int, error) {
	n1, err := b.execRetrying(ctx, "UPDATE "+Table+" SET state = 'dead', last_error = ?, failed_at = ?, worker = NULL, lease_until = NULL WHERE state = 'running' AND "+cond+" AND attempt >= max_attempts",
		append([]any{why, micros(now)}, args...)...)
	if err != nil {
		return 0, err
	}
	n2, err := b.execRetrying(ctx, "UPDATE "+Table+" SET state = 'available', last_error = ?, worker = NULL, lease_until = NULL WHERE state = 'running' AND "+cond,
		append([]any{why}, args...)...)
	if err != nil {
		return 0, err
	}
	return int(n1 + n2), nil
}

// Stats counts jobs by queue and state.
func (b *DatabaseBackend) Stats(ctx context.Context, now time.Time) (Stats, error) {
	st := Stats{Ready: map[string]int{}}
	err := b.db.QueryRows(ctx, "SELECT queue, state, COUNT(*), SUM(CASE WHEN run_at <= ? THEN 1 ELSE 0 END), SUM(CASE WHEN run_at > ? AND attempt = 0 THEN 1 ELSE 0 END) FROM "+Table+" GROUP BY queue, state",
		[]any{micros(now), micros(now)}, func(scan func(...any) error) error {
			var (
				queue, state            string
				count, ready, scheduled int64
			)
			if err := scan(&queue, &state, &count, &ready, &scheduled); err != nil {
				return err
			}
			st.add(State(state), queue, count, ready, scheduled)
			return nil
		})
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// add counts count jobs of queue in state, ready of them due and scheduled
// of them never attempted and not due.
func (st *Stats) add(state State, queue string, count, ready, scheduled int64) {
	switch state {
	case Available:
		st.Ready[queue] += int(ready)
		st.Scheduled += int(scheduled)
		st.Retrying += int(count - ready - scheduled)
	case Running:
		st.Running += int(count)
	case Dead:
		st.Dead += int(count)
	}
}

// DeadJobs lists up to limit dead jobs, newest failure first.
func (b *DatabaseBackend) DeadJobs(ctx context.Context, limit int) ([]*Record, error) {
	if limit < 0 {
		limit = math.MaxInt32
	}
	out, err := scanJobs(ctx, b.db, "SELECT "+b.columns(ctx)+" FROM "+Table+" WHERE state = 'dead' ORDER BY failed_at DESC, id DESC LIMIT ?", limit)
	for _, r := range out {
		r.State = Dead
	}
	if err != nil {
		return nil, fmt.Errorf("dead jobs: %w", err)
	}
	return out, nil
}

// changeOne runs a statement that must change exactly the one job it
// names: ErrNotFound when it changed none. what names the action in errors.
func (b *DatabaseBackend) changeOne(ctx context.Context, what, sql string, args ...any) error {
	n, err := b.exec(ctx, sql, args...)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// RetryDead makes dead job id available again now with fresh attempts.
func (b *DatabaseBackend) RetryDead(ctx context.Context, id int64, now time.Time) error {
	return b.changeOne(ctx, fmt.Sprintf("retry dead job %d", id), "UPDATE "+Table+" SET state = 'available', attempt = 0, run_at = ? WHERE id = ? AND state = 'dead'", micros(now), id)
}

// DiscardDead deletes dead job id.
func (b *DatabaseBackend) DiscardDead(ctx context.Context, id int64) error {
	return b.changeOne(ctx, fmt.Sprintf("discard dead job %d", id), "DELETE FROM "+Table+" WHERE id = ? AND state = 'dead'", id)
}

// RunNow makes waiting job id due now.
func (b *DatabaseBackend) RunNow(ctx context.Context, id int64, now time.Time) error {
	return b.changeOne(ctx, fmt.Sprintf("run waiting job %d now", id), "UPDATE "+Table+" SET run_at = ? WHERE id = ? AND state = 'available' AND run_at > ?", micros(now), id, micros(now))
}

// DiscardWaiting deletes waiting job id.
func (b *DatabaseBackend) DiscardWaiting(ctx context.Context, id int64, now time.Time) error {
	return b.changeOne(ctx, fmt.Sprintf("discard waiting job %d", id), "DELETE FROM "+Table+" WHERE id = ? AND state = 'available' AND run_at > ?", id, micros(now))
}

// ListWaiting lists scheduled or retrying jobs, soonest first.
func (b *DatabaseBackend) ListWaiting(ctx context.Context, w Waiting, limit int, now time.Time) ([]*Record, error) {
	cond := "attempt = 0 AND run_at > ?"
	if w == Retrying {
		cond = "attempt > 0 AND run_at > ?"
	}
	out, err := scanJobs(ctx, b.db, "SELECT "+b.columns(ctx)+" FROM "+Table+" WHERE state = 'available' AND "+cond+" ORDER BY run_at, id LIMIT ?", micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", w, err)
	}
	for _, r := range out {
		r.State = Available
	}
	return out, nil
}
