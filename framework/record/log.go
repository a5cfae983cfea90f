package record

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorails/gorails/framework/record/internal/sqlscan"
)

// Stats counts the statements run with a context (see WithStats): the
// request log prints "Record: 0.6ms (3 queries)". Safe for concurrent use.
type Stats struct {
	queries atomic.Int64
	nanos   atomic.Int64
}

// Queries is the number of statements run.
func (s *Stats) Queries() int64 { return s.queries.Load() }

// Duration is the total time spent in the database.
func (s *Stats) Duration() time.Duration { return time.Duration(s.nanos.Load()) }

type statsKey struct{}

// WithStats returns a context that counts the statements run with it (and
// with contexts derived from it), and the counters. Typically called once per
// request by the request logger.
func WithStats(ctx context.Context) (context.Context, *Stats) {
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

// record adds a finished statement to the context's stats and the debug log.
func (db *DB) record(ctx context.Context, op, sql string, args []any, names []string, start time.Time, rows int64, err error) {
	d := time.Since(start)
	if s := StatsFrom(ctx); s != nil {
		s.queries.Add(1)
		s.nanos.Add(int64(d))
	}
	level := slog.LevelDebug
	if err != nil {
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
		attrs = append(attrs, slog.Any("binds", db.binds(sql, args, names)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	db.log.LogAttrs(ctx, level, op, attrs...)
}

// binds renders the bound values for the log; a value whose column name
// matches the filter list is shown as [FILTERED].
func (db *DB) binds(sql string, args []any, names []string) []string {
	if names == nil {
		names = placeholderNames(sql, len(args), db.dialect.BackslashEscapes)
	}
	out := make([]string, len(args))
	for i, a := range args {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		if db.sensitive(name) {
			out[i] = name + "=[FILTERED]"
			continue
		}
		v := fmt.Sprint(deref(a))
		if len(v) > 100 {
			v = v[:100] + "..."
		}
		if name != "" {
			v = name + "=" + v
		}
		out[i] = v
	}
	return out
}

func (db *DB) sensitive(name string) bool {
	name = strings.ToLower(name)
	if name == "" {
		return false
	}
	for _, f := range db.filter {
		if strings.Contains(name, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// placeholderNames guesses the column each placeholder of sql is compared
// with: the identifier before the operator that precedes it
// ("password_digest" = $1). Unknown ones are "". Quoted strings and
// comments are skipped; a ? or $n inside them is not a placeholder.
func placeholderNames(sql string, n int, backslash bool) []string {
	if cols := insertColumns(sql); len(cols) > 0 {
		names := make([]string, n)
		for i := range names {
			names[i] = cols[i%len(cols)]
		}
		return names
	}
	names := make([]string, 0, n)
	last := ""
	for i := 0; i < len(sql) && len(names) < n; {
		k, l := sqlscan.Next(sql[i:], backslash)
		tok := sql[i : i+l]
		i += l
		switch k {
		case sqlscan.Question, sqlscan.Dollar:
			names = append(names, last)
		case sqlscan.QuotedIdent:
			last = tok[1 : len(tok)-min(1, len(tok)-1)]
		case sqlscan.Text:
			last = lastName(tok, last)
		}
	}
	return names
}

// lastName returns the name the text leaves pending for a following
// placeholder: the last word that is not an operator keyword, cleared by
// a keyword that starts a new condition.
func lastName(text, last string) string {
	for j := 0; j < len(text); {
		if !isIdentByte(text[j]) {
			j++
			continue
		}
		k := j
		for k < len(text) && isIdentByte(text[k]) {
			k++
		}
		switch up := strings.ToUpper(text[j:k]); up {
		case "AND", "OR", "WHERE", "LIMIT", "OFFSET":
			last = ""
		case "IN", "NOT", "LIKE", "IS", "VALUES":
		default:
			last = text[j:k]
		}
		j = k
	}
	return last
}

// insertColumns returns the column list of an INSERT statement.
func insertColumns(sql string) []string {
	if len(sql) < 12 || !strings.EqualFold(sql[:12], "INSERT INTO ") {
		return nil
	}
	open := strings.IndexByte(sql, '(')
	end := strings.IndexByte(sql, ')')
	if open < 0 || end < open {
		return nil
	}
	cols := strings.Split(sql[open+1:end], ",")
	for i, c := range cols {
		cols[i] = strings.Trim(strings.TrimSpace(c), "\"`")
	}
	return cols
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
