// Package record benchmarks GORM against raw pgx on PostgreSQL with the
// operations and schema of framework/record's own benchmark (find by id,
// load 100 rows, insert one, update one, insert 100 in one statement), so
// that record/pgx and GORM/pgx ratios can be set side by side.
//
// It does not import framework/record: the bench module's go.sum lacks the
// MySQL and SQLite drivers record compiles in. Run:
//
//	cd bench && go test -run '^$' -bench . -benchmem ./record/
package record
