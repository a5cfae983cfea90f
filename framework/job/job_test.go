package job

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

type namedJob struct{}

func (namedJob) Kind() string                            { return "mail.welcome" }
func (namedJob) Perform(context.Context, echoArgs) error { return nil }

type slowJob struct{}

func (slowJob) Perform(ctx context.Context, _ echoArgs) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestKindName(t *testing.T) {
	c := New(Config{})
	tests := []struct {
		kind string
		want string
	}{
		{Register(c, echoJob{}).Kind(), "echoJob"},
		{Register(c, &slowJob{}).Kind(), "slowJob"},
		{Register(c, namedJob{}).Kind(), "mail.welcome"},
	}
	for _, tt := range tests {
		if tt.kind != tt.want {
			t.Errorf("kind %q, want %q", tt.kind, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a kind twice did not panic")
		}
	}()
	Register(c, echoJob{})
}

type codeError struct{ code int }

func (e codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

func TestJudge(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		attempt int
		err     error
		want    verdict
	}{
		{"an error before the last attempt is retried", nil, 1, errBoom, retry},
		{"an error on the last attempt is dead", []Option{MaxAttempts(3)}, 3, errBoom, kill},
		{"Discard drops the job", nil, 1, Discard(errBoom), drop},
		{"DiscardOn drops a matching error", []Option{DiscardOn(fs.ErrNotExist)}, 1, fmt.Errorf("open: %w", fs.ErrNotExist), drop},
		{"DiscardOnType drops a matching error type", []Option{DiscardOnType[codeError]()}, 1, fmt.Errorf("x: %w", codeError{4}), drop},
		{"RetryOn retries a matching error", []Option{RetryOn(errBoom)}, 1, errBoom, retry},
		{"RetryOn kills any other error", []Option{RetryOn(fs.ErrNotExist)}, 1, errBoom, kill},
		{"RetryOnType retries a matching error type", []Option{RetryOnType[codeError]()}, 1, codeError{5}, retry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Options
			for _, opt := range tt.opts {
				opt(&o)
			}
			o = o.withDefaults()
			if got := o.judge(tt.attempt, tt.err); got != tt.want {
				t.Errorf("judge = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, time.Second, 2100 * time.Millisecond},
		{2, 16 * time.Second, 18600 * time.Millisecond},
		{5, 625 * time.Second, 688500 * time.Millisecond},
		{10, 10000 * time.Second, 11001 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := DefaultBackoff(tt.attempt); d < tt.min || d >= tt.max {
				t.Fatalf("DefaultBackoff(%d) = %v, want in [%v, %v)", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestRetryScheduleUsesBackoff(t *testing.T) {
	clk := newClock()
	c := New(Config{Now: clk.Now})
	Register(c, echoJob{})
	for attempt := 1; attempt <= 4; attempt++ {
		o := c.judge(&Record{Kind: "echoJob", Attempt: attempt, MaxAttempts: 25}, errBoom)
		base := time.Duration(attempt*attempt*attempt*attempt) * time.Second
		if d := o.at.Sub(clk.Now()); o.verdict != retry || d < base || d > base+base/10+time.Second {
			t.Errorf("attempt %d: retry in %v (verdict %d), want attempt^4 = %v plus jitter", attempt, d, o.verdict, base)
		}
	}
}

func TestInline(t *testing.T) {
	ctx := context.Background()
	c := New(Config{}) // the zero Config runs jobs inline
	var runs atomic.Int64
	done := make(chan int, 10)
	def := Register(c, countJob{runs: &runs, done: done})
	if _, err := def.PerformIn(ctx, time.Hour, echoArgs{N: 1}); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 1 {
		t.Fatalf("inline ran %d times, want 1", runs.Load())
	}
	failing := Register(c, echoJob{fail: errBoom})
	if _, err := failing.PerformLater(ctx, echoArgs{}); !errors.Is(err, errBoom) {
		t.Fatalf("inline failure: %v, want errBoom", err)
	}
	if _, err := failing.PerformLaterTx(ctx, nil, echoArgs{}); !errors.Is(err, ErrNoTransaction) {
		t.Fatalf("PerformLaterTx without a transaction: %v, want ErrNoTransaction", err)
	}
}

func TestPerformNow(t *testing.T) {
	ctx := context.Background()
	c := New(Config{})
	tests := []struct {
		name  string
		def   func() error
		check func(error) bool
	}{
		{"a panic is returned with its stack", func() error {
			return Register(c, echoJob{panics: true}).PerformNow(ctx, echoArgs{S: "now"})
		}, func(err error) bool {
			var p *PanicError
			return errors.As(err, &p) && strings.Contains(p.Stack, "echoJob.Perform")
		}},
		{"the timeout cancels the context", func() error {
			return Register(c, slowJob{}, Timeout(10*time.Millisecond)).PerformNow(ctx, echoArgs{})
		}, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.def(); !tt.check(err) {
				t.Fatalf("PerformNow: %v", err)
			}
		})
	}
}

func TestAsync(t *testing.T) {
	ctx := context.Background()
	b := Async(2)
	c := New(Config{Backend: b})
	var runs atomic.Int64
	done := make(chan int, 10)
	def := Register(c, countJob{runs: &runs, done: done}, UniqueWhileActive())
	dead := Register(c, echoJob{fail: errBoom}, MaxAttempts(2), Backoff(func(int) time.Duration { return time.Millisecond }))
	if _, err := def.PerformIn(ctx, 20*time.Millisecond, echoArgs{N: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := def.PerformLater(ctx, echoArgs{N: 1}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("unique while scheduled: %v", err)
	}
	if _, err := dead.PerformLater(ctx, echoArgs{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduled job did not run")
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.Close(cctx); err != nil {
		t.Fatal(err)
	}
	if d := b.Dead(); len(d) != 1 || d[0].Attempt != 2 {
		t.Fatalf("dead %+v, want the failing job after 2 attempts", d)
	}
}

type forArgs struct{ N int }

type forJob struct{ got chan int }

func (j forJob) Perform(_ context.Context, a forArgs) error { j.got <- a.N; return nil }

type otherForJob struct{}

func (otherForJob) Perform(context.Context, forArgs) error { return nil }

func TestFor(t *testing.T) {
	ctx := context.Background()
	got := make(chan int, 1)
	c := New(Config{})
	want := Register(c, forJob{got: got})
	if d := For[forArgs](c); d != want {
		t.Fatalf("For returned %p, want the registered Def %p", d, want)
	}
	if _, err := For[forArgs](c).PerformLater(ctx, forArgs{N: 7}); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n != 7 {
		t.Fatalf("job got %d, want 7", n)
	}

	tests := []struct {
		name string
		c    *Client
		want string
	}{
		{"unregistered", New(Config{}), "no job kind takes job.forArgs"},
		{"ambiguous", func() *Client {
			c := New(Config{})
			Register(c, forJob{got: got})
			Register(c, otherForJob{})
			return c
		}(), "kinds forJob, otherForJob all take job.forArgs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := For[forArgs](tt.c)
			_, errLater := d.PerformLater(ctx, forArgs{})
			_, errIn := d.PerformIn(ctx, time.Second, forArgs{})
			_, errTx := d.PerformLaterTx(ctx, nil, forArgs{})
			errNow := d.PerformNow(ctx, forArgs{})
			for _, err := range []error{errLater, errIn, errTx, errNow} {
				if !errors.Is(err, ErrNotRegistered) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %v, want ErrNotRegistered saying %q", err, tt.want)
				}
			}
			if d.Kind() != "" {
				t.Errorf("Kind() = %q, want empty", d.Kind())
			}
		})
	}
}

// TestInlineRunsTxJobsAfterCommit: on the inline backend a job enqueued
// with PerformLaterTx runs after the commit, and never after a rollback
// (of the transaction, or of the savepoint it was enqueued in); PerformLater
// runs at once, in or out of a transaction.
func TestInlineRunsTxJobsAfterCommit(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, record.SQLite, "inline_tx")
	var runs atomic.Int64
	done := make(chan int, 10)
	def := Register(New(Config{}), countJob{runs: &runs, done: done})

	err := record.Transaction(ctx, db, func(tx *record.Tx) error {
		if _, err := def.PerformLaterTx(ctx, tx, echoArgs{N: 1}); err != nil {
			return err
		}
		_ = record.Transaction(ctx, tx, func(sp *record.Tx) error {
			_, err := def.PerformLaterTx(ctx, sp, echoArgs{N: 2})
			return errors.Join(err, errors.New("undo the savepoint"))
		}, record.RequiresNew())
		if n := runs.Load(); n != 0 {
			t.Errorf("%d jobs ran inside the transaction", n)
		}
		return nil
	})
	if err != nil || runs.Load() != 1 {
		t.Fatalf("after commit: %v, %d runs; want 1", err, runs.Load())
	}

	errUndo := errors.New("undo")
	err = record.Transaction(ctx, db, func(tx *record.Tx) error {
		if _, err := def.PerformLaterTx(ctx, tx, echoArgs{N: 3}); err != nil {
			return err
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) || runs.Load() != 1 {
		t.Fatalf("after rollback: %v, %d runs; want errUndo and still 1", err, runs.Load())
	}

	err = record.Transaction(ctx, db, func(tx *record.Tx) error {
		_, err := def.PerformLater(ctx, echoArgs{N: 4}) // not part of tx: runs now
		if runs.Load() != 2 {
			t.Errorf("PerformLater inside a transaction did not run at once")
		}
		return errors.Join(err, errUndo)
	})
	if !errors.Is(err, errUndo) || runs.Load() != 2 {
		t.Fatalf("PerformLater: %v, %d runs; want 2", err, runs.Load())
	}
}

// TestDatabaseCheck: Check tells a missing jobs table from a present one on
// every database.
func TestDatabaseCheck(t *testing.T) {
	for _, adapter := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(adapter, func(t *testing.T) {
			ctx := context.Background()
			db := openEmptyDB(t, adapter, "job_check")
			b := Database(db)
			if err := b.Check(ctx); !errors.Is(err, ErrNoTable) {
				t.Fatalf("Check without the table: %v, want ErrNoTable", err)
			}
			if err := CreateTables(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := b.Check(ctx); err != nil {
				t.Fatalf("Check with the table: %v", err)
			}
		})
	}
}
