package appmigrate

import "github.com/gorails/gorails/framework/record/migrate"

// CreateNotes creates the notes table.
func (Migrations) CreateNotes() migrate.Migration {
	return migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable("notes", func(t *migrate.Table) { t.String("title") })
	}}
}
