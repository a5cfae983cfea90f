package gorailstest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/gorails/gorails/framework/job"
)

// Enqueued returns the arguments of the jobs of the kind registered for A
// that the test enqueued and that have not run, in order.
func Enqueued[A any](c *Case) []A {
	c.t.Helper()
	return decodeJobs[A](c, c.jobs.Enqueued())
}

// Performed returns the arguments of the jobs of the kind registered for A
// that PerformEnqueuedJobs ran, in order.
func Performed[A any](c *Case) []A {
	c.t.Helper()
	return decodeJobs[A](c, c.jobs.Performed())
}

// AssertEnqueued checks that the test enqueued a job of the kind
// registered for A with exactly want for arguments (and it has not run).
func AssertEnqueued[A any](c *Case, want A) {
	c.t.Helper()
	got := Enqueued[A](c)
	for _, g := range got {
		if reflect.DeepEqual(g, want) {
			return
		}
	}
	c.t.Fatalf("gorailstest: no %s job enqueued with %+v (enqueued: %s)", kindOf[A](c), want, describeJobs(c.jobs.Enqueued()))
}

// AssertNoEnqueued checks that the test enqueued no job of A's kind.
func AssertNoEnqueued[A any](c *Case) {
	c.t.Helper()
	if got := Enqueued[A](c); len(got) > 0 {
		c.t.Fatalf("gorailstest: %d %s jobs enqueued, want none: %+v", len(got), kindOf[A](c), got)
	}
}

// AssertPerformed checks that PerformEnqueuedJobs ran a job of the kind
// registered for A with exactly want for arguments.
func AssertPerformed[A any](c *Case, want A) {
	c.t.Helper()
	for _, g := range Performed[A](c) {
		if reflect.DeepEqual(g, want) {
			return
		}
	}
	c.t.Fatalf("gorailstest: no %s job performed with %+v (performed: %s)", kindOf[A](c), want, describeJobs(c.jobs.Performed()))
}

func kindOf[A any](c *Case) string {
	c.t.Helper()
	if c.App.Jobs == nil {
		c.t.Fatal("gorailstest: the app has no job client")
	}
	kind := job.For[A](c.App.Jobs).Kind()
	if kind == "" {
		var zero A
		c.t.Fatalf("gorailstest: no job kind takes %T (is it registered in app/jobs.Register?)", zero)
	}
	return kind
}

func decodeJobs[A any](c *Case, records []job.Record) []A {
	c.t.Helper()
	kind := kindOf[A](c)
	var out []A
	for _, r := range records {
		if r.Kind != kind {
			continue
		}
		var a A
		if err := json.Unmarshal(r.Args, &a); err != nil {
			c.t.Fatalf("gorailstest: decode the arguments of a %s job: %v", kind, err)
		}
		out = append(out, a)
	}
	return out
}

func describeJobs(rs []job.Record) string {
	if len(rs) == 0 {
		return "none"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s %s at %s", r.Kind, r.Args, r.RunAt.Format("2006-01-02 15:04:05"))
	}
	return strings.Join(parts, "; ")
}
