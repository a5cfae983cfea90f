package job

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

type echoArgs struct {
	N int    `json:"n"`
	S string `json:"s,omitempty"`
}

// echoJob fails with fail, panics when panics is set, else succeeds.
type echoJob struct {
	fail   error
	panics bool
}

func (j echoJob) Perform(_ context.Context, a echoArgs) error {
	if j.panics {
		panic("kaboom " + a.S)
	}
	return j.fail
}

var errBoom = errors.New("boom")

// fixture is what each store case gets.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   Store
	clk *clock
	c   *Client
}

func (f *fixture) claim(worker string, limit int) []*Record {
	f.t.Helper()
	now := f.clk.Now()
	rs, err := f.s.Claim(f.ctx, worker, DefaultQueue, limit, now, now.Add(30*time.Second))
	if err != nil {
		f.t.Fatalf("claim: %v", err)
	}
	return rs
}

func (f *fixture) stats() Stats {
	f.t.Helper()
	st, err := f.s.Stats(f.ctx, f.clk.Now())
	if err != nil {
		f.t.Fatalf("stats: %v", err)
	}
	return st
}

func (f *fixture) worker() *Worker {
	w, err := NewWorker(f.c, WorkerConfig{ID: "w1"})
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

// mustEnqueue(t)(def.PerformLater(...)) fails the test on an enqueue error.
func mustEnqueue(t *testing.T) func(id int64, err error) int64 {
	return func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		return id
	}
}

type deadLister interface {
	DeadJobs(ctx context.Context, limit int) ([]*Record, error)
}

var storeCases = []struct {
	name  string
	skip  string // backend name the case does not apply to
	check func(f *fixture)
}{
	{name: "a job enqueued now is claimed by one worker and completed", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		id := mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 7, S: "x"}))
		rs := f.claim("w1", 10)
		if len(rs) != 1 || rs[0].ID != id || rs[0].Attempt != 1 || rs[0].Kind != "echoJob" || string(rs[0].Args) != `{"n":7,"s":"x"}` {
			f.t.Fatalf("claimed %+v, want job %d attempt 1", rs, id)
		}
		if again := f.claim("w2", 10); len(again) != 0 {
			f.t.Fatalf("a second worker claimed %d jobs", len(again))
		}
		if st := f.stats(); st.Running != 1 {
			f.t.Fatalf("stats %+v, want 1 running", st)
		}
		if err := f.s.Complete(f.ctx, rs[0], f.clk.Now()); err != nil {
			f.t.Fatal(err)
		}
		if st := f.stats(); st.Running+st.Dead+st.Scheduled+st.Ready[DefaultQueue] != 0 {
			f.t.Fatalf("stats after complete %+v, want empty", st)
		}
	}},
	{name: "a scheduled job waits for its time", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		mustEnqueue(f.t)(def.PerformIn(f.ctx, time.Hour, echoArgs{N: 1}))
		if rs := f.claim("w1", 10); len(rs) != 0 {
			f.t.Fatalf("claimed a job due in an hour")
		}
		if st := f.stats(); st.Scheduled != 1 {
			f.t.Fatalf("stats %+v, want 1 scheduled", st)
		}
		f.clk.Advance(time.Hour)
		if rs := f.claim("w1", 10); len(rs) != 1 {
			f.t.Fatalf("claimed %d jobs when due, want 1", len(rs))
		}
	}},
	{name: "lower priority runs first", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 5}, Priority(5)))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}, Priority(1)))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 0}))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: -2}, Priority(-2)))
		mustEnqueue(f.t)(def.PerformIn(f.ctx, time.Minute, echoArgs{N: 3}, Priority(3)))
		args := func(rs []*Record) string {
			var out []string
			for _, r := range rs {
				out = append(out, string(r.Args))
			}
			return strings.Join(out, " ")
		}
		if rs := f.claim("w1", 1); args(rs) != `{"n":-2}` {
			f.t.Fatalf("claimed %s, want the priority -2 job", args(rs))
		}
		// A released job goes back to its own priority's head.
		rs := f.claim("w1", 1)
		if args(rs) != `{"n":0}` {
			f.t.Fatalf("claimed %s, want the priority 0 job", args(rs))
		}
		if err := f.s.Release(f.ctx, rs[0]); err != nil {
			f.t.Fatal(err)
		}
		if st := f.stats(); st.Ready[DefaultQueue] != 3 || st.Scheduled != 1 {
			f.t.Fatalf("stats %+v, want 3 ready (priorities 0, 1, 5) and 1 scheduled", st)
		}
		if rs := f.claim("w1", 1); args(rs) != `{"n":0}` {
			f.t.Fatalf("after release claimed %s, want the priority 0 job again", args(rs))
		}
		// A scheduled job, once due, takes its place by priority.
		f.clk.Advance(time.Minute)
		if rs := f.claim("w1", 10); args(rs) != `{"n":1} {"n":3} {"n":5}` {
			f.t.Fatalf("claimed %s, want priorities 1, 3, 5 in order", args(rs))
		}
	}},
	{name: "a failing job is retried after its backoff and then dead", check: func(f *fixture) {
		def := Register(f.c, echoJob{fail: errBoom}, MaxAttempts(2), Backoff(func(int) time.Duration { return 10 * time.Second }))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		w := f.worker()
		w.work(f.ctx, f.claim("w1", 1)[0])
		if st := f.stats(); st.Retrying != 1 {
			f.t.Fatalf("stats after a failure %+v, want 1 retrying", st)
		}
		f.clk.Advance(9 * time.Second)
		if rs := f.claim("w1", 1); len(rs) != 0 {
			f.t.Fatal("retried before the backoff")
		}
		f.clk.Advance(time.Second)
		rs := f.claim("w1", 1)
		if len(rs) != 1 || rs[0].Attempt != 2 || !strings.Contains(rs[0].LastError, "boom") {
			f.t.Fatalf("claimed %+v, want attempt 2 with the last error", rs)
		}
		w.work(f.ctx, rs[0])
		if st := f.stats(); st.Dead != 1 || st.Retrying != 0 {
			f.t.Fatalf("stats after the last attempt %+v, want 1 dead", st)
		}
		dead, err := f.s.(deadLister).DeadJobs(f.ctx, 10)
		if err != nil || len(dead) != 1 || !strings.Contains(dead[0].LastError, "boom") {
			f.t.Fatalf("dead jobs %+v, %v", dead, err)
		}
	}},
	{name: "a panic is a failure with its stack recorded", check: func(f *fixture) {
		def := Register(f.c, echoJob{panics: true}, MaxAttempts(1))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{S: "here"}))
		f.worker().work(f.ctx, f.claim("w1", 1)[0])
		dead, err := f.s.(deadLister).DeadJobs(f.ctx, 10)
		if err != nil || len(dead) != 1 {
			f.t.Fatalf("dead jobs %+v, %v", dead, err)
		}
		if msg := dead[0].LastError; !strings.Contains(msg, "kaboom here") || !strings.Contains(msg, "echoJob.Perform") {
			f.t.Fatalf("last error %q, want the panic value and the stack", msg)
		}
	}},
	{name: "DiscardOn drops the job without retry or dead set", check: func(f *fixture) {
		def := Register(f.c, echoJob{fail: errBoom}, DiscardOn(errBoom))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{}))
		f.worker().work(f.ctx, f.claim("w1", 1)[0])
		if st := f.stats(); st.Dead+st.Retrying+st.Running != 0 {
			f.t.Fatalf("stats %+v, want nothing left", st)
		}
	}},
	{name: "a job unique while active is refused until it finishes", check: func(f *fixture) {
		def := Register(f.c, echoJob{}, UniqueWhileActive())
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		if _, err := def.PerformLater(f.ctx, echoArgs{N: 1}); !errors.Is(err, ErrDuplicate) {
			f.t.Fatalf("second enqueue: %v, want ErrDuplicate", err)
		}
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 2})) // other arguments: another job
		rs := f.claim("w1", 10)
		if _, err := def.PerformLater(f.ctx, echoArgs{N: 1}); !errors.Is(err, ErrDuplicate) {
			f.t.Fatalf("enqueue while running: %v, want ErrDuplicate", err)
		}
		for _, r := range rs {
			if err := f.s.Complete(f.ctx, r, f.clk.Now()); err != nil {
				f.t.Fatal(err)
			}
		}
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
	}},
	{name: "a job unique for a period is refused within it, even when done", check: func(f *fixture) {
		def := Register(f.c, echoJob{}, UniqueFor(time.Minute))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		r := f.claim("w1", 1)[0]
		if err := f.s.Complete(f.ctx, r, f.clk.Now()); err != nil {
			f.t.Fatal(err)
		}
		if _, err := def.PerformLater(f.ctx, echoArgs{N: 1}); !errors.Is(err, ErrDuplicate) {
			f.t.Fatalf("enqueue within the period: %v, want ErrDuplicate", err)
		}
		f.clk.Advance(time.Minute + time.Second)
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
	}},
	{name: "the rescuer returns the jobs of an expired lease", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		f.claim("dead-worker", 1)
		f.clk.Advance(29 * time.Second)
		if n, err := f.s.Rescue(f.ctx, f.clk.Now()); err != nil || n != 0 {
			f.t.Fatalf("rescue before expiry: %d, %v", n, err)
		}
		f.clk.Advance(2 * time.Second)
		if n, err := f.s.Rescue(f.ctx, f.clk.Now()); err != nil || n != 1 {
			f.t.Fatalf("rescue after expiry: %d, %v; want 1", n, err)
		}
		rs := f.claim("w2", 1)
		if len(rs) != 1 || rs[0].Attempt != 2 {
			f.t.Fatalf("reclaimed %+v, want the job at attempt 2", rs)
		}
	}},
	{name: "RescueWorker hands back the jobs of an exited process at once, and only its", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		for i := range 3 {
			mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: i}))
		}
		dead, live := WorkerPrefix(4242), WorkerPrefix(42)
		f.claim(dead+"a1b2", 1)
		f.claim(dead+"c3d4", 1)
		f.claim(live+"e5f6", 1) // pid 42's prefix is a prefix of 4242's without the colon
		n, err := f.s.(WorkerRescuer).RescueWorker(f.ctx, dead, f.clk.Now())
		if err != nil || n != 2 {
			f.t.Fatalf("RescueWorker = %d, %v; want the 2 jobs of pid 4242", n, err)
		}
		if st := f.stats(); st.Running != 1 || st.Ready[DefaultQueue] != 2 {
			f.t.Fatalf("stats %+v, want 1 running (pid 42's) and 2 ready", st)
		}
		rs := f.claim("w2", 10)
		if len(rs) != 2 || rs[0].Attempt != 2 || !strings.Contains(rs[0].LastError, "process exited") {
			f.t.Fatalf("reclaimed %+v, want 2 jobs at attempt 2 saying their process exited", rs)
		}
		if _, err := f.s.(WorkerRescuer).RescueWorker(f.ctx, "", f.clk.Now()); !errors.Is(err, ErrInvalidConfig) {
			f.t.Fatalf("RescueWorker with no prefix: %v, want ErrInvalidConfig", err)
		}
	}},
	{name: "RescueLocalDead hands back the jobs of this host's workers whose process is gone", check: func(f *fixture) {
		if runtime.GOOS == "windows" {
			f.t.Skip("no process probe")
		}
		gone := exec.Command(os.Args[0], "-test.run=^$")
		if err := gone.Run(); err != nil {
			f.t.Fatal(err)
		}
		def := Register(f.c, echoJob{})
		for i := range 3 {
			mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: i}))
		}
		f.claim(WorkerPrefix(gone.Process.Pid)+"dead", 1)
		f.claim(WorkerPrefix(os.Getppid())+"alive", 1)
		f.claim("otherhost:"+strconv.Itoa(gone.Process.Pid)+":x", 1)
		w, err := NewWorker(f.c, WorkerConfig{RescueLocalDead: true})
		if err != nil {
			f.t.Fatal(err)
		}
		w.rescue(f.ctx)
		if st := f.stats(); st.Running != 2 || st.Ready[DefaultQueue] != 1 {
			f.t.Fatalf("stats %+v, want the dead process's job ready and the 2 others running", st)
		}
	}},
	{name: "the meta of the enqueuing context travels with the job", check: func(f *fixture) {
		r := &Record{Kind: "echoJob", Queue: DefaultQueue, Args: []byte(`{"n":1}`), MaxAttempts: 3, RunAt: f.clk.Now(), CreatedAt: f.clk.Now(),
			Meta: map[string]string{"request_id": "req-\"quoted\"\n1", "traceparent": "00-abc-def-01"}}
		if err := f.s.Enqueue(f.ctx, r); err != nil {
			f.t.Fatal(err)
		}
		rs := f.claim("w1", 1)
		if len(rs) != 1 || len(rs[0].Meta) != 2 || rs[0].Meta["request_id"] != "req-\"quoted\"\n1" || rs[0].Meta["traceparent"] != "00-abc-def-01" {
			f.t.Fatalf("claimed %+v, want the meta back", rs)
		}
	}},
	{name: "a payload that does not decode fails its job into the dead set, and the others run", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		now := micros(f.clk.Now())
		switch s := f.s.(type) {
		case *DatabaseBackend:
			for _, row := range [][2]string{{`{"n":"not a number"}`, ""}, {`not json`, ""}, {`{"n":1}`, `{"request_id":1}`}, {`{"n":1}`, `[`}} {
				if _, err := s.db.Exec(f.ctx, "INSERT INTO "+Table+" (kind, queue, args, priority, state, attempt, max_attempts, run_at, created_at, meta) VALUES ('echoJob', 'default', ?, 0, 'available', 0, 5, ?, ?, ?)",
					row[0], now, now, row[1]); err != nil {
					f.t.Fatal(err)
				}
			}
		case *RedisBackend:
			for _, v := range []string{`{"kind":"echoJob","queue":"default","args":{"n":"x"},"max_attempts":5}`, `{not json`, `{"kind":"echoJob","meta":{"a":1}}`, `{"kind":"","max_attempts":5}`} {
				if err := s.rdb.LPush(f.ctx, s.ready(DefaultQueue, 0), v).Err(); err != nil {
					f.t.Fatal(err)
				}
			}
			// A scheduled entry that is not JSON must not stop the claims.
			if err := s.rdb.ZAdd(f.ctx, s.key("sched", DefaultQueue), redis.Z{Score: float64(now), Member: "}{"}).Err(); err != nil {
				f.t.Fatal(err)
			}
		}
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 7}))
		w := f.worker()
		ran := 0
		for rs := f.claim("w1", 10); len(rs) > 0; rs = f.claim("w1", 10) {
			for _, r := range rs {
				w.work(f.ctx, r)
				ran++
			}
		}
		if ran < 5 {
			f.t.Fatalf("the worker took %d jobs, want the 4 or 5 hostile ones and the good one", ran)
		}
		dead, err := f.s.(deadLister).DeadJobs(f.ctx, -1)
		if err != nil || len(dead) != ran-1 {
			f.t.Fatalf("dead jobs %d (%v), want %d", len(dead), err, ran-1)
		}
		for _, d := range dead {
			if !strings.Contains(d.LastError, "stored payload does not decode") || d.Attempt > 1 {
				f.t.Errorf("dead job %d (attempt %d): %q, want the decode error at once", d.ID, d.Attempt, d.LastError)
			}
		}
		if st := f.stats(); st.Running+st.Ready[DefaultQueue]+st.Retrying != 0 {
			f.t.Fatalf("stats %+v, want nothing running, ready or retrying", st)
		}
	}},
	{name: "a heartbeat keeps the lease", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		f.claim("w1", 1)
		f.clk.Advance(20 * time.Second)
		if err := f.s.Heartbeat(f.ctx, "w1", f.clk.Now(), f.clk.Now().Add(30*time.Second)); err != nil {
			f.t.Fatal(err)
		}
		f.clk.Advance(20 * time.Second)
		if n, err := f.s.Rescue(f.ctx, f.clk.Now()); err != nil || n != 0 {
			f.t.Fatalf("rescue of a live worker: %d, %v", n, err)
		}
	}},
	{name: "a released job is claimed again without counting the attempt", check: func(f *fixture) {
		def := Register(f.c, echoJob{})
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		if err := f.s.Release(f.ctx, f.claim("w1", 1)[0]); err != nil {
			f.t.Fatal(err)
		}
		rs := f.claim("w2", 1)
		if len(rs) != 1 || rs[0].Attempt != 1 {
			f.t.Fatalf("reclaimed %+v, want attempt 1", rs)
		}
	}},
	{name: "a job lost on its last attempt goes to the dead set", check: func(f *fixture) {
		def := Register(f.c, echoJob{}, MaxAttempts(1))
		mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 1}))
		f.claim("dead-worker", 1)
		f.clk.Advance(time.Minute)
		if _, err := f.s.Rescue(f.ctx, f.clk.Now()); err != nil {
			f.t.Fatal(err)
		}
		if st := f.stats(); st.Dead != 1 {
			f.t.Fatalf("stats %+v, want 1 dead", st)
		}
	}},
	{name: "a recurring slot is enqueued once by many workers", check: recurringCase},
	{name: "the dashboard lists jobs, retries and discards dead ones, runs and discards waiting ones", check: dashboardCase},
}

func TestStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fresh := b.setup(t)
			for _, tc := range storeCases {
				t.Run(tc.name, func(t *testing.T) {
					if tc.skip == b.name {
						t.Skipf("not supported on %s", b.name)
					}
					clk := newClock()
					s := fresh(t)
					f := &fixture{t: t, ctx: context.Background(), s: s, clk: clk, c: New(Config{Backend: s, Now: clk.Now})}
					tc.check(f)
				})
			}
		})
	}
}
