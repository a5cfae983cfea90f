package mail

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/testenv"
)

// chromiumDOM loads url in headless Chromium and returns the DOM after
// the load event (frames and their images included).
func chromiumDOM(t *testing.T, target string) string {
	t.Helper()
	bin := os.Getenv("GORAILS_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(bin); err != nil {
		testenv.Unavailable(t, "Chromium", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--dump-dom", target).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("chromium: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("chromium: %v", err)
	}
	return string(out)
}

// requestLog wraps h and records every request's query.
type requestLog struct {
	h    http.Handler
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.seen = append(l.seen, r.URL.Path+"?"+r.URL.RawQuery)
	l.mu.Unlock()
	l.h.ServeHTTP(w, r)
}

func (l *requestLog) saw(substr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.seen {
		if strings.Contains(s, substr) {
			return true
		}
	}
	return false
}

// TestPreviewSandboxInChromium opens a message whose HTML carries a
// script, an onerror handler and a form in a real browser: none of them
// runs (no beacon reaches the server), while the inline image does load.
// The control page serves the same HTML without the sandbox and shows the
// beacon does arrive when scripts run, so the test can fail.
func TestPreviewSandboxInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	p := setupPreview(t)
	mux := http.NewServeMux()
	mux.Handle("/rails/mailers", p.page)
	mux.HandleFunc("/beacon", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("/control", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(hostileHTML))
	})
	log := &requestLog{h: mux}
	srv := httptest.NewServer(log)
	defer srv.Close()

	dom := chromiumDOM(t, srv.URL+"/rails/mailers?m="+url.QueryEscape(p.id))
	if !strings.Contains(dom, "<iframe") || !strings.Contains(dom, "Été") {
		t.Fatalf("the page did not render:\n%s", dom)
	}
	if !log.saw("part=html") {
		t.Fatal("the browser never loaded the HTML part")
	}
	if !log.saw("cid=logo") {
		t.Error("the inline image (cid:logo) was not loaded through the preview")
	}
	if log.saw("/beacon") {
		t.Errorf("a script or handler in the message ran: %v", log.seen)
	}

	chromiumDOM(t, srv.URL+"/control")
	if !log.saw("/beacon?script") {
		t.Errorf("the control page's script did not run either; the test proves nothing: %v", log.seen)
	}
}
