package job

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// crashJobs is how many jobs each crash test runs through killed workers.
const crashJobs = 10000

var (
	crashBinOnce sync.Once
	crashBin     string
	crashBinErr  error
)

// crashWorkerBin builds internal/crashworker once per test binary.
func crashWorkerBin(t *testing.T) string {
	t.Helper()
	crashBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gorails-crashworker")
		if err != nil {
			crashBinErr = err
			return
		}
		crashBin = filepath.Join(dir, "crashworker")
		out, err := exec.Command("go", "build", "-o", crashBin, "./internal/crashworker").CombinedOutput()
		if err != nil {
			crashBinErr = fmt.Errorf("build crashworker: %w\n%s", err, out)
		}
	})
	if crashBinErr != nil {
		t.Fatal(crashBinErr)
	}
	return crashBin
}

// workerProc is a running crashworker.
type workerProc struct {
	cmd  *exec.Cmd
	done chan error
}

func startWorker(t *testing.T, args ...string) *workerProc {
	t.Helper()
	cmd := exec.Command(crashWorkerBin(t), args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &workerProc{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ready <- sc.Scan() && sc.Text() == "ready"
		for sc.Scan() {
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done; p.done <- nil })
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("crashworker did not start")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("crashworker did not start within 15s")
	}
	return p
}

func (p *workerProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- nil
}

func (p *workerProc) term(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- nil
		if err != nil {
			t.Fatalf("worker exited after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("worker did not stop within 15s of SIGTERM")
	}
}

// crashRun drives workers through kills: it waits for progress (successes
// counted by done) to pass each mark, kill -9s the worker and starts a
// new one, then waits for every job. It returns the number of kills.
func crashRun(t *testing.T, args []string, done, left func() int) int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	wait := func(mark int) {
		for done() < mark {
			if time.Now().After(deadline) {
				t.Fatalf("stuck at %d of %d successes", done(), crashJobs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	kills := 0
	w := startWorker(t, args...)
	for _, mark := range []int{crashJobs / 4, crashJobs / 2, 3 * crashJobs / 4} {
		wait(mark)
		w.kill(t)
		kills++
		w = startWorker(t, args...)
	}
	wait(crashJobs)
	for left() > 0 { // re-runs of the jobs in flight at the last kill
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs left in the store", left())
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.term(t)
	return kills
}

// crashConcurrency is the executors of each crash worker.
const crashConcurrency = 8

func TestCrashPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills worker processes")
	}
	t.Parallel()
	db := openDB(t, record.PostgreSQL, "job_crash")
	ctx := context.Background()
	for _, ddl := range []string{
		"CREATE TABLE crash_runs (n integer NOT NULL)",
		"CREATE TABLE crash_done (n integer PRIMARY KEY)",
	} {
		if _, err := db.Exec(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	c := New(Config{Backend: Database(db)})
	def := Register(c, crashJob{})
	err := record.Transaction(ctx, db, func(tx *record.Tx) error {
		for i := range crashJobs {
			if _, err := def.PerformLaterTx(ctx, tx, crashArgs{N: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(sql string) int {
		var n int64
		if err := db.QueryRows(ctx, sql, nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	start := time.Now()
	kills := crashRun(t, []string{"-backend", "postgres", "-url", db.Config().URL, "-concurrency", strconv.Itoa(crashConcurrency)},
		func() int { return count("SELECT COUNT(*) FROM crash_done") },
		func() int { return count("SELECT COUNT(*) FROM " + Table) })
	done, runs := count("SELECT COUNT(*) FROM crash_done"), count("SELECT COUNT(*) FROM crash_runs")
	distinct := count("SELECT COUNT(DISTINCT n) FROM crash_runs")
	left := count("SELECT COUNT(*) FROM " + Table)
	t.Logf("%d jobs, %d kills, %d runs (%d re-runs of jobs in flight at a kill) in %v", crashJobs, kills, runs, runs-done, time.Since(start))
	checkCrash(t, kills, done, distinct, runs, left)
}

func TestCrashRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills worker processes")
	}
	t.Parallel()
	rdb := openRedis(t)
	prefix := testPrefix(t, rdb)
	ctx := context.Background()
	c := New(Config{Backend: Redis(rdb, prefix)})
	def := Register(c, crashJob{})
	for i := range crashJobs {
		if _, err := def.PerformLater(ctx, crashArgs{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	leftInRedis := func() int {
		st, err := Redis(rdb, prefix).Stats(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		left := st.Ready[DefaultQueue] + st.Scheduled + st.Retrying + st.Dead
		iter := rdb.Scan(ctx, 0, prefix+":inflight:*", 1000).Iterator()
		for iter.Next(ctx) {
			left += int(rdb.LLen(ctx, iter.Val()).Val())
		}
		return left
	}
	kills := crashRun(t, []string{"-backend", "redis", "-url", rdb.Options().Addr, "-prefix", prefix, "-concurrency", strconv.Itoa(crashConcurrency)},
		func() int { return int(rdb.SCard(ctx, prefix+":test:done").Val()) }, leftInRedis)
	done := int(rdb.SCard(ctx, prefix+":test:done").Val())
	perJob := rdb.HGetAll(ctx, prefix+":test:runs").Val()
	runs := 0
	for _, v := range perJob {
		n, _ := strconv.Atoi(v)
		runs += n
	}
	left := leftInRedis()
	t.Logf("%d jobs, %d kills, %d runs (%d re-runs of jobs in flight at a kill) in %v", crashJobs, kills, runs, runs-done, time.Since(start))
	checkCrash(t, kills, done, len(perJob), runs, left)
}

// checkCrash: every job succeeded (its success recorded once: a unique
// key), only jobs in flight at a kill ran twice, and nothing is left
// queued, running or dead.
func checkCrash(t *testing.T, kills, done, distinct, runs, left int) {
	t.Helper()
	if done != crashJobs || distinct != crashJobs {
		t.Errorf("%d jobs recorded a success (%d distinct ran), want %d", done, distinct, crashJobs)
	}
	// In flight at a kill: running jobs plus finished ones whose success
	// was not yet recorded (the batch completer), at most 3×Concurrency.
	if extra := runs - done; extra < 0 || extra > kills*3*crashConcurrency {
		t.Errorf("%d re-runs after %d kills of %d executors: more than the jobs in flight", extra, kills, crashConcurrency)
	}
	if left != 0 {
		t.Errorf("%d jobs left queued, running or dead, want 0", left)
	}
}

// superviseChild is what the test binary does when Supervise starts it:
// write its pid, then wait for SIGTERM.
func superviseChild(dir string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pid := strconv.Itoa(os.Getpid())
	if err := os.WriteFile(filepath.Join(dir, pid), nil, 0o644); err != nil {
		os.Exit(2)
	}
	<-ctx.Done()
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("GORAILS_JOB_SUPERVISE_CHILD"); dir != "" {
		superviseChild(dir)
	}
	code := m.Run()
	if crashBin != "" {
		os.RemoveAll(filepath.Dir(crashBin))
	}
	os.Exit(code)
}

// crashArgs and crashJob mirror internal/crashworker's kind "crash" for enqueueing.
type crashArgs struct {
	N int `json:"n"`
}

type crashJob struct{}

func (crashJob) Kind() string                             { return "crash" }
func (crashJob) Perform(context.Context, crashArgs) error { return nil }
