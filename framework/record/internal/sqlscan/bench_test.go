package sqlscan

import (
	"strings"
	"testing"
)

// insert100 is the INSERT record's InsertAll writes for 100 rows of 8 columns.
func insert100() string {
	var b strings.Builder
	b.WriteString(`INSERT INTO "posts" ("created_at", "updated_at", "title", "body", "published", "views", "rating", "user_id") VALUES `)
	for i := range 100 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

func BenchmarkRebind(b *testing.B) {
	for _, tt := range []struct{ name, sql string }{
		{"find", `SELECT "posts"."id", "posts"."title" FROM "posts" WHERE "posts"."id" = ? LIMIT ?`},
		{"insert100", insert100()},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Rebind(tt.sql, false)
			}
		})
	}
}
