package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
)

// Latest, given to Migrate, applies every pending migration.
const Latest int64 = 0

// TableName is the table that records applied versions.
const TableName = "schema_migrations"

// Options configure a Migrator. The zero value works.
type Options struct {
	// SchemaPath, when set (conventionally "db/schema.sql"), is where the
	// schema is dumped after Migrate, Rollback and Redo change anything.
	SchemaPath string
	// KeepSchema reads SchemaPath (Prepare loads it) but never writes
	// it: the test database is built from development's schema, as in
	// Rails, and processes preparing it at once must not rewrite the file
	// others are reading.
	KeepSchema bool
	// Logger receives progress at info level ("== 20261123085000 Create
	// posts: migrating"). Nil discards. The statements themselves are
	// logged by record, at debug level on the DB's Config.Logger.
	Logger *slog.Logger
	// LockTimeout bounds the wait for another migrator to finish
	// (PostgreSQL, MySQL); then the call fails with ErrLocked. Default
	// 15s. On SQLite the wait for another migrator's transaction is the
	// busy timeout (record.Config.Timeout).
	LockTimeout time.Duration
}

// WithDefaults returns o with empty fields filled in.
func (o Options) WithDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 15 * time.Second
	}
	return o
}

// Migrator applies and rolls back an app's migrations on one database.
//
// Each migration runs in its own transaction on PostgreSQL and SQLite
// (unless DisableTransaction), so a failing migration leaves the database
// as it was before it; migrations before it in the same call stay applied.
// MySQL commits each DDL statement: a failure there leaves the steps before
// the failing one applied, and the error lists them.
//
// Two migrators never apply the same migration: on PostgreSQL and MySQL a
// call holds a database-wide lock (an advisory lock, GET_LOCK) for its
// whole run, and waits at most Options.LockTimeout for another; on SQLite
// each migration's write transaction is immediate and first claims its
// version in schema_migrations, so a migrator that finds a version already
// claimed skips it. The lock takes a pooled connection of its own
// (PostgreSQL, MySQL): the DB's pool needs at least two.
//
// A Migrator is safe for concurrent use; calls on it are serialised by the
// database lock.
type Migrator struct {
	db   *record.DB
	d    *driver.Dialect
	list []*entry
	opts Options
	log  *slog.Logger
}

// New validates migrations (file names, unique versions and names, a body
// each) and returns a Migrator. Invalid migrations give an error naming
// each bad file; nothing touches the database.
func New(db *record.DB, migrations []Migration, opts Options) (*Migrator, error) {
	list, err := validate(migrations)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	d := db.Dialect()
	if err := supported(d); err != nil {
		return nil, err
	}
	return &Migrator{db: db, d: &d, list: list, opts: opts, log: opts.Logger}, nil
}

// supported checks that migrate knows the DDL of the database.
func supported(d driver.Dialect) error {
	switch d.Name {
	case record.SQLite, record.PostgreSQL, record.MySQL:
		return nil
	}
	return fmt.Errorf("migrate: no migrations for the %s driver: migrate writes the DDL of sqlite3, postgresql and mysql", d.Name)
}

// transactional reports whether DDL rolls back on this database.
func (m *Migrator) transactional(e *entry) bool {
	return m.d.Name != record.MySQL && !e.DisableTransaction
}

// Migrate applies pending migrations up to and including version to
// (Latest: all of them) in version order, and rolls back applied ones
// newer than to. It stops at the first failure, returning a
// *MigrationError.
func (m *Migrator) Migrate(ctx context.Context, to int64) error {
	if to != Latest && m.find(to) == nil {
		return fmt.Errorf("migrate: version %d: %w", to, ErrUnknownVersion)
	}
	return m.locked(ctx, func(ctx context.Context) (bool, error) { return m.migrateLocked(ctx, to) })
}

// prepare is Prepare under one hold of the lock: the schema file loaded
// into a database without tables, then the pending migrations.
func (m *Migrator) prepare(ctx context.Context) error {
	return m.lockedFrom(ctx, func(ctx context.Context) error {
		if m.opts.SchemaPath == "" {
			return nil
		}
		schema, err := os.ReadFile(m.opts.SchemaPath)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("migrate: load schema: %w", err)
		}
		_, err = loadSchema(ctx, m.db, string(schema), true)
		return err
	}, func(ctx context.Context) (bool, error) { return m.migrateLocked(ctx, Latest) })
}

// migrateLocked is Migrate's work, under the lock.
func (m *Migrator) migrateLocked(ctx context.Context, to int64) (bool, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return false, err
	}
	changed := false
	if to != Latest {
		for _, v := range descending(applied) {
			if v <= to {
				break
			}
			e := m.find(v)
			if e == nil {
				return changed, fmt.Errorf("migrate: version %d is applied but has no migration file: %w", v, ErrUnknownVersion)
			}
			if err := m.run(ctx, e, false); err != nil {
				return true, err
			}
			changed = true
		}
	}
	for _, e := range m.list {
		if applied[e.version] || (to != Latest && e.version > to) {
			continue
		}
		if err := m.run(ctx, e, true); err != nil {
			return true, err
		}
		changed = true
	}
	return changed, nil
}

// Rollback undoes the last steps applied migrations (at least one), newest
// first.
func (m *Migrator) Rollback(ctx context.Context, steps int) error {
	_, err := m.rollback(ctx, steps)
	return err
}

func (m *Migrator) rollback(ctx context.Context, steps int) ([]*entry, error) {
	var done []*entry
	err := m.locked(ctx, func(ctx context.Context) (bool, error) {
		var err error
		done, err = m.rollbackLocked(ctx, steps)
		return len(done) > 0, err
	})
	return done, err
}

func (m *Migrator) rollbackLocked(ctx context.Context, steps int) ([]*entry, error) {
	steps = max(steps, 1)
	applied, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var done []*entry
	for _, v := range descending(applied) {
		if len(done) == steps {
			break
		}
		e := m.find(v)
		if e == nil {
			return done, fmt.Errorf("migrate: rollback: version %d is applied but has no migration file: %w", v, ErrUnknownVersion)
		}
		if err := m.run(ctx, e, false); err != nil {
			return done, err
		}
		done = append(done, e)
	}
	return done, nil
}

// Redo rolls back the last steps migrations (at least one) and applies them
// again.
func (m *Migrator) Redo(ctx context.Context, steps int) error {
	return m.locked(ctx, func(ctx context.Context) (bool, error) {
		done, err := m.rollbackLocked(ctx, steps)
		if err != nil {
			return len(done) > 0, err
		}
		for i := len(done) - 1; i >= 0; i-- {
			if err := m.run(ctx, done[i], true); err != nil {
				return true, err
			}
		}
		return len(done) > 0, nil
	})
}

// Version returns the newest applied version, 0 when none.
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return 0, err
	}
	vs := descending(applied)
	if len(vs) == 0 {
		return 0, nil
	}
	return vs[0], nil
}

// Pending returns the file names of the migrations not applied yet, in order.
func (m *Migrator) Pending(ctx context.Context) ([]string, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range m.list {
		if !applied[e.version] {
			out = append(out, e.File)
		}
	}
	return out, nil
}

func (m *Migrator) find(v int64) *entry {
	i, ok := slices.BinarySearchFunc(m.list, v, func(e *entry, v int64) int {
		switch {
		case e.version < v:
			return -1
		case e.version > v:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return m.list[i]
}

func descending(applied map[int64]bool) []int64 {
	vs := make([]int64, 0, len(applied))
	for v := range applied {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	slices.Reverse(vs)
	return vs
}

// locked runs fn under the migrator lock, creating schema_migrations first
// and dumping the schema afterwards when fn changed something.
func (m *Migrator) locked(ctx context.Context, fn func(context.Context) (bool, error)) error {
	return m.lockedFrom(ctx, nil, fn)
}

// lockedFrom is locked with first, when not nil, run under the lock before
// schema_migrations is created.
func (m *Migrator) lockedFrom(ctx context.Context, first func(context.Context) error, fn func(context.Context) (bool, error)) error {
	unlock, err := m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if first != nil {
		if err := first(ctx); err != nil {
			return err
		}
	}
	if err := m.ensureTable(ctx); err != nil {
		return err
	}
	changed, err := fn(ctx)
	if changed && m.opts.SchemaPath != "" && !m.opts.KeepSchema {
		if derr := DumpSchemaFile(ctx, m.db, m.opts.SchemaPath); derr != nil {
			return errors.Join(err, derr)
		}
	}
	return err
}

func (m *Migrator) ensureTable(ctx context.Context) error {
	sql := "CREATE TABLE IF NOT EXISTS " + m.d.Quote(TableName) + " (" + m.d.Quote("version") + " varchar(255) NOT NULL PRIMARY KEY)"
	if _, err := m.db.Exec(ctx, sql); err != nil {
		return fmt.Errorf("migrate: create %s: %w", TableName, err)
	}
	return nil
}

// applied returns the versions in schema_migrations (none when the table
// does not exist yet).
func (m *Migrator) applied(ctx context.Context) (map[int64]bool, error) {
	return appliedVersions(ctx, m.db)
}

func appliedVersions(ctx context.Context, db *record.DB) (map[int64]bool, error) {
	tables, err := record.Tables(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("migrate: list tables: %w", err)
	}
	out := map[int64]bool{}
	if !slices.Contains(tables, TableName) {
		return out, nil
	}
	err = db.QueryRows(ctx, "SELECT "+db.Quote("version")+" FROM "+db.Quote(TableName), nil, func(scan func(...any) error) error {
		var s string
		if err := scan(&s); err != nil {
			return err
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("migrate: %s holds %q, not a version", TableName, s)
		}
		out[v] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", TableName, err)
	}
	return out, nil
}

// MigrationError is a migration that failed: its file, the step and the
// statement that failed, and what is left applied.
type MigrationError struct {
	File      string
	Direction string // "up" or "down"
	Step      string // e.g. "add_index(posts, [title])"; empty when the failure was outside a step
	Statement string // the SQL that failed, when one did
	// RolledBack is true when the migration ran in a transaction that was
	// rolled back: nothing of it is applied.
	RolledBack bool
	// Applied lists the steps that ran before the failure and stay applied
	// (MySQL, or DisableTransaction); PartlyApplied the statements of the
	// failing step that ran before the failing one and stay applied too.
	Applied       []string
	PartlyApplied []string
	Err           error
}

func (e *MigrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migrate %s (%s)", e.File, e.Direction)
	if e.Step != "" {
		fmt.Fprintf(&b, ": %s", e.Step)
	}
	if e.Statement != "" {
		fmt.Fprintf(&b, ": statement %q", truncate(e.Statement, 300))
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	switch {
	case e.RolledBack:
		b.WriteString(" (rolled back: nothing of this migration was applied)")
	case len(e.Applied) == 0 && len(e.PartlyApplied) == 0:
		b.WriteString(" (nothing of this migration was applied)")
	default:
		b.WriteString(" (not transactional; the version was not recorded")
		if len(e.Applied) > 0 {
			fmt.Fprintf(&b, "; these steps were applied and stay applied: %s", strings.Join(e.Applied, ", "))
		}
		if len(e.PartlyApplied) > 0 {
			fmt.Fprintf(&b, "; of the failing step, these statements were applied and stay applied: %s", strings.Join(e.PartlyApplied, "; "))
		}
		b.WriteString(")")
	}
	return b.String()
}

func (e *MigrationError) Unwrap() error { return e.Err }

// plan records the steps of e in direction up (true) or down.
func (m *Migrator) plan(e *entry, up bool) ([]step, error) {
	s := &Schema{dialect: m.d.Name}
	switch {
	case up && e.Change != nil:
		e.Change(s)
	case up:
		e.Up(s)
	case e.Change != nil:
		e.Change(s)
		return invert(s.steps)
	case e.Down != nil:
		e.Down(s)
	default:
		return nil, fmt.Errorf("it has Up and no Down: %w", ErrIrreversible)
	}
	return s.steps, nil
}

// run applies (up) or rolls back one migration.
func (m *Migrator) run(ctx context.Context, e *entry, up bool) error {
	dir, verb := "up", "migrating"
	if !up {
		dir, verb = "down", "reverting"
	}
	steps, err := m.plan(e, up)
	if err == nil && m.d.Name == record.SQLite && e.DisableTransaction && slices.ContainsFunc(steps, rebuilds) {
		err = errors.New("on SQLite, ChangeColumn, RemoveColumn, AddForeignKey and RemoveForeignKey rebuild the table and need the migration's transaction: remove DisableTransaction")
	}
	if err != nil {
		return &MigrationError{File: e.File, Direction: dir, Err: err}
	}
	m.log.InfoContext(ctx, fmt.Sprintf("== %d %s: %s", e.version, e.title(), verb), "file", e.File)
	start := time.Now()
	var skipped bool
	if m.transactional(e) {
		skipped, err = m.runTx(ctx, e, up, steps)
	} else {
		skipped, err = m.runDirect(ctx, e, up, steps)
	}
	if err != nil {
		if me := (*MigrationError)(nil); errors.As(err, &me) {
			me.File, me.Direction = e.File, dir
		}
		return err
	}
	if skipped {
		m.log.InfoContext(ctx, fmt.Sprintf("== %d %s: done by another migrator, skipped", e.version, e.title()))
		return nil
	}
	m.log.InfoContext(ctx, fmt.Sprintf("== %d %s: %s (%.4fs)", e.version, e.title(), map[bool]string{true: "migrated", false: "reverted"}[up], time.Since(start).Seconds()))
	return nil
}

func (m *Migrator) versionSQL(up bool) string {
	t, v := m.d.Quote(TableName), m.d.Quote("version")
	if up {
		from := ""
		if m.d.Name == record.MySQL {
			from = " FROM DUAL"
		}
		return "INSERT INTO " + t + " (" + v + ") SELECT ?" + from + " WHERE NOT EXISTS (SELECT 1 FROM " + t + " WHERE " + v + " = ?)"
	}
	return "DELETE FROM " + t + " WHERE " + v + " = ?"
}

func (m *Migrator) versionArgs(e *entry, up bool) []any {
	v := strconv.FormatInt(e.version, 10)
	if up {
		return []any{v, v}
	}
	return []any{v}
}

// runTx runs steps in one transaction that first claims the version (so
// that a concurrent migrator on SQLite finds it claimed and skips it).
func (m *Migrator) runTx(ctx context.Context, e *entry, up bool, steps []step) (skipped bool, err error) {
	tx, err := m.db.Begin(ctx)
	if err != nil {
		if errors.Is(err, record.ErrDeadlock) { // SQLite: another migrator kept the write lock past the busy timeout
			err = errors.Join(ErrLocked, err)
		}
		return false, &MigrationError{Err: fmt.Errorf("begin: %w", err)}
	}
	x := &executor{d: m.d, q: tx}
	fail := func(step string, cause error) (bool, error) {
		stmt := x.last
		rerr := m.endTx(ctx, tx, x, false)
		return false, &MigrationError{Step: step, Statement: stmt, RolledBack: rerr == nil, Err: errors.Join(cause, rerr)}
	}
	if m.d.Name == record.SQLite {
		// Foreign key enforcement can only be switched off outside a
		// transaction, and a table rebuild needs it off: end the empty
		// transaction Begin opened, switch it off, and begin again.
		for _, s := range []string{"COMMIT", "PRAGMA foreign_keys = OFF", "BEGIN IMMEDIATE"} {
			if err := x.exec(ctx, s); err != nil {
				return fail("", err)
			}
		}
	}
	x.last = ""
	res, err := tx.Exec(ctx, m.versionSQL(up), m.versionArgs(e, up)...)
	if err != nil {
		return fail("", fmt.Errorf("record version: %w", err))
	}
	if res.RowsAffected == 0 {
		return true, m.endTx(ctx, tx, x, false)
	}
	for i, st := range steps {
		if err := st.run(ctx, x); err != nil {
			return fail(fmt.Sprintf("step %d of %d %s", i+1, len(steps), st), err)
		}
		x.last = ""
	}
	if m.d.Name == record.SQLite {
		if err := sqliteForeignKeyCheck(ctx, x); err != nil {
			return fail("", err)
		}
	}
	if err := m.endTx(ctx, tx, x, true); err != nil {
		return false, &MigrationError{Statement: "COMMIT", RolledBack: true, Err: err}
	}
	return false, nil
}

// endTx commits or rolls back, switching SQLite's foreign keys back on
// before the connection returns to the pool.
func (m *Migrator) endTx(ctx context.Context, tx *record.Tx, x *executor, commit bool) error {
	ctx = context.WithoutCancel(ctx)
	if m.d.Name == record.SQLite {
		end := "ROLLBACK"
		if commit {
			end = "COMMIT"
		}
		err := x.exec(ctx, end)
		for _, s := range []string{"PRAGMA foreign_keys = ON", "BEGIN"} {
			if e := x.exec(ctx, s); e != nil && err == nil {
				err = e
			}
		}
		if e := tx.Rollback(ctx); e != nil && err == nil {
			err = e
		}
		return err
	}
	if commit {
		return tx.Commit(ctx)
	}
	return tx.Rollback(ctx)
}

func sqliteForeignKeyCheck(ctx context.Context, x *executor) error {
	var problems []string
	err := x.queryRows(ctx, `SELECT "table", parent FROM pragma_foreign_key_check`, nil, func(scan func(...any) error) error {
		var t, p string
		if err := scan(&t, &p); err != nil {
			return err
		}
		problems = append(problems, t+" -> "+p)
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		problems = slices.Compact(problems)
		return fmt.Errorf("foreign key check failed: rows reference missing rows (%s): %w", strings.Join(problems, ", "), record.ErrForeignKeyViolation)
	}
	return nil
}

// runDirect runs steps without a transaction (MySQL, DisableTransaction),
// recording the version after the last step succeeded.
func (m *Migrator) runDirect(ctx context.Context, e *entry, up bool, steps []step) (bool, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return false, &MigrationError{Err: err}
	}
	if applied[e.version] == up { // already applied, or already rolled back
		return true, nil
	}
	x := &executor{d: m.d, q: m.db}
	var done []string
	for i, st := range steps {
		x.ran = nil
		if err := st.run(ctx, x); err != nil {
			return false, &MigrationError{Step: fmt.Sprintf("step %d of %d %s", i+1, len(steps), st), Statement: x.last, Applied: done, PartlyApplied: x.ran, Err: err}
		}
		done = append(done, st.String())
		x.last = ""
	}
	if _, err := m.db.Exec(ctx, m.versionSQL(up), m.versionArgs(e, up)...); err != nil {
		return false, &MigrationError{Statement: "record version", Applied: done, Err: err}
	}
	return false, nil
}
