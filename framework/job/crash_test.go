package job

import (
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
const crashJobs = 5000

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

// crashTarget is a store the crash test drives through crashworkers.
type crashTarget struct {
	name    string
	args    []string          // crashworker flags naming the store
	rescuer WorkerRescuer     // given to Supervise
	done    func() int        // jobs whose success is recorded (distinct)
	runs    func() (int, int) // recorded runs, and distinct jobs among them
	left    func() int        // jobs left in the store, in any state
	held    func(prefix string) int
}

// crashResult is what a crash run measured.
type crashResult struct {
	kills  int
	rescue []time.Duration // per kill: from SIGKILL until none of its jobs was still leased to it
}

// crashStall is how long a crash run may go without progress: it fails
// then, and only then. On a loaded machine under -race the jobs can take
// minutes; slow is not lost.
const crashStall = 45 * time.Second

// crashRun runs crashProcesses crashworkers under Supervise (with the
// store as its Rescuer), kill -9s one at each quarter of the successes,
// measures how long its jobs stay leased to it, waits for every job and
// stops the supervisor.
func crashRun(t *testing.T, tg crashTarget, extra ...string) crashResult {
	t.Helper()
	bin := crashWorkerBin(t)
	pidDir := t.TempDir()
	args := append(append(append([]string(nil), tg.args...), extra...), "-piddir", pidDir, "-concurrency", strconv.Itoa(crashConcurrency))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- Supervise(ctx, SupervisorConfig{
			Processes: crashProcesses, RestartDelay: 50 * time.Millisecond, ShutdownTimeout: 15 * time.Second, Rescuer: tg.rescuer,
			Command: func(int) *exec.Cmd {
				cmd := exec.Command(bin, args...)
				cmd.Stderr = os.Stderr
				return cmd
			},
		})
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-stopped:
			return err
		case <-time.After(crashStall):
			return fmt.Errorf("Supervise did not return within %v of its context's end", crashStall)
		}
	})
	t.Cleanup(func() { _ = stop() })

	progress := func(count func() int, want func(int) bool, what string) {
		t.Helper()
		last, since := count(), time.Now()
		for !want(last) {
			time.Sleep(5 * time.Millisecond)
			if n := count(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) > crashStall {
				t.Fatalf("%s: no progress for %s: %s at %d (of %d jobs)", tg.name, crashStall, what, n, crashJobs)
			}
		}
	}
	killed := map[int]bool{}
	livePid := func() int {
		entries, _ := os.ReadDir(pidDir)
		for _, e := range entries {
			pid, _ := strconv.Atoi(e.Name())
			if pid > 0 && !killed[pid] && syscall.Kill(pid, 0) == nil {
				return pid
			}
		}
		return 0
	}
	var res crashResult
	for _, mark := range []int{crashJobs / 4, crashJobs / 2, 3 * crashJobs / 4} {
		progress(tg.done, func(n int) bool { return n >= mark }, "successes")
		var pid int
		progress(func() int { pid = livePid(); return pid }, func(n int) bool { return n > 0 }, "live worker processes")
		killed[pid] = true
		prefix := WorkerPrefix(pid)
		start := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		res.kills++
		progress(func() int { return tg.held(prefix) }, func(n int) bool { return n == 0 }, "jobs still leased to the killed worker")
		res.rescue = append(res.rescue, time.Since(start))
	}
	progress(tg.done, func(n int) bool { return n >= crashJobs }, "successes")
	// Re-runs of the jobs in flight at the last kill.
	progress(tg.left, func(n int) bool { return n == 0 }, "jobs left in the store")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	return res
}

// crashReport logs the figures of a crash run and checks them: nothing
// lost or left, and no job's recorded run repeated beyond maxDup.
func crashReport(t *testing.T, tg crashTarget, mode string, res crashResult, maxDup int, took time.Duration) {
	t.Helper()
	done := tg.done()
	runs, distinct := tg.runs()
	lost, dup := crashJobs-done, runs-distinct
	var worst time.Duration
	for _, d := range res.rescue {
		worst = max(worst, d)
	}
	t.Logf("kill -9 %s, %s: %d jobs, %d kills: lost %d, duplicated %d, time to rescue max %v (%v) in %v",
		tg.name, mode, crashJobs, res.kills, lost, dup, worst.Round(time.Millisecond), res.rescue, took.Round(time.Millisecond))
	if lost != 0 || distinct != crashJobs {
		t.Errorf("lost %d jobs (%d successes recorded, %d distinct jobs ran), want 0 lost", lost, done, distinct)
	}
	if dup < 0 || dup > maxDup {
		t.Errorf("%d duplicated runs after %d kills, want at most %d", dup, res.kills, maxDup)
	}
	if left := tg.left(); left != 0 {
		t.Errorf("%d jobs left queued, running or dead, want 0", left)
	}
}

// crashConcurrency is the executors of each crash worker process, and
// crashProcesses the processes under the supervisor.
const (
	crashConcurrency = 8
	crashProcesses   = 2
)

// dbCrashTarget prepares a database of adapter with crashJobs queued.
func dbCrashTarget(t *testing.T, adapter, name string) crashTarget {
	db := openDB(t, adapter, "job_crash")
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
	count := func(sql string, args ...any) int {
		var n int64
		if err := db.QueryRows(ctx, sql, args, func(scan func(...any) error) error { return scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	url := db.Config().URL
	if adapter == record.SQLite {
		url = db.Config().Database
	}
	return crashTarget{
		name: name, args: []string{"-backend", adapter, "-url", url}, rescuer: Database(db),
		done: func() int { return count("SELECT COUNT(*) FROM crash_done") },
		runs: func() (int, int) {
			return count("SELECT COUNT(*) FROM crash_runs"), count("SELECT COUNT(DISTINCT n) FROM crash_runs")
		},
		left: func() int { return count("SELECT COUNT(*) FROM " + Table) },
		held: func(prefix string) int {
			return count("SELECT COUNT(*) FROM "+Table+" WHERE state = 'running' AND SUBSTR(worker, 1, ?) = ?", len(prefix), prefix)
		},
	}
}

// TestCrash kill -9s supervised workers draining each database, with jobs
// that complete after Perform (at least once: the jobs in flight at a kill
// may run again) and with jobs that complete in the transaction of their
// work (CompleteTx: exactly once). It logs lost, duplicated and the time
// to rescue; nothing may be lost, and nothing duplicated with CompleteTx.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills worker processes")
	}
	for _, db := range []struct{ name, adapter string }{
		{"sqlite", record.SQLite}, {"postgresql", record.PostgreSQL}, {"mariadb", record.MySQL},
	} {
		for _, mode := range []string{"complete after Perform", "CompleteTx"} {
			t.Run(db.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				tg := dbCrashTarget(t, db.adapter, db.name)
				start := time.Now()
				var extra []string
				// In flight at a kill: running jobs plus finished ones whose
				// success was not yet recorded (the batch completer).
				maxDup := 3 * crashConcurrency * 3
				if mode == "CompleteTx" {
					extra, maxDup = []string{"-tx"}, 0
				}
				res := crashRun(t, tg, extra...)
				crashReport(t, tg, mode, res, maxDup, time.Since(start))
			})
		}
	}
}

func TestCrashRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills worker processes")
	}
	t.Parallel()
	rdb := openRedis(t)
	prefix := testPrefix(t, rdb)
	ctx := context.Background()
	store := Redis(rdb, prefix)
	c := New(Config{Backend: store})
	def := Register(c, crashJob{})
	for i := range crashJobs {
		if _, err := def.PerformLater(ctx, crashArgs{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	inflight := func(pattern string) int {
		n := 0
		iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			n += int(rdb.LLen(ctx, iter.Val()).Val())
		}
		return n
	}
	tg := crashTarget{
		name: "redis", args: []string{"-backend", "redis", "-url", rdb.Options().Addr, "-prefix", prefix}, rescuer: store,
		done: func() int { return int(rdb.SCard(ctx, prefix+":test:done").Val()) },
		runs: func() (int, int) {
			perJob := rdb.HGetAll(ctx, prefix+":test:runs").Val()
			runs := 0
			for _, v := range perJob {
				n, _ := strconv.Atoi(v)
				runs += n
			}
			return runs, len(perJob)
		},
		left: func() int {
			st, err := store.Stats(ctx, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return st.Ready[DefaultQueue] + st.Scheduled + st.Retrying + st.Dead + inflight(prefix+":inflight:*")
		},
		held: func(p string) int { return inflight(prefix + ":inflight:" + p + "*") },
	}
	start := time.Now()
	res := crashRun(t, tg)
	crashReport(t, tg, "complete after Perform", res, 3*crashConcurrency*3, time.Since(start))
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
