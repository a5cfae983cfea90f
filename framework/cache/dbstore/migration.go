package dbstore

import (
	"context"
	"fmt"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// Table is the table the store keeps entries in.
const Table = "gorails_cache_entries"

// MigrationFile is the file name Migration carries: its version sorts
// after the jobs table's and before an app's own migrations.
const MigrationFile = "20260101000001_create_gorails_cache_entries.go"

// Migration creates the store's table (Solid Cache's solid_cache_entries).
// A new app lists it second in db/migrate,
// 20260101000001_create_gorails_cache_entries.go (func (Migrations)
// CreateGorailsCacheEntries() migrate.Migration). Entries are found by
// key_hash, the first 8 bytes of the key's SHA-256 (unique); the key itself
// is kept to tell a collision from a hit. Times are microseconds since the
// Unix epoch (bigint), the same on every database; expires_at 0 never
// expires (not NULL: reads need no COALESCE). created_at (the time of the last write) orders trimming.
func Migration() migrate.Migration {
	return migrate.File(MigrationFile, migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable(Table, func(t *migrate.Table) {
			t.BigInt("key_hash", migrate.Null(false))
			t.Binary("cache_key", migrate.Null(false))
			t.Binary("value", migrate.Null(false))
			t.Integer("byte_size", migrate.Null(false))
			t.BigInt("created_at", migrate.Null(false))
			t.BigInt("expires_at", migrate.Null(false), migrate.Default(0))
			t.Index([]string{"key_hash"}, migrate.Unique, migrate.IndexName("index_gorails_cache_entries_on_key_hash"))
			t.Index([]string{"created_at"}, migrate.IndexName("index_gorails_cache_entries_on_created_at"))
			t.Index([]string{"expires_at"}, migrate.IndexName("index_gorails_cache_entries_on_expires_at"))
		}, migrate.PrimaryKey(migrate.IntKey))
	}})
}

// CreateTable applies Migration to db (recording it in schema_migrations)
// if it is not applied yet: for apps that do not list it and for tests.
func CreateTable(ctx context.Context, db *record.DB) error {
	m, err := migrate.New(db, []migrate.Migration{Migration()}, migrate.Options{})
	if err != nil {
		return fmt.Errorf("dbstore: create table: %w", err)
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		return fmt.Errorf("dbstore: create table: %w", err)
	}
	return nil
}
