package migrate

import (
	"regexp"
	"strconv"
)

// schemaVersionsRE finds the INSERT INTO schema_migrations that ends a
// schema dump, whatever the quoting of the database.
var schemaVersionsRE = regexp.MustCompile("(?s)INSERT INTO [`\"]?" + TableName + "[`\"]? \\([`\"]?version[`\"]?\\) VALUES\\s*(.*?);")

var versionRE = regexp.MustCompile(`'(\d{1,18})'`)

// SchemaVersions returns the versions a schema dump (DumpSchema's text,
// db/schema.sql) records as applied: those of the migrations the database
// it was dumped from had run. The test environment compares them with the
// app's migrations to tell that the schema is behind.
func SchemaVersions(schema string) map[int64]bool {
	out := map[int64]bool{}
	for _, m := range schemaVersionsRE.FindAllStringSubmatch(schema, -1) {
		for _, v := range versionRE.FindAllStringSubmatch(m[1], -1) {
			if n, err := strconv.ParseInt(v[1], 10, 64); err == nil {
				out[n] = true
			}
		}
	}
	return out
}
