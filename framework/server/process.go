//go:build unix

package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// workerProc is the master's view of one worker process. Only the
// master's loop goroutine touches it.
type workerProc struct {
	index, phase int
	pid          int
	cmd          *exec.Cmd
	status       net.Conn
	startedAt    time.Time
	booted       bool
	lastCheckin  time.Time
	lastStatus   Status
	stopping     bool // sent SIGTERM: retired or stopping with the master
	stoppingAt   time.Time
	killed       bool
}

type eventKind int

const (
	evBoot eventKind = iota
	evStatus
	evBootError
	evExit
)

// workerEvent is something a worker did, delivered to the master's loop.
type workerEvent struct {
	w      *workerProc
	kind   eventKind
	status Status
	err    error
}

// spawnWorker re-executes this binary (os.Executable, so a rebuilt binary
// is picked up) with the same arguments as a worker: the sockets as fds
// 3.., a status socket after them, and the worker marker in the
// environment. Events go to events until done closes.
func spawnWorker(cfg *Config, sockets []socket, index, phase int,
	events chan<- workerEvent, done <-chan struct{}) (*workerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("server: find executable: %w", err)
	}
	fds, err := statusPair()
	if err != nil {
		return nil, fmt.Errorf("server: status socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "status"), os.NewFile(uintptr(fds[1]), "status")
	defer mine.Close()
	defer theirs.Close()
	spec := workerSpec{Index: index, Phase: phase}
	cmd := &exec.Cmd{Path: exe, Args: os.Args, Stdout: os.Stdout, Stderr: os.Stderr}
	for _, s := range sockets {
		spec.Binds = append(spec.Binds, s.addr.url)
		cmd.ExtraFiles = append(cmd.ExtraFiles, s.file)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, theirs)
	cmd.Env = workerEnviron(cfg, spec)
	sc, err := net.FileConn(mine)
	if err != nil {
		return nil, fmt.Errorf("server: status socket: %w", err)
	}
	if err := cmd.Start(); err != nil {
		_ = sc.Close()
		return nil, fmt.Errorf("server: start worker %d: %w", index, err)
	}
	now := time.Now()
	w := &workerProc{index: index, phase: phase, pid: cmd.Process.Pid, cmd: cmd, status: sc, startedAt: now, lastCheckin: now}
	go w.readStatus(events, done)
	go w.wait(events, done)
	return w, nil
}

// workerEnviron is the master's environment without server markers, plus
// the worker marker and a share of GOMAXPROCS.
func workerEnviron(cfg *Config, spec workerSpec) []string {
	var env []string
	maxprocsSet := false
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, workerEnv+"=") || strings.HasPrefix(kv, inheritEnv+"=") || strings.HasPrefix(kv, notifyEnv+"=") {
			continue
		}
		maxprocsSet = maxprocsSet || strings.HasPrefix(kv, "GOMAXPROCS=")
		env = append(env, kv)
	}
	b, _ := json.Marshal(spec)
	env = append(env, workerEnv+"="+string(b))
	if n := workerMaxProcs(cfg); n > 0 && !maxprocsSet {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(n))
	}
	return env
}

// workerMaxProcs divides the master's GOMAXPROCS among the workers,
// rounding up, unless MaxProcs says otherwise.
func workerMaxProcs(cfg *Config) int {
	if cfg.MaxProcs != 0 {
		return cfg.MaxProcs
	}
	n := runtime.GOMAXPROCS(0)
	return max(1, (n+cfg.Workers-1)/cfg.Workers)
}

func (w *workerProc) send(events chan<- workerEvent, done <-chan struct{}, ev workerEvent) {
	ev.w = w
	select {
	case events <- ev:
	case <-done:
	}
}

// readStatus turns the worker's status lines into events until the socket closes.
func (w *workerProc) readStatus(events chan<- workerEvent, done <-chan struct{}) {
	sc := bufio.NewScanner(w.status)
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue
		}
		switch m.Type {
		case "boot":
			w.send(events, done, workerEvent{kind: evBoot})
		case "status":
			if m.Status != nil {
				w.send(events, done, workerEvent{kind: evStatus, status: *m.Status})
			}
		case "boot_error":
			w.send(events, done, workerEvent{kind: evBootError, err: fmt.Errorf("%s", m.Error)})
		}
	}
}

// wait reaps the process and reports its exit.
func (w *workerProc) wait(events chan<- workerEvent, done <-chan struct{}) {
	err := w.cmd.Wait()
	_ = w.status.Close()
	w.send(events, done, workerEvent{kind: evExit, err: err})
}

func (w *workerProc) signal(sig syscall.Signal) {
	_ = syscall.Kill(w.pid, sig)
}

// statusPair makes a close-on-exec socket pair (portably: not every unix
// has SOCK_CLOEXEC, so the flag is set under ForkLock).
func statusPair() ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	unix.CloseOnExec(fds[0])
	unix.CloseOnExec(fds[1])
	return fds, nil
}
