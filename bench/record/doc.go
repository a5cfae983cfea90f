// Package record benchmarks framework/record and GORM against raw pgx on
// PostgreSQL, in the same run, with the operations and schema of
// framework/record's own benchmark (find by id, load 100 rows, insert one,
// update one, insert 100 in one statement), so that the record/pgx and
// GORM/pgx ratios stand side by side. record runs on its PostgreSQL driver
// (framework/record/postgres), which links pgx and no other database
// client. Run:
//
//	cd bench && go test -run '^$' -bench . -benchmem ./record/
package record
