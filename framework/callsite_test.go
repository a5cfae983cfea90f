package framework

import "testing"

func TestIsStdlib(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fn   string
		want bool
	}{
		{"runtime.goexit", true},
		{"sync.(*Once).Do", true},
		{"net/http.(*conn).serve", true},
		{"database/sql.(*DB).QueryContext", true},
		{"main.main", false},
		{"github.com/jackc/pgx/v5.(*Conn).Query", false},
		{"modernc.org/sqlite.(*conn).exec", false},
		{"golang.org/toolchain/src/runtime.goexit", true},
		{"blog/app/controllers.(*PostsController).Index", true}, // no dot: told apart by the app's root, not here
	}
	for _, tt := range tests {
		if got := isStdlib(tt.fn); got != tt.want {
			t.Errorf("isStdlib(%q) = %v, want %v", tt.fn, got, tt.want)
		}
	}
}

// TestCallSiteOfAFrameworkGoroutineIsEmpty: a statement the framework runs
// on its own goroutine (the job worker's polls) has no app line; the log
// shows none rather than the runtime's goexit.
func TestCallSiteOfAFrameworkGoroutineIsEmpty(t *testing.T) {
	t.Parallel()
	got := make(chan string)
	go func() { got <- callSiteFromHere() }()
	if site := <-got; site != "" {
		t.Errorf("callSite on a bare goroutine = %q, want \"\"", site)
	}
}

// callSiteFromHere stands in for the subscriber's frames above callSite.
func callSiteFromHere() string { return callSite("/nonexistent-root") }
