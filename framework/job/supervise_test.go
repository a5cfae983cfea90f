//go:build unix

package job

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSupervise(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	dir := t.TempDir()
	pids := func() []int {
		entries, _ := os.ReadDir(dir)
		var out []int
		for _, e := range entries {
			n, _ := strconv.Atoi(e.Name())
			out = append(out, n)
		}
		return out
	}
	waitFor := func(n int) []int {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if p := pids(); len(p) >= n {
				return p
			}
		}
		t.Fatalf("%d processes started, want %d", len(pids()), n)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Supervise(ctx, SupervisorConfig{Processes: 2, RestartDelay: 10 * time.Millisecond, ShutdownTimeout: 5 * time.Second,
			Command: func(int) *exec.Cmd {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "GORAILS_JOB_SUPERVISE_CHILD="+dir)
				return cmd
			}})
	}()
	first := waitFor(2)
	if err := syscall.Kill(first[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	all := waitFor(3) // the killed one was replaced
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Supervise did not return after its context was cancelled")
	}
	for _, pid := range all {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Supervise returned (%v)", pid, err)
		}
	}
	if err := Supervise(context.Background(), SupervisorConfig{}); err == nil || !strings.Contains(err.Error(), "Command") {
		t.Errorf("Supervise without a Command: %v", err)
	}
}
