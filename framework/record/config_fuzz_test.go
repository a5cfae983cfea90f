package record_test

import (
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// FuzzParseConfig feeds database.yml text and DATABASE_URL values: parsing
// never panics, and a configuration that parses never shows its password
// in String (what logs and error pages print).
func FuzzParseConfig(f *testing.F) {
	f.Add("production:\n  adapter: postgresql\n  database: app\n  password: hunter2hunter2\n", "")
	f.Add("default: &d\n  adapter: sqlite3\n  pool: 5\nproduction:\n  <<: *d\n  database: db/p.sqlite3\n", "")
	f.Add("production:\n  url: ${DATABASE_URL:-sqlite3:db/x.sqlite3}\n", "postgres://u:hunter2hunter2@h:5432/app?sslmode=disable")
	f.Add("production:\n  adapter: mysql\n  host: db\n  port: 99999999999\n", "mysql://root:hunter2hunter2@tcp(db:3306)/app")
	f.Add("production: [1, 2]\n", "")
	f.Add("production:\n  idle_timeout: .inf\n  checkout_timeout: -1\n", "")
	f.Add("a: &a [*a]\n", "")
	f.Fuzz(func(t *testing.T, yml, databaseURL string) {
		getenv := func(k string) string {
			if k == "DATABASE_URL" {
				return databaseURL
			}
			return ""
		}
		cfg, err := record.ParseConfig([]byte(yml), "production", getenv)
		if err != nil {
			return
		}
		const pw = "hunter2hunter2"
		if cfg.Password == pw && strings.Contains(cfg.String(), pw) {
			t.Fatalf("String() shows the password: %s", cfg.String())
		}
		if strings.Contains(cfg.URL, ":"+pw+"@") && strings.Contains(cfg.String(), pw) {
			t.Fatalf("String() shows the URL's password: %s", cfg.String())
		}
	})
}
