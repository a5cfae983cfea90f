package migrate_test

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/migrate/internal/appmigrate"
)

func TestSchemaVersionsReadsADump(t *testing.T) {
	t.Parallel()
	db := open(t, record.Config{Adapter: "sqlite3", Database: filepath.Join(t.TempDir(), "versions.sqlite3")})
	m := newMigrator(t, db, appmigrate.All(), migrate.Options{})
	if err := m.Migrate(ctxT(t), 20260101000000); err != nil {
		t.Fatal(err)
	}
	schema, err := migrate.DumpSchema(ctxT(t), db)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(migrate.SchemaVersions(schema))); !slices.Equal(got, []int64{20260101000000}) {
		t.Errorf("SchemaVersions = %v, want [20260101000000]\n%s", got, schema)
	}
}

func TestSchemaVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, schema string
		want         []int64
	}{
		{"PostgreSQL quoting", "CREATE TABLE \"x\" (id int);\nINSERT INTO \"schema_migrations\" (\"version\") VALUES\n('20260101000000'),\n('20260102000000');\n", []int64{20260101000000, 20260102000000}},
		{"MySQL quoting", "INSERT INTO `schema_migrations` (`version`) VALUES\n('20260101000000');\n", []int64{20260101000000}},
		{"no versions", "CREATE TABLE x (id int);\n", nil},
		{"a version elsewhere is not one", "INSERT INTO posts (title) VALUES ('20260101000000');\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := slices.Sorted(maps.Keys(migrate.SchemaVersions(tt.schema)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("SchemaVersions = %v, want %v", got, tt.want)
			}
		})
	}
}
