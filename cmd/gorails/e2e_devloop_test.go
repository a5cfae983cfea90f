package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDevelopmentServerRebuildsOnGoChanges edits a controller while
// `gorails server` runs in development: the server is rebuilt and restarted
// on the new binary with no request refused, and a change that does not
// compile leaves the previous version serving.
func TestDevelopmentServerRebuildsOnGoChanges(t *testing.T) {
	dir := generateApp(t, "reload")
	srv := startServer(t, dir)
	if status, body := get(t, srv.base+"/"); status != 200 || !strings.Contains(body, "Welcome to Reload<") {
		t.Fatalf("GET / = %d\n%s", status, body)
	}
	ctrl := filepath.Join(dir, "app", "controllers", "welcome_controller.go")
	src, err := os.ReadFile(ctrl)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), `c.AppName = "Reload"`, `c.AppName = "Reloaded"`, 1)
	if edited == string(src) {
		t.Fatal("could not edit the controller")
	}
	if err := os.WriteFile(ctrl, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	failures, requests := 0, 0
	deadline := time.Now().Add(2 * time.Minute)
	for {
		requests++
		res, err := client.Get(srv.base + "/")
		if err != nil {
			failures++
			t.Logf("request %d failed: %v", requests, err)
		} else {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), "Welcome to Reloaded") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change did not show within 2 minutes\n%s", srv.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if failures > 0 {
		t.Errorf("%d of %d requests failed during the rebuild and restart", failures, requests)
	}
	if !strings.Contains(srv.out.String(), "gorails: rebuilt") {
		t.Errorf("no rebuild line in the output:\n%s", srv.out)
	}

	broken := strings.Replace(edited, "return nil", "return nil +", 1)
	if err := os.WriteFile(ctrl, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); !strings.Contains(srv.out.String(), "still serving the previous version"); {
		if time.Now().After(deadline) {
			t.Fatalf("no build error reported\n%s", srv.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status, body := get(t, srv.base+"/"); status != 200 || !strings.Contains(body, "Welcome to Reloaded") {
		t.Errorf("after a failed build GET / = %d, want the previous version\n%s", status, body)
	}

	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, srv.out)
		}
	case <-ctx.Done():
		t.Fatalf("still running 10s after SIGTERM\n%s", srv.out)
	}
}
