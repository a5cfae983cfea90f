package appmigrate

import "github.com/gorails/gorails/framework/record/migrate"

// AddBodyToNotes adds notes.body.
func (Migrations) AddBodyToNotes() migrate.Migration {
	return migrate.Migration{Change: func(s *migrate.Schema) {
		s.AddColumn("notes", "body", migrate.Text)
	}}
}
