//go:build unix

package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/server"
)

// TestSupervisorKeepsTheSocketsThroughEveryFailure supervises the test
// server (single mode and a cluster) under a request loop and puts it
// through what a development server meets: a new build, a failed build,
// a boot that fails, a fixed build. The sockets stay open the whole time:
// no request is refused, requests get the Down page while the program
// cannot run, and the new program once it can.
func TestSupervisorKeepsTheSocketsThroughEveryFailure(t *testing.T) {
	needBins(t)
	for _, workers := range []string{"0", "2"} {
		t.Run("workers="+workers, func(t *testing.T) {
			var mu sync.Mutex
			bin, failBoot := bins.v1, false
			out := &logBuffer{}
			sup := superviseTestServer(t, out, nil, func() (string, bool) {
				mu.Lock()
				defer mu.Unlock()
				return bin, failBoot
			}, "-w", workers, "--worker-check-interval", "200ms")
			waitUntil(t, 20*time.Second, "the server to listen", func() bool { return strings.Contains(out.String(), "binds=tcp://") })
			addr := regexp.MustCompile(`binds=tcp://([0-9.:]+)`).FindStringSubmatch(out.String())[1]
			l := startLoadWith(t, "tcp", addr, 2, 1<<30, loadRequest{method: http.MethodPost, path: "/echo"}, false)
			answers := func(want string) func() bool {
				return func() bool { a := l.lastAnswers(1); return len(a) == 1 && a[0] == want }
			}
			waitUntil(t, 20*time.Second, "v1 answering", answers("v1"))

			mu.Lock()
			bin = bins.v2
			mu.Unlock()
			sup.Restart()
			waitUntil(t, 20*time.Second, "v2 answering after a restart", answers("v2"))

			sup.Fail(server.Failure{Stage: "build", Message: "syntax error"})
			waitUntil(t, 20*time.Second, "the down page", func() bool { return l.failed.Load() > 0 })
			if e := lastError(l); !strings.Contains(e, "down build: syntax error") {
				t.Errorf("while down: %q, want the Down page", e)
			}

			mu.Lock()
			failBoot = true
			mu.Unlock()
			before := l.failed.Load()
			sup.Restart()
			waitUntil(t, 20*time.Second, "the boot error page", func() bool {
				return l.failed.Load() > before && strings.Contains(lastError(l), "down boot: boot failed on purpose")
			})

			mu.Lock()
			bin, failBoot = bins.v1, false
			mu.Unlock()
			sup.Restart()
			waitUntil(t, 20*time.Second, "v1 answering after the fix", answers("v1"))
			l.finish()
			for _, e := range append(l.errors, l.lastErr) {
				if !strings.Contains(e, "wrong answer: 500") {
					t.Errorf("a request got no answer: %s", e)
				}
			}
			t.Logf("%d requests, %d answered by the Down page, none refused", l.total(), l.failed.Load())
		})
	}
}

func lastError(l *load) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastErr
}

// TestSupervisorCallsEveryFailedBootABoot restarts into a boot that fails
// again and again. The child says why (a boot_error notice) and exits at
// once, so its exit and its notice reach the supervisor together: each
// time the error page must show the boot error, never the bare exit
// status the race once showed under load.
func TestSupervisorCallsEveryFailedBootABoot(t *testing.T) {
	needBins(t)
	var mu sync.Mutex
	failBoot := false
	out, supLog := &logBuffer{}, &logBuffer{}
	sup := superviseTestServer(t, out, supLog, func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		return bins.v1, failBoot
	}, "-w", "0")
	waitUntil(t, 20*time.Second, "the server to listen", func() bool { return strings.Contains(out.String(), "binds=tcp://") })
	addr := regexp.MustCompile(`binds=tcp://([0-9.:]+)`).FindStringSubmatch(out.String())[1]
	get := func() string {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}
	mu.Lock()
	failBoot = true
	mu.Unlock()
	// Each failed boot ends in one supervisor line: "server stopped" when
	// the boot error was read (the error page shows it), "server exited"
	// when the exit was taken for a crash. The line comes after the last
	// error page was taken down, so the page read after it is this boot's.
	ends := func() int {
		s := supLog.String()
		return strings.Count(s, `msg="server stopped"`) + strings.Count(s, `msg="server exited`)
	}
	for i := 0; i < 12; i++ {
		before := ends()
		sup.Restart()
		waitUntil(t, 20*time.Second, "the failed boot to end", func() bool { return ends() > before })
		var page string
		waitUntil(t, 20*time.Second, "the error page", func() bool {
			page = get()
			return strings.HasPrefix(page, "down ")
		})
		if page != "down boot: boot failed on purpose" {
			t.Fatalf("restart %d: the error page says %q, want the boot error", i, page)
		}
	}
	if strings.Contains(supLog.String(), "server exited") {
		t.Errorf("a failed boot was logged as a crash")
	}
}

// superviseTestServer runs a Supervisor of the test server until the test
// ends. which says, at each start, the binary and whether its boot fails;
// the server's output goes to out, the supervisor's log to supLog (when
// not nil); the Down page is "down <stage>: <message>".
func superviseTestServer(t *testing.T, out, supLog *logBuffer, which func() (bin string, failBoot bool), args ...string) *server.Supervisor {
	t.Helper()
	cfg := server.SupervisorConfig{
		Command: func() *exec.Cmd {
			bin, failBoot := which()
			cmd := exec.Command(bin, append([]string{"-b", "tcp://127.0.0.1:0", "--shutdown-timeout", "5s"}, args...)...)
			cmd.Stdout, cmd.Stderr = out, out
			cmd.Env = os.Environ()
			if failBoot {
				cmd.Env = append(cmd.Env, "TESTSERVER_BOOT_FAIL=1")
			}
			return cmd
		},
		Down: func(w http.ResponseWriter, _ *http.Request, f server.Failure) {
			http.Error(w, "down "+f.Stage+": "+f.Message, http.StatusInternalServerError)
		},
	}
	if supLog != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(supLog, nil))
	}
	sup := server.NewSupervisor(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return after the context ended")
		}
		if t.Failed() {
			t.Logf("output:\n%s", out)
			if supLog != nil {
				t.Logf("supervisor:\n%s", supLog)
			}
		}
	})
	return sup
}
