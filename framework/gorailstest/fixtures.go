package gorailstest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/internal/inflect"
)

// FixturesDir is where an app keeps its fixtures: one YAML file per table,
// named after it (test/fixtures/posts.yml).
const FixturesDir = "test/fixtures"

// ErrFixture is what a fixture file's problem matches.
var ErrFixture = errors.New("fixture")

// ID is the id the fixture labeled label gets when its row names none:
// a stable number derived from the label (as Rails'), so fixtures can
// refer to each other by label and tests can name them before loading.
func ID(label string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(label))
	return int64(h.Sum32()%(1<<30-1)) + 1
}

// UUID is ID for tables whose primary key is a UUID: a stable version 8
// UUID derived from the label.
func UUID(label string) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(label))
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x80 // version 8 (custom)
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// fixtureSet is what was loaded: the ids of each table's labels.
type fixtureSet struct {
	ids map[string]map[string]any // table -> label -> id (nil without an id column)
}

func (s *fixtureSet) labels(table string) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for l := range s.ids[table] {
			if !yield(l) {
				return
			}
		}
	})
}

// fixtureTable is one file: its rows by label, in file order.
type fixtureTable struct {
	name   string
	file   string
	labels []string
	rows   map[string]map[string]any
	ids    map[string]any
	cols   []record.Column
	deps   []string // fixture tables it refers to
}

// loadFixtures deletes the rows of every table that has a fixture file and
// inserts the fixtures, in one transaction, parents before children (from
// the references between them). An app without test/fixtures loads none.
func loadFixtures(ctx context.Context, app *framework.App) (*fixtureSet, error) {
	dir := app.Path(filepath.FromSlash(FixturesDir))
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil || len(files) == 0 {
		return &fixtureSet{ids: map[string]map[string]any{}}, err
	}
	db := app.DB
	tables := map[string]*fixtureTable{}
	for _, f := range files {
		ft, err := readFixtureFile(ctx, db, f)
		if err != nil {
			return nil, err
		}
		tables[ft.name] = ft
	}
	order, err := fixtureOrder(tables)
	if err != nil {
		return nil, err
	}
	now := app.Now().UTC()
	// Another package's test binary may be running its tests against the
	// same database: their transactions lock rows this load deletes, and
	// when one of them then waits for a row the load already deleted, the
	// server breaks the deadlock by failing the load (it waited first).
	// Load again: the other test's transaction ends with its test.
	for attempt := 1; ; attempt++ {
		actx := ctx
		last := attempt == fixtureLoadAttempts
		if !last {
			actx = record.RetryingDeadlock(ctx)
		}
		err = loadFixtureRows(actx, db, tables, order, now)
		if last || !errors.Is(err, record.ErrDeadlockDetected) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, err
	}
	set := &fixtureSet{ids: map[string]map[string]any{}}
	for name, ft := range tables {
		set.ids[name] = ft.ids
	}
	return set, nil
}

// fixtureLoadAttempts bounds the loads a deadlock may break (each costs
// the server's deadlock timeout, a second by default on PostgreSQL).
const fixtureLoadAttempts = 30

// loadFixtureRows deletes the fixture tables' rows and inserts the
// fixtures in one transaction.
func loadFixtureRows(ctx context.Context, db *record.DB, tables map[string]*fixtureTable, order []string, now time.Time) error {
	return record.Transaction(ctx, db, func(tx *record.Tx) error {
		// Test binaries of several packages (go test without -p 1) load
		// the same fixtures into the one test database: one at a time, so
		// that a load's DELETE sees the rows the previous load committed.
		switch db.Adapter() {
		case record.PostgreSQL:
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7140118310)"); err != nil {
				return fmt.Errorf("%w: lock the fixtures: %w", ErrFixture, err)
			}
		case record.MySQL:
			if err := tx.QueryRows(ctx, "SELECT GET_LOCK('gorails_fixtures', 60)", nil, func(func(...any) error) error { return nil }); err != nil {
				return fmt.Errorf("%w: lock the fixtures: %w", ErrFixture, err)
			}
			defer tx.Exec(ctx, "SELECT RELEASE_LOCK('gorails_fixtures')")
			if _, err := tx.Exec(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
				return err
			}
			defer tx.Exec(ctx, "SET FOREIGN_KEY_CHECKS = 1")
		}
		for _, name := range slices.Backward(order) {
			if _, err := tx.Exec(ctx, "DELETE FROM "+db.Quote(name)); err != nil {
				return fmt.Errorf("%w %s: delete the rows of %s: %w", ErrFixture, tables[name].file, name, err)
			}
		}
		for _, name := range order {
			if err := insertFixtures(ctx, tx, db, tables[name], tables, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// readFixtureFile reads one file and checks it against its table.
func readFixtureFile(ctx context.Context, db *record.DB, file string) (*fixtureTable, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	rel := filepath.ToSlash(filepath.Join(FixturesDir, filepath.Base(file)))
	ft, err := parseFixtures(rel, data)
	if err != nil {
		return nil, err
	}
	ft.cols, err = record.TableColumns(ctx, db, ft.name)
	if err != nil {
		return nil, err
	}
	if len(ft.cols) == 0 {
		return nil, fmt.Errorf("%w %s: the test database has no table %q (files are named after their table; is a migration missing?)", ErrFixture, rel, ft.name)
	}
	return ft, nil
}

// parseFixtures parses a fixture file (rel is its path in the app, named
// after its table): a mapping of labels to mappings of columns to values.
func parseFixtures(rel string, data []byte) (*fixtureTable, error) {
	name := strings.TrimSuffix(path.Base(rel), ".yml")
	ft := &fixtureTable{name: name, file: rel, rows: map[string]map[string]any{}, ids: map[string]any{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrFixture, rel, err)
	}
	if len(doc.Content) == 0 {
		return ft, nil // an empty file: the table is emptied
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w %s: want a mapping of labels to rows (first: {title: Hello})", ErrFixture, rel)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key := top.Content[i]
		label := key.Value
		if key.Kind != yaml.ScalarNode || label == "" {
			return nil, fmt.Errorf("%w %s:%d: a label must be a plain name", ErrFixture, rel, key.Line)
		}
		var row map[string]any
		if err := top.Content[i+1].Decode(&row); err != nil {
			return nil, fmt.Errorf("%w %s:%d: %s: want a mapping of columns to values: %w", ErrFixture, rel, key.Line, label, err)
		}
		if _, dup := ft.rows[label]; dup {
			return nil, fmt.Errorf("%w %s:%d: the label %q is used twice", ErrFixture, rel, key.Line, label)
		}
		if row == nil {
			row = map[string]any{}
		}
		ft.labels = append(ft.labels, label)
		ft.rows[label] = row
	}
	return ft, nil
}

func (ft *fixtureTable) column(name string) *record.Column {
	for i := range ft.cols {
		if ft.cols[i].Name == name {
			return &ft.cols[i]
		}
	}
	return nil
}

func (ft *fixtureTable) columnNames() string {
	names := make([]string, len(ft.cols))
	for i, c := range ft.cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// refTable is the table a reference column x_id points at: xs.
func refTable(column string) string {
	return inflect.Pluralize(strings.TrimSuffix(column, "_id"))
}

// fixtureOrder sorts the tables so that a table comes after the tables
// its fixtures refer to (a column x_id, or a reference by label x, with a
// fixture file xs.yml): the order to insert in, reversed to delete.
func fixtureOrder(tables map[string]*fixtureTable) ([]string, error) {
	for _, ft := range tables {
		deps := map[string]bool{}
		for _, c := range ft.cols {
			if strings.HasSuffix(c.Name, "_id") {
				if ref := refTable(c.Name); ref != ft.name && tables[ref] != nil {
					deps[ref] = true
				}
			}
		}
		ft.deps = slices.Sorted(func(yield func(string) bool) {
			for d := range deps {
				if !yield(d) {
					return
				}
			}
		})
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range tables {
			if !yield(n) {
				return
			}
		}
	})
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%w: the fixture tables refer to each other in a cycle (%s): load one side's references after, or drop one", ErrFixture, strings.Join(append(path, n), " -> "))
		}
		state[n] = 1
		for _, d := range tables[n].deps {
			if err := visit(d, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// insertFixtures inserts ft's rows: references by label become ids,
// $LABEL in a string becomes the label, and id, created_at and updated_at
// are filled when the row does not give them.
func insertFixtures(ctx context.Context, tx *record.Tx, db *record.DB, ft *fixtureTable, tables map[string]*fixtureTable, now any) error {
	for _, label := range ft.labels {
		vals := map[string]any{}
		for key, v := range ft.rows[label] {
			if s, ok := v.(string); ok {
				v = strings.ReplaceAll(s, "$LABEL", label)
			}
			switch {
			case ft.column(key) != nil:
				vals[key] = fixtureValue(ft.column(key), v)
			case ft.column(key+"_id") != nil:
				ref, ok := v.(string)
				if !ok {
					return fmt.Errorf("%w %s: %s: %s refers to a %s by label, so its value is a label, not %v", ErrFixture, ft.file, label, key, key, v)
				}
				if target := tables[refTable(key+"_id")]; target != nil && target.rows[ref] == nil {
					return fmt.Errorf("%w %s: %s: %s: %s has no fixture labeled %q (labels: %s)", ErrFixture, ft.file, label, key, target.file, ref, strings.Join(target.labels, ", "))
				}
				vals[key+"_id"] = ID(ref)
			default:
				return fmt.Errorf("%w %s: %s: the table %s has no column %s (nor %s_id) (columns: %s)", ErrFixture, ft.file, label, ft.name, key, key, ft.columnNames())
			}
		}
		if c := ft.column("id"); c != nil && vals["id"] == nil {
			if strings.Contains(c.Type, "uuid") || strings.Contains(c.Type, "char") || c.Type == "text" {
				vals["id"] = UUID(label)
			} else {
				vals["id"] = ID(label)
			}
		}
		ft.ids[label] = vals["id"]
		for _, ts := range []string{"created_at", "updated_at"} {
			if ft.column(ts) != nil && vals[ts] == nil {
				vals[ts] = now
			}
		}
		cols := slices.Sorted(func(yield func(string) bool) {
			for k := range vals {
				if !yield(k) {
					return
				}
			}
		})
		quoted, marks, args := make([]string, len(cols)), make([]string, len(cols)), make([]any, len(cols))
		for i, c := range cols {
			quoted[i], marks[i], args[i] = db.Quote(c), "?", vals[c]
		}
		sql := "INSERT INTO " + db.Quote(ft.name) + " (" + strings.Join(quoted, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("%w %s: %s: %w", ErrFixture, ft.file, label, err)
		}
	}
	if db.Adapter() == record.PostgreSQL && ft.column("id") != nil && len(ft.labels) > 0 {
		// Move the id sequence past the fixtures' ids, as Rails does, so
		// the app's inserts do not collide with them.
		q := db.Quote(ft.name)
		sql := "SELECT setval(pg_get_serial_sequence('" + q + "', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM " + q
		if s := ft.column("id"); s.Default != nil && strings.Contains(*s.Default, "nextval") {
			if err := tx.QueryRows(ctx, sql, nil, func(func(...any) error) error { return nil }); err != nil {
				return fmt.Errorf("%w %s: reset the id sequence: %w", ErrFixture, ft.file, err)
			}
		}
	}
	return nil
}

// Fixture returns the fixture labeled label of T's table, as the test's
// transaction sees it (read with the Case's context, so a test that
// changed it sees its change). It fails the test when the table has no
// fixture file or no such label, naming the labels there are.
func Fixture[T any](c *Case, label string) T {
	c.t.Helper()
	var zero T
	db := c.DB()
	if db == nil {
		c.t.Fatal("gorailstest: Fixture: the app has no database")
		return zero
	}
	table, err := record.TableName[T](c.ctx, db)
	if err != nil {
		c.t.Fatalf("gorailstest: Fixture: %v", err)
		return zero
	}
	ids, ok := c.kit.fixtures.ids[table]
	if !ok {
		c.t.Fatalf("gorailstest: Fixture: no %s/%s.yml for %T's table", FixturesDir, table, zero)
		return zero
	}
	id, found := ids[label]
	if !found {
		c.t.Fatalf("gorailstest: Fixture: %s/%s.yml has no fixture labeled %q (labels: %s)", FixturesDir, table, label, strings.Join(c.kit.fixtures.labels(table), ", "))
		return zero
	}
	if id == nil {
		c.t.Fatalf("gorailstest: Fixture: the table %s has no id column to find %q by", table, label)
		return zero
	}
	m, err := record.Query[T](db).Find(c.ctx, id)
	if err != nil {
		c.t.Fatalf("gorailstest: Fixture %s %q: %v", table, label, err)
	}
	return m
}

// timeLayouts are the ways a fixture may write a date or a time.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

// fixtureValue converts a fixture's value for its column: a date or time
// written as text becomes a time.Time (UTC unless it names a zone), so
// every driver stores it as it stores the app's times.
func fixtureValue(col *record.Column, v any) any {
	s, ok := v.(string)
	if !ok || !(strings.Contains(col.Type, "date") || strings.Contains(col.Type, "time")) {
		return v
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return v
}
