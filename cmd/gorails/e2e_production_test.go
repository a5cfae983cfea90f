package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// productionBinary is a generated app's binary, built once, copied into
// an empty directory per test.
var productionBinary struct {
	once sync.Once
	path string
	err  error
}

// emptyDirWithBinary builds the app once and copies its binary into a new
// empty directory, where it must run with nothing else beside it.
func emptyDirWithBinary(t *testing.T) (string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds a production binary; skipped with -short")
	}
	productionBinary.once.Do(func() {
		productionBinary.err = errors.New("the production binary was not built (the test that built it stopped first)")
		dir := generateApp(t, "anywhere")
		// Beside the gorails binary, whose directory TestMain removes.
		productionBinary.path = filepath.Join(filepath.Dir(gorailsBin.build(t)), "anywhere")
		out, err := exec.Command("go", "-C", dir, "build", "-o", productionBinary.path, ".").CombinedOutput()
		if err != nil {
			productionBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		} else {
			productionBinary.err = nil
		}
	})
	if productionBinary.err != nil {
		t.Fatal(productionBinary.err)
	}
	empty := shortDir(t)
	bin := filepath.Join(empty, "anywhere")
	b, err := os.ReadFile(productionBinary.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return empty, bin
}

// startBinary runs the production binary in dir and waits until it answers on addr.
func startBinary(t *testing.T, dir, bin, addr string, args ...string) *server {
	t.Helper()
	s := startBinaryEnv(t, dir, bin, addr, append(os.Environ(), productionEnv...), args...)
	return s
}

// waitLines waits until n lines of s's output contain part.
func waitLines(t *testing.T, s *server, n int, part string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for strings.Count(s.out.String(), part) < n {
		select {
		case err := <-s.done:
			t.Fatalf("the server exited (%v) while waiting for %q\n%s", err, part, s.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 2 minutes for %d lines with %q\n%s", n, part, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestProductionBinaryRunsAnywhereAndRestartsOnTheDefaultBind copies a
// generated app's binary into an empty directory and serves from there
// (no tmp/, no db/ made first) on the default bind with two workers, under
// a request loop: a hot restart (USR2) and a phased restart (USR1) keep
// the socket, so no request is refused. Before, the binary did not start
// without ./tmp, and a default-bind server died on USR2 with "address
// already in use".
func TestProductionBinaryRunsAnywhereAndRestartsOnTheDefaultBind(t *testing.T) {
	dir, bin := emptyDirWithBinary(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s := startBinary(t, dir, bin, addr, "server", "-w", "2", "-p", fmt.Sprint(port))
	waitLines(t, s, 2, `"msg":"worker booted"`)
	if !strings.Contains(s.out.String(), fmt.Sprintf(`"binds":"tcp://[::]:%d"`, port)) {
		t.Errorf("the default bind should listen on every address:\n%s", s.out)
	}
	l := startRequestLoop(t, "tcp", addr, "/")
	l.waitFor(t, s, 0, "the first page", welcomes("Anywhere"))
	l.waitFor(t, s, 20, "20 requests", func(answer) bool { return true })

	if err := s.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	waitLines(t, s, 2, `"msg":"master started"`)
	waitLines(t, s, 4, `"msg":"worker booted"`)
	l.waitFor(t, s, l.len()+20, "20 pages after the hot restart", welcomes("Anywhere"))

	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitLines(t, s, 1, `"msg":"phased restart finished"`)
	l.waitFor(t, s, l.len()+20, "20 pages after the phased restart", welcomes("Anywhere"))

	l.finish()
	if r := l.refused(); len(r) > 0 {
		t.Errorf("%d of %d requests got no answer: %q", len(r), l.len(), r[:min(len(r), 5)])
	}
	t.Logf("%d requests across a hot and a phased restart, none refused; slowest %s", l.len(), l.slowest())
	for _, f := range []string{"tmp/control.sock", "db/production.sqlite3"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	stopServer(t, s)
}

// TestASecondServerInTheSameDirectoryFailsWithOneLine starts a second
// production server in the directory of a running one, on another port:
// it exits with one line that says so, binds nothing, and the first keeps
// its control socket and serves.
func TestASecondServerInTheSameDirectoryFailsWithOneLine(t *testing.T) {
	dir, bin := emptyDirWithBinary(t)
	port := freePort(t)
	first := startBinary(t, dir, bin, fmt.Sprintf("127.0.0.1:%d", port), "server", "-p", fmt.Sprint(port))
	waitLines(t, first, 1, `"msg":"serving (single mode)"`)

	other := freePort(t)
	cmd := exec.Command(bin, "server", "-p", fmt.Sprint(other))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), productionEnv...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the second server exited 0:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "another server is running here") || !strings.Contains(lines[0], "tmp/control.sock") {
		t.Errorf("want one line naming the running server and its control socket, got:\n%s", out)
	}
	if status, body := get(t, first.base+"/"); status != 200 || !strings.Contains(body, "Welcome to Anywhere") {
		t.Errorf("the first server after the second's attempt: %d\n%.300s", status, body)
	}
	ctl := exec.Command(bin, "ctl", "stats")
	ctl.Dir = dir
	ctl.Env = append(os.Environ(), productionEnv...)
	if out, err := ctl.CombinedOutput(); err != nil || !strings.Contains(string(out), "started_at") {
		t.Errorf("ctl stats reaches the first server: %v\n%s", err, out)
	}
	stopServer(t, first)
}
