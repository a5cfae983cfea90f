package migrate

import "github.com/gorails/gorails/framework/record/migrate"

// CreatePosts is the migration in this file; db/migrate/migrations.go lists it.
func CreatePosts() migrate.Migration {
	return migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable("posts", func(t *migrate.Table) {
			t.String("title")
			t.Text("body")
			t.Timestamps()
			t.Index([]string{"created_at"})
		})
	}}
}
