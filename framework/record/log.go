package record

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Stats counts the statements run with a context (see WithStats): the
// request log prints "Record: 0.6ms (3 queries)". Safe for concurrent use.
// It is event.DBStats, so that a request's counters can live in its
// event.RequestScope.
type Stats = event.DBStats

type statsKey struct{}

// WithStats returns a context that counts the statements run with it (and
// with contexts derived from it), and the counters. Typically called once per
// request by the request logger.
func WithStats(ctx context.Context) (context.Context, *Stats) {
	s := new(Stats)
	return context.WithValue(ctx, statsKey{}, s), s
}

// WithRequestStats is WithStats for a request's instrumentation: when ctx
// is the request's event.RequestScope (the request_id middleware's), the
// counters go into it and ctx itself is returned, so that they cost no
// context layer nor copy of the request. Everything that runs with the
// request's context from then on counts into them.
func WithRequestStats(ctx context.Context) (context.Context, *Stats) {
	if sc := event.ScopeOf(ctx); sc != nil {
		// The scope's own counters: no allocation.
		if s := sc.ClaimDBStats(); s != nil && sc.Set(statsKey{}, s) {
			return ctx, s
		}
	}
	s := new(Stats)
	return context.WithValue(ctx, statsKey{}, s), s
}

// StatsFrom returns the counters of ctx, or nil.
func StatsFrom(ctx context.Context) *Stats {
	s, _ := ctx.Value(statsKey{}).(*Stats)
	return s
}

func defaultFilter() []string {
	// Rails' default filter_parameters, as substrings of a column name.
	return []string{"passw", "secret", "token", "_key", "crypt", "salt", "certificate", "otp", "ssn", "cvv", "cvc"}
}

type silentKey struct{}

// Silence returns a context whose statements are left out of the debug log
// (failures are still logged, and still counted by WithStats): for pollers
// such as the job worker's, which would otherwise bury the log.
func Silence(ctx context.Context) context.Context {
	return context.WithValue(ctx, silentKey{}, true)
}

type deadlockRetryKey struct{}

// RetryingDeadlock returns a context whose statements' deadlocks
// (ErrDeadlockDetected) the caller runs again at once: such a failure is logged at
// debug level rather than as a warning, and its SQL event says Retried.
// Other failures are logged as usual. The caller runs its last attempt
// without it, so that a deadlock that outlives the retries is a warning.
func RetryingDeadlock(ctx context.Context) context.Context {
	return context.WithValue(ctx, deadlockRetryKey{}, true)
}

// Pseudo-names of the binds the ORM adds itself: they are never a
// column's value, so the log always shows them (Rails' ["LIMIT", 1]).
const (
	bindLimit  = "LIMIT"
	bindOffset = "OFFSET"
)

// pkName names the one bind of a statement by primary key.
var pkName = []string{"id"}

// appendNames appends n names to dst: src when it holds exactly n (the
// names of n binds), else n unknown ("") names, so that a names slice
// never drifts from its binds.
func appendNames(dst, src []string, n int) []string {
	if n <= 0 {
		return dst
	}
	if len(src) == n {
		return append(dst, src...)
	}
	for range n {
		dst = append(dst, "")
	}
	return dst
}

// record adds a finished statement to the context's stats and the debug log.
// names parallels args: the column the ORM itself bound each value
// against, "" where it does not know (see shownBinds).
func (db *DB) record(ctx context.Context, op, sql string, args []any, names []string, start time.Time, rows int64, err error) {
	d := time.Since(start)
	if s := StatsFrom(ctx); s != nil {
		s.Count(d)
	}
	retried := err != nil && ctx.Value(deadlockRetryKey{}) != nil && db.kindOf(err) == ErrDeadlockDetected
	// A failed statement is reported whether or not anyone wants SQL
	// events now: the log subscriber writes statements at debug level only
	// and subscribes by level (event.SubscribeWhen), but their failures at
	// warn.
	if err != nil || db.events.Enabled(event.KindSQL) && ctx.Value(silentKey{}) == nil {
		e := event.NewSQL(op, sql, rows, start, d, err, func() []string {
			if len(args) == 0 {
				return nil
			}
			if err != nil {
				return []string{bindCount(len(args))}
			}
			return db.shownBinds(args, names)
		})
		e.Retried = retried
		db.events.Emit(ctx, e)
	}
	level := slog.LevelDebug
	if err != nil && !retried {
		level = slog.LevelWarn
	}
	if !db.log.Enabled(ctx, level) {
		return
	}
	// Only when the line would be written: the context walk stays off the
	// path of every statement when debug logging is off.
	if err == nil && ctx.Value(silentKey{}) != nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("sql", sql),
		slog.Duration("duration", d),
		slog.Int64("rows", rows),
	}
	if len(args) > 0 {
		if err != nil {
			// A failed statement's line may be read far from the
			// developer's machine (warnings are on in production): it
			// counts the binds and shows none.
			attrs = append(attrs, slog.String("binds", bindCount(len(args))))
		} else {
			attrs = append(attrs, slog.Any("binds", db.shownBinds(args, names)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	db.log.LogAttrs(ctx, level, op, attrs...)
}

// shownBinds renders binds for the log, failing closed: a value is shown
// only under a name the ORM itself gave it (a Cond key, a model's field,
// LIMIT) when that name is not filtered ("api_token=[FILTERED]"); each run
// of binds whose column the ORM does not know (a SQL fragment's ?, whose
// column could only be guessed by reading the SQL) is "[N binds]". names
// that do not parallel args count as unknown.
func (db *DB) shownBinds(args []any, names []string) []string {
	if len(names) != len(args) {
		return []string{bindCount(len(args))}
	}
	out := make([]string, 0, len(args))
	unknown := 0
	for i, a := range args {
		name := names[i]
		if name == "" {
			unknown++
			continue
		}
		if unknown > 0 {
			out = append(out, bindCount(unknown))
			unknown = 0
		}
		if name != bindLimit && name != bindOffset && db.sensitive(name) {
			out = append(out, name+"=[FILTERED]")
			continue
		}
		out = append(out, name+"="+bindText(a))
	}
	if unknown > 0 {
		out = append(out, bindCount(unknown))
	}
	return out
}

// bindCount is what the log shows for n binds it does not show.
func bindCount(n int) string {
	if n == 1 {
		return "[1 bind]"
	}
	return "[" + strconv.Itoa(n) + " binds]"
}

// bindText renders a bind value for the log, cut at 100 bytes.
func bindText(a any) string {
	v := fmt.Sprint(deref(a))
	if len(v) > 100 {
		v = v[:100] + "..."
	}
	return v
}

// sensitive reports whether a column name matches the filter list (as a
// case-insensitive substring, as Rails' filter_parameters).
func (db *DB) sensitive(name string) bool {
	name = strings.ToLower(name)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		// "users.api_token": the table does not make a column safe, but
		// a table named "tokens" does not make every column secret.
		name = name[i+1:]
	}
	for _, f := range db.filter {
		if strings.Contains(name, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

func deref(a any) any {
	switch v := a.(type) {
	case *string:
		if v == nil {
			return nil
		}
		return *v
	case *int64:
		if v == nil {
			return nil
		}
		return *v
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(v))
	}
	return a
}
