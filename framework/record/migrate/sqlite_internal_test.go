package migrate

import (
	"maps"
	"testing"
)

func TestForeignKeyNames(t *testing.T) {
	sql := `CREATE TABLE "posts" (
  "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
  "user_id" bigint,
  "created_at" datetime NOT NULL, "label_id" char(36) CONSTRAINT "fk_posts_label_id" REFERENCES "labels" ("id"), "x" integer CONSTRAINT "custom ""x""" REFERENCES "xs" ("id"),
  CONSTRAINT "posts_author" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
)`
	want := map[string]string{"user_id": "posts_author", "label_id": "fk_posts_label_id", "x": `custom "x"`}
	if got := foreignKeyNames(sql); !maps.Equal(got, want) {
		t.Errorf("foreignKeyNames = %v, want %v", got, want)
	}
}
