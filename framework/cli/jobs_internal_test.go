package cli

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/framework"
)

// TestChildArgs: a supervised worker process gets the flags the supervisor
// was given (repeated ones repeated), with -w 0 instead of -w N.
func TestChildArgs(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"-w", "3"}, []string{"jobs", "--workers", "0"}},
		{[]string{"-w", "2", "-c", "20", "-q", "critical:3", "-q", "default", "--strict", "--shutdown-timeout", "40s"},
			[]string{"jobs", "--workers", "0", "--concurrency=20", "--queue=critical:3", "--queue=default", "--shutdown-timeout=40s", "--strict=true"}},
	}
	for _, tt := range tests {
		cmd := jobsCommand(framework.New(framework.Config{Getenv: func(string) string { return "" }}))
		cmd.RunE = func(*cobra.Command, []string) error { return nil }
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got := childArgs(cmd.Flags()); !slices.Equal(got, tt.want) {
			t.Errorf("%q: child args %q, want %q", tt.args, got, tt.want)
		}
	}
}
