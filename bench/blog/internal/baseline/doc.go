// Package baseline is what the blog benchmark's two hand-written servers
// (plain net/http and gin) share below their HTTP layer, written as a Go
// developer without a framework would: SQL by hand with statements
// prepared once, html/template, encoding/json.
//
// SQLite goes through database/sql (modernc.org/sqlite, the driver gorails
// uses); PostgreSQL through pgx's own pool, not database/sql, because that
// is what gorails' PostgreSQL adapter uses and what a Go developer reaching
// for PostgreSQL today writes (sqlc's default): database/sql over
// pgx/stdlib would add a layer the framework does not pay, and flatter it.
// Both pools hold 5 connections, gorails' default.
package baseline
