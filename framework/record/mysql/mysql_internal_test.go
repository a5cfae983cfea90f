package mysql

import (
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/gorails/gorails/framework/record/driver"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want driver.Kind
	}{
		{"duplicate", &gomysql.MySQLError{Number: 1062}, driver.KindUnique},
		{"null", &gomysql.MySQLError{Number: 1048}, driver.KindNotNull},
		{"foreign key", &gomysql.MySQLError{Number: 1452}, driver.KindForeignKey},
		{"deadlock", &gomysql.MySQLError{Number: 1213}, driver.KindDeadlockDetected},
		{"lock wait timeout", &gomysql.MySQLError{Number: 1205}, driver.KindDeadlock},
		{"check", &gomysql.MySQLError{Number: 3819}, driver.KindCheck},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("%s: classify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		o              driver.Options
		addr, db, user string
	}{
		{"a mysql:// url", driver.Options{URL: "mysql://app:pw@db.internal/blog"}, "db.internal:3306", "blog", "app"},
		{"a DSN", driver.Options{URL: "app:pw@tcp(10.0.0.1:3307)/blog"}, "10.0.0.1:3307", "blog", "app"},
		{"discrete fields", driver.Options{Host: "h", Username: "u", Database: "d"}, "h:3306", "d", "u"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.addr || c.DBName != tt.db || c.User != tt.user || !c.ParseTime || c.Loc != time.UTC || !c.ClientFoundRows || c.InterpolateParams {
				t.Fatalf("config = %+v", c)
			}
		})
	}
	if _, err := config(driver.Options{URL: "u:topsecret@tcp(bad"}); err == nil || err.Error() != "invalid MySQL DSN" {
		t.Fatalf("a bad DSN: %v", err)
	}
}
