//go:build unix

package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// workerEnv marks a worker process; its value is a JSON workerSpec.
const workerEnv = "GORAILS_SERVER_WORKER"

// workerSpec tells a worker who it is and which descriptors it inherited:
// the sockets are fds 3, 4, ... in Binds order, then the status socket.
type workerSpec struct {
	Index int      `json:"index"`
	Phase int      `json:"phase"`
	Binds []string `json:"binds"`
}

func (s workerSpec) statusFD() int { return 3 + len(s.Binds) }

// workerSpecFromEnv reports whether this process is a worker.
func workerSpecFromEnv() (workerSpec, bool, error) {
	v, ok := os.LookupEnv(workerEnv)
	if !ok {
		return workerSpec{}, false, nil
	}
	var s workerSpec
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return s, true, fmt.Errorf("server: bad %s: %w", workerEnv, err)
	}
	return s, true, nil
}

// message is one line on the status socket, worker to master.
type message struct {
	Type   string  `json:"type"` // "boot", "status" or "boot_error"
	Pid    int     `json:"pid,omitempty"`
	Status *Status `json:"status,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// statusLine writes messages to the master; safe for concurrent use.
type statusLine struct {
	mu sync.Mutex
	c  net.Conn
}

func (l *statusLine) send(m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err = l.c.Write(append(b, '\n'))
	return err
}

// runWorker boots the app, serves the inherited sockets and reports to the
// master until SIGTERM, ctx's end or the master's death (its end of the
// status socket closes), then stops gracefully.
func runWorker(ctx context.Context, cfg *Config, boot func() (http.Handler, error), spec workerSpec) error {
	log := cfg.Logger.With("worker", spec.Index, "pid", os.Getpid(), "phase", spec.Phase)
	// The master coordinates: a terminal's ^C or job-control signal to the
	// process group must not stop or kill the worker behind its back.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTTIN, syscall.SIGTTOU)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)

	sf := os.NewFile(uintptr(spec.statusFD()), "status")
	sc, err := net.FileConn(sf)
	_ = sf.Close()
	if err != nil {
		return fmt.Errorf("server: worker status socket: %w", err)
	}
	defer sc.Close()
	line := &statusLine{c: sc}
	lns, err := workerListeners(spec)
	if err != nil {
		return err
	}
	app, err := boot()
	if err != nil {
		_ = line.send(message{Type: "boot_error", Error: err.Error()})
		return fmt.Errorf("server: worker %d boot: %w", spec.Index, err)
	}
	s := newHTTPServer(cfg, app, log)
	serveErr := s.serve(lns)
	if err := line.send(message{Type: "boot", Pid: os.Getpid()}); err != nil {
		s.shutdown(0)
		return fmt.Errorf("server: worker %d: report boot: %w", spec.Index, err)
	}
	log.Info("worker serving", "binds", strings.Join(spec.Binds, ","), "threads", cfg.Threads,
		"gomaxprocs", runtime.GOMAXPROCS(0))
	err = workerLoop(ctx, cfg, s, line, term, serveErr, masterGone(sc))
	log.Info("worker stopping")
	s.shutdown(cfg.ShutdownTimeout)
	log.Info("worker stopped", "requests", s.pool.requests.Load())
	return err
}

func workerListeners(spec workerSpec) ([]net.Listener, error) {
	lns := make([]net.Listener, 0, len(spec.Binds))
	for i, b := range spec.Binds {
		a, err := parseBind(b, 0)
		if err != nil {
			return nil, err
		}
		f := os.NewFile(uintptr(3+i), b)
		ln, err := fileListener(socket{addr: a, file: f})
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// workerLoop reports status every check interval until it is time to stop.
func workerLoop(ctx context.Context, cfg *Config, s *httpServer, line *statusLine,
	term <-chan os.Signal, serveErr <-chan error, gone <-chan struct{}) error {
	tick := time.NewTicker(cfg.WorkerCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			st := s.pool.status()
			if err := line.send(message{Type: "status", Status: &st}); err != nil {
				s.log.Warn("master unreachable; stopping", "err", err.Error())
				return nil
			}
		case <-term:
			return nil
		case <-ctx.Done():
			return nil
		case <-gone:
			s.log.Warn("master gone; stopping")
			return nil
		case err := <-serveErr:
			return fmt.Errorf("server: worker serve: %w", err)
		}
	}
}

// masterGone closes its channel when the master's end of the status
// socket closes (the master exited or was killed).
func masterGone(c net.Conn) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		r := bufio.NewReader(c)
		for {
			if _, err := r.ReadByte(); err != nil {
				return
			}
		}
	}()
	return gone
}
