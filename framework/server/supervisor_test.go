//go:build unix

package server_test

import (
	"context"
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
			sup := server.NewSupervisor(server.SupervisorConfig{
				Command: func() *exec.Cmd {
					mu.Lock()
					defer mu.Unlock()
					cmd := exec.Command(bin, "-b", "tcp://127.0.0.1:0", "-w", workers, "--worker-check-interval", "200ms", "--shutdown-timeout", "5s")
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
			})
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
				}
			})
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
