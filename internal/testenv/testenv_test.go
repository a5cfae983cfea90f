package testenv

import (
	"strings"
	"testing"
	"time"
)

func TestUniqueNamesDifferAndAreSweptOnlyWhenStale(t *testing.T) {
	a, b := uniqueName("Record/TestFoo"), uniqueName("Record/TestFoo")
	if a == b {
		t.Fatalf("two calls gave the same name %q", a)
	}
	if !strings.HasPrefix(a, "gorails_test_record_testfoo_") || len(a) > 63 {
		t.Fatalf("name %q: want the gorails_test_ prefix, the cleaned name and at most 63 bytes", a)
	}
	long := uniqueName(strings.Repeat("x", 200))
	if len(long) > 63 {
		t.Fatalf("name %q is longer than PostgreSQL's 63-byte limit", long)
	}
	now := time.Now()
	tests := []struct {
		name  string
		db    string
		at    time.Time
		stale bool
	}{
		{"a fresh database of another run is kept", a, now, false},
		{"one older than six hours is dropped", a, now.Add(7 * time.Hour), true},
		{"a database not made by uniqueName is never dropped", "gorails_test_record", now.Add(100 * time.Hour), false},
		{"nor an app's own database", "blog_development", now.Add(100 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isStale(tt.db, tt.at); got != tt.stale {
				t.Errorf("isStale(%q) = %v, want %v", tt.db, got, tt.stale)
			}
		})
	}
}
