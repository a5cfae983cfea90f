package job_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/job"
)

type countArgs struct {
	N    int  `json:"n"`
	Fail bool `json:"fail"`
	Next bool `json:"next"`
}

type countJob struct {
	runs *atomic.Int64
	def  **job.Def[countArgs]
}

func (j countJob) Perform(ctx context.Context, a countArgs) error {
	j.runs.Add(1)
	if a.Fail {
		return errors.New("told to fail")
	}
	if a.Next {
		_, err := (*j.def).PerformLater(ctx, countArgs{N: a.N + 1})
		return err
	}
	return nil
}

func TestTestBackend(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	c := job.New(job.Config{Backend: job.Test(), Now: func() time.Time { return now }})
	var runs atomic.Int64
	var def *job.Def[countArgs]
	def = job.Register(c, countJob{runs: &runs, def: &def})

	t.Run("without a recorder a job runs inline", func(t *testing.T) {
		before := runs.Load()
		if _, err := def.PerformLater(t.Context(), countArgs{}); err != nil {
			t.Fatal(err)
		}
		if runs.Load() != before+1 {
			t.Error("the job did not run inline")
		}
	})
	t.Run("a recorder keeps jobs until Perform runs the due ones", func(t *testing.T) {
		rec := job.NewRecorder()
		ctx := rec.Context(t.Context())
		before := runs.Load()
		if _, err := def.PerformLater(ctx, countArgs{N: 1, Next: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := def.PerformIn(ctx, time.Hour, countArgs{N: 10}); err != nil {
			t.Fatal(err)
		}
		if runs.Load() != before {
			t.Fatal("a recorded job ran at enqueue")
		}
		if got := rec.Enqueued(); len(got) != 2 || got[0].Kind != "countJob" || string(got[0].Args) != `{"n":1,"fail":false,"next":true}` {
			t.Fatalf("Enqueued = %+v", got)
		}
		n, err := rec.Perform(t.Context(), c, now)
		if err != nil || n != 2 {
			t.Fatalf("Perform = %d, %v; want 2 (the due job and the one it enqueued)", n, err)
		}
		if left := rec.Enqueued(); len(left) != 1 || !left[0].RunAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("left = %+v, want the job scheduled in an hour", left)
		}
		if n, err := rec.Perform(t.Context(), c, now.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("Perform an hour later = %d, %v; want 1", n, err)
		}
		if len(rec.Performed()) != 3 || runs.Load() != before+3 {
			t.Errorf("performed %d, runs %d", len(rec.Performed()), runs.Load()-before)
		}
	})
	t.Run("Perform returns a failure naming the job", func(t *testing.T) {
		rec := job.NewRecorder()
		if _, err := def.PerformLater(rec.Context(t.Context()), countArgs{Fail: true}); err != nil {
			t.Fatal(err)
		}
		_, err := rec.Perform(t.Context(), c, now)
		if err == nil || err.Error() != `job countJob {"n":0,"fail":true,"next":false}: told to fail` {
			t.Fatalf("Perform: %v", err)
		}
	})
	t.Run("Perform refuses another backend", func(t *testing.T) {
		if _, err := job.NewRecorder().Perform(t.Context(), job.New(job.Config{}), now); !errors.Is(err, job.ErrNoRecorder) {
			t.Fatalf("Perform on an inline client: %v", err)
		}
	})
}
