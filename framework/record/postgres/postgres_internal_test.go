package postgres

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorails/gorails/framework/record/driver"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want driver.Kind
	}{
		{"unique", &pgconn.PgError{Code: "23505"}, driver.KindUnique},
		{"not null", &pgconn.PgError{Code: "23502"}, driver.KindNotNull},
		{"foreign key", &pgconn.PgError{Code: "23503"}, driver.KindForeignKey},
		{"check", &pgconn.PgError{Code: "23514"}, driver.KindCheck},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, driver.KindDeadlockDetected},
		{"serialization failure, wrapped", fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"}), driver.KindDeadlock},
		{"a failed connect", &pgconn.ConnectError{}, driver.KindUnavailable},
		{"anything else", errors.New("x"), driver.KindUnknown},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("%s: classify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConnString(t *testing.T) {
	t.Parallel()
	got := connString(driver.Options{Host: "db", Port: 5433, Username: "app", Password: "p@ss", Database: "blog", Params: map[string]string{"sslmode": "require"}})
	for _, want := range []string{"postgres://app:p%40ss@db:5433/blog?", "sslmode=require", "connect_timeout=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("connString = %s, want it to contain %s", got, want)
		}
	}
	if got := connString(driver.Options{URL: "postgres://x/y"}); got != "postgres://x/y" {
		t.Errorf("a URL is used as it is: %s", got)
	}
}
