package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// enqueueController is added to a generated app: it enqueues the generated
// WriteMarker job through the app's job client.
const enqueueController = `package controllers

import (
	"net/http"

	"github.com/gorails/gorails/framework/job"

	"queue/app/jobs"
)

type EnqueueController struct {
	ApplicationController
}

func (c *EnqueueController) Create() error {
	args := jobs.WriteMarkerArgs{Path: c.Request().Param("path")}
	if _, err := job.For[jobs.WriteMarkerArgs](c.Jobs()).PerformLater(c.Request().Context(), args); err != nil {
		return err
	}
	return c.Text(http.StatusAccepted, "enqueued")
}
`

// addEnqueue generates the WriteMarker job, makes it write the file its
// arguments name, and adds GET /enqueue?path=... to the app.
func addEnqueue(t *testing.T, dir string) {
	t.Helper()
	out, code := runCLI(t, dir, "generate", "job", "WriteMarker")
	if code != 0 || !strings.Contains(out, "register  RegisterWriteMarker(app.Jobs) in app/jobs/jobs.go") {
		t.Fatalf("generate job: exit %d\n%s", code, out)
	}
	edit := func(rel string, pairs ...string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				t.Fatalf("%s lacks %q:\n%s", rel, pairs[i], s)
			}
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("app/jobs/write_marker_job.go",
		"import (\n\t\"context\"\n", "import (\n\t\"context\"\n\t\"os\"\n",
		"\t// ID int64 `json:\"id\"`\n", "\tPath string `json:\"path\"`\n",
		"\treturn nil\n}", "\treturn os.WriteFile(args.Path, []byte(\"done\"), 0o644)\n}")
	// The generated test runs the job with empty arguments; give it a path.
	edit("app/jobs/write_marker_job_test.go", "jobs.WriteMarkerArgs{}", "jobs.WriteMarkerArgs{Path: t.TempDir() + \"/marker\"}")
	if err := os.WriteFile(filepath.Join(dir, "app", "controllers", "enqueue_controller.go"), []byte(enqueueController), 0o644); err != nil {
		t.Fatal(err)
	}
	edit("config/routes.go", "r.Root(dispatch.To((*controllers.WelcomeController).Index))",
		"r.Root(dispatch.To((*controllers.WelcomeController).Index))\n\tr.Get(\"enqueue\", dispatch.To((*controllers.EnqueueController).Create))")
}

func waitForFile(t *testing.T, path string, within time.Duration, logs func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && string(b) == "done" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the job did not write %s within %v\n%s", path, within, logs())
}

func enqueue(t *testing.T, s *server, marker string) {
	t.Helper()
	code, body := get(t, s.base+"/enqueue?path="+url.QueryEscape(marker))
	if code != 202 {
		t.Fatalf("GET /enqueue: %d %s\n%s", code, body, s.out)
	}
}

// TestJobsEndToEnd: a job generated into a new app is enqueued by a
// controller into the app's database, counted by jobs:stats, run by a
// supervised `gorails jobs -w 2` that stops cleanly on SIGTERM, and run by
// the development server itself when it is not told otherwise.
func TestJobsEndToEnd(t *testing.T) {
	dir := generateApp(t, "queue")
	addEnqueue(t, dir)
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	markers := t.TempDir()

	// A server that leaves jobs to the jobs command: they wait in the table.
	s := startServer(t, dir, "--jobs=false")
	enqueue(t, s, filepath.Join(markers, "one"))
	enqueue(t, s, filepath.Join(markers, "two"))
	out, code := runCLI(t, dir, "jobs:stats")
	var st struct {
		Ready map[string]int `json:"ready"`
	}
	if code != 0 || json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &st) != nil || st.Ready["default"] != 2 {
		t.Fatalf("jobs:stats: exit %d, want 2 ready on default:\n%s", code, out)
	}

	jobs := exec.Command(gorailsBin.build(t), "jobs", "-w", "2", "-c", "3", "--poll-interval", "50ms")
	jobs.Dir = dir
	jobs.Env = append(os.Environ(), "GORAILS_ENV=development")
	jobs.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logs := &syncBuffer{}
	jobs.Stdout, jobs.Stderr = logs, logs
	if err := jobs.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- jobs.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-jobs.Process.Pid, syscall.SIGKILL) })
	waitForFile(t, filepath.Join(markers, "one"), 2*time.Minute, logs.String)
	waitForFile(t, filepath.Join(markers, "two"), 30*time.Second, logs.String)
	enqueue(t, s, filepath.Join(markers, "three")) // while the workers run
	waitForFile(t, filepath.Join(markers, "three"), 30*time.Second, logs.String)

	// SIGTERM to the supervisor (the app binary: gorails execs it) stops
	// its workers gracefully and exits 0.
	if err := jobs.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("jobs -w 2 exited with %v after SIGTERM\n%s", err, logs)
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("jobs -w 2 did not stop within 40s of SIGTERM\n%s", logs)
	}
	if n := strings.Count(logs.String(), "job worker stopped"); n != 2 || !strings.Contains(logs.String(), "jobs: supervisor stopped") {
		t.Fatalf("want 2 workers and the supervisor to stop cleanly, saw %d workers\n%s", n, logs)
	}
	if err := syscall.Kill(-jobs.Process.Pid, 0); err == nil {
		t.Fatalf("worker processes outlived the supervisor\n%s", logs)
	}

	// The development server runs jobs by default: nothing else to start.
	if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.done
	dev := startServer(t, dir)
	enqueue(t, dev, filepath.Join(markers, "four"))
	waitForFile(t, filepath.Join(markers, "four"), 30*time.Second, dev.out.String)

	// The generated job's test passes in the app's test environment. It
	// boots the app, which checks the route helpers: regenerate them for
	// the route added above.
	if out, code := runCLI(t, dir, "generate", "routes"); code != 0 {
		t.Fatalf("generate routes: exit %d\n%s", code, out)
	}
	test := exec.Command("go", "test", "./app/jobs/")
	test.Dir = dir
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the generated job's test fails: %v\n%s", err, out)
	}
}

// TestJobsHandBackAfterKill: a job whose worker process is killed with
// SIGKILL under `gorails jobs -w 2` runs again at once (the supervisor
// hands its jobs back), not after its 30s lease; and a job enqueued during
// a request logs that request's id when the database backend runs it.
func TestJobsHandBackAfterKill(t *testing.T) {
	dir := generateApp(t, "queue")
	addEnqueue(t, dir)
	// A path ending in .hang makes the first run write its pid and hang.
	p := filepath.Join(dir, "app", "jobs", "write_marker_job.go")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "\treturn os.WriteFile(args.Path", `	if strings.HasSuffix(args.Path, ".hang") {
		if _, err := os.Stat(args.Path + ".pid"); err != nil {
			_ = os.WriteFile(args.Path+".pid", []byte(strconv.Itoa(os.Getpid())), 0o644)
			<-ctx.Done()
			return ctx.Err()
		}
	}
	return os.WriteFile(args.Path`, 1)
	s = strings.Replace(s, "\t\"os\"\n", "\t\"os\"\n\t\"strconv\"\n\t\"strings\"\n", 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	markers := t.TempDir()
	srv := startServer(t, dir, "--jobs=false")

	jobs := exec.Command(gorailsBin.build(t), "jobs", "-w", "2", "-c", "3", "--poll-interval", "50ms")
	jobs.Dir = dir
	jobs.Env = append(os.Environ(), "GORAILS_ENV=development")
	jobs.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logs := &syncBuffer{}
	jobs.Stdout, jobs.Stderr = logs, logs
	if err := jobs.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-jobs.Process.Pid, syscall.SIGKILL); _ = jobs.Wait() })

	// The request's id reaches the job through the jobs table.
	req, err := http.NewRequest("GET", srv.base+"/enqueue?path="+url.QueryEscape(filepath.Join(markers, "traced")), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Request-Id", "req-e2e-meta-7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("GET /enqueue = %d\n%s", res.StatusCode, srv.out)
	}
	waitForFile(t, filepath.Join(markers, "traced"), 2*time.Minute, logs.String)
	if !regexp.MustCompile(`\[req-e2e-meta-7\] Performing write_marker \(Job ID: \d+\) from database\(default\)`).MatchString(logs.String()) {
		t.Errorf("the job's log lines lack the request id:\n%s", logs)
	}

	// kill -9 the worker process running the hanging job.
	hang := filepath.Join(markers, "job.hang")
	enqueue(t, srv, hang)
	var pid int
	for deadline := time.Now().Add(30 * time.Second); pid == 0; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(hang + ".pid"); err == nil {
			pid, _ = strconv.Atoi(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hanging job did not start\n%s", logs)
		}
	}
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Its lease is 30s: well before, the job has run again and finished.
	waitForFile(t, hang, 20*time.Second, logs.String)
	t.Logf("the killed worker's job ran again %v after kill -9", time.Since(killed).Round(time.Millisecond))
	if !regexp.MustCompile(`handed back the jobs of an exited worker process.*pid=` + strconv.Itoa(pid) + `.*count=1`).MatchString(logs.String()) {
		t.Errorf("the supervisor did not log handing back the job of pid %d:\n%s", pid, logs)
	}
}
