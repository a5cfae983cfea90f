package migrate_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/migrate/internal/appmigrate"
)

func TestMethodsNameEachMigrationAfterItsFile(t *testing.T) {
	t.Parallel()
	ms := appmigrate.All()
	var files []string
	for _, m := range ms {
		files = append(files, m.File)
	}
	slices.Sort(files)
	if want := []string{"20260101000000_create_notes.go", "20260102000000_add_body_to_notes.go"}; !slices.Equal(files, want) {
		t.Fatalf("files %q, want %q", files, want)
	}
	db := open(t, record.Config{Adapter: "sqlite3", Database: filepath.Join(t.TempDir(), "methods.sqlite3")})
	m := newMigrator(t, db, ms, migrate.Options{})
	if err := m.Migrate(ctxT(t), migrate.Latest); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Version(ctxT(t)); err != nil || v != 20260102000000 {
		t.Errorf("version %d (%v), want 20260102000000", v, err)
	}
}

func TestMethodsReportEachMistakeWithItsFile(t *testing.T) {
	t.Parallel()
	db := open(t, record.Config{Adapter: "sqlite3", Database: filepath.Join(t.TempDir(), "bad.sqlite3")})
	_, err := migrate.New(db, migrate.Methods(appmigrate.Bad{}), migrate.Options{})
	if err == nil {
		t.Fatal("New accepted Bad's methods")
	}
	for _, want := range []string{
		"internal/appmigrate/migrations.go declares the migration Bad.Misplaced, so it must be named VERSION_name.go",
		"internal/appmigrate/migrations.go: Bad.Helper is not a migration: a method of Bad must be func() migrate.Migration",
		"internal/appmigrate/migrations.go: (*Bad).Pointer has a pointer receiver",
		"internal/appmigrate/20260103000000_two.go declares two migrations, Bad.One and Bad.Two",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := migrate.New(db, migrate.Methods(nil), migrate.Options{}); err == nil || !strings.Contains(err.Error(), "Methods(nil)") {
		t.Errorf("Methods(nil): %v", err)
	}
}
