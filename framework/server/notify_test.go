//go:build unix

package server

import (
	"strings"
	"testing"
)

// TestABadNotifyDescriptorIsOneClearError: a server started with a
// notify descriptor that is not a number, not above stderr, or not an
// open socket refuses to start, naming the variable, instead of writing
// to whatever that descriptor is.
func TestABadNotifyDescriptorIsOneClearError(t *testing.T) {
	for _, v := range []string{"", "x", "-1", "2", "99999"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(notifyEnv, v)
			n, err := notifierFromEnv()
			if err == nil || n != nil {
				t.Fatalf("%s=%q: got %v, %v; want an error", notifyEnv, v, n, err)
			}
			if !strings.Contains(err.Error(), notifyEnv+"=") {
				t.Errorf("the error %q does not say what is wrong", err)
			}
		})
	}
}
