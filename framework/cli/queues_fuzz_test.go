package cli

import (
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/job"
)

// FuzzParseQueues feeds `jobs -q` values: parsing never panics, and what it
// accepts has names and weights a worker can use (weights bounded, so that
// a worker summing them cannot overflow: -q a:9223372036854775807 -q b once
// would have).
func FuzzParseQueues(f *testing.F) {
	for _, s := range []string{"default", "critical:3,default", "a:9223372036854775807", "a:0", ":2", "a:", "a:-1", "a: 2, b", "a:b:c", ",,", "a:1048577"} {
		f.Add(s, "mailers:2")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		qs, err := parseQueues([]string{a, b})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--queue ") {
				t.Fatalf("error %q does not name the flag", err)
			}
			return
		}
		total := 0
		for _, q := range qs {
			if q.Name == "" || q.Weight < 1 || q.Weight > job.MaxQueueWeight {
				t.Fatalf("accepted %+v from %q %q", q, a, b)
			}
			total += q.Weight
		}
		if total < 0 {
			t.Fatalf("weights of %q %q overflow", a, b)
		}
	})
}
