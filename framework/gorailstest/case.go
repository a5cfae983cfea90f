package gorailstest

import (
	"context"
	"testing"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/mail"
	"github.com/gorails/gorails/framework/record"
)

// Case is one test's view of the app: its database transaction, its jobs,
// its clock. Get one from App.Test. A Case belongs to its test: use it from
// the test's goroutine (and the goroutines it waits for).
type Case struct {
	// App is the booted application.
	App *framework.App

	t     testing.TB
	kit   *App
	ctx   context.Context
	tx    *record.TestTx
	jobs  *job.Recorder
	mails *mail.Outbox
}

// T is the test the case belongs to.
func (c *Case) T() testing.TB { return c.t }

// Context is the test's context: statements on the app's DB given it run
// in the test's transaction, and jobs enqueued with it are recorded for
// the test. Every request a Session makes carries it.
func (c *Case) Context() context.Context { return c.ctx }

// DB is the app's database (nil when the app has none). Give it the
// Case's Context, as the app's code gets its request's:
//
//	record.Create(tc.Context(), tc.DB(), &post)
func (c *Case) DB() *record.DB { return c.App.DB }

// beginTx begins the test's transaction and rolls it back when the test
// ends.
func (c *Case) beginTx() {
	c.t.Helper()
	tx, err := record.BeginTest(c.ctx, c.App.DB)
	if err != nil {
		c.t.Fatalf("gorailstest: begin the test transaction: %v", err)
	}
	c.tx = tx
	c.ctx = tx.Context(c.ctx)
	c.t.Cleanup(func() {
		if err := tx.Rollback(context.Background()); err != nil {
			c.t.Errorf("gorailstest: roll back the test transaction: %v", err)
		}
	})
}

// newRecorder gives the case its job recorder, in its context.
func (c *Case) newRecorder() *job.Recorder {
	r := job.NewRecorder()
	c.ctx = r.Context(c.ctx)
	return r
}

// newOutbox gives the case its own outbox, in its context: what the app
// delivers for the test (in its requests and the jobs it performs) lands
// there, apart from the other tests' mail.
func (c *Case) newOutbox() *mail.Outbox {
	box := mail.NewOutbox()
	c.ctx = mail.WithOutbox(c.ctx, box)
	return box
}

// Jobs is the recorder of the jobs the test enqueued (on the test
// environment's job backend, job.Test).
func (c *Case) Jobs() *job.Recorder { return c.jobs }

// PerformEnqueuedJobs runs the jobs the test enqueued that are due at the
// app's clock (so Travel brings scheduled jobs due), and those they
// enqueue, failing the test when one fails. It returns how many ran.
func (c *Case) PerformEnqueuedJobs() int {
	c.t.Helper()
	if c.App.Jobs == nil {
		c.t.Fatal("gorailstest: the app has no job client")
	}
	n, err := c.jobs.Perform(c.ctx, c.App.Jobs, c.App.Now())
	if err != nil {
		c.t.Fatalf("gorailstest: PerformEnqueuedJobs: %v", err)
	}
	return n
}

// Travel moves the app's clock d ahead (or back) for the rest of the test:
// record timestamps, job schedules (PerformEnqueuedJobs) and session expiry
// read it. The clock is the app's, shared by its tests, so a test that
// travels cannot run in parallel: Travel fails a test that called
// t.Parallel (through t.Setenv, which refuses such tests).
func (c *Case) Travel(d time.Duration) {
	c.t.Helper()
	c.exclusive()
	now := c.App.Now()
	c.setClock(now.Add(d).Sub(c.kit.clock.base()), time.Time{})
}

// TravelTo moves the app's clock to at, from where it goes on ticking;
// see Travel.
func (c *Case) TravelTo(at time.Time) {
	c.t.Helper()
	c.exclusive()
	c.setClock(at.Sub(c.kit.clock.base()), time.Time{})
}

// Freeze stops the app's clock at at (the current app time when at is
// zero) for the rest of the test; see Travel.
func (c *Case) Freeze(at time.Time) {
	c.t.Helper()
	c.exclusive()
	if at.IsZero() {
		at = c.App.Now()
	}
	c.setClock(0, at)
}

func (c *Case) exclusive() {
	c.t.Helper()
	t, ok := c.t.(interface{ Setenv(k, v string) })
	if !ok {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			c.t.Fatalf("gorailstest: a test that travels in time cannot run in parallel (the app's clock is shared): remove t.Parallel() (%v)", p)
		}
	}()
	t.Setenv("GORAILS_TEST_TIME_TRAVEL", "1") // panics in a parallel test
}

func (c *Case) setClock(offset time.Duration, frozen time.Time) {
	prevOff, prevFrozen := c.kit.clock.set(offset, frozen)
	c.t.Cleanup(func() { c.kit.clock.set(prevOff, prevFrozen) })
}
