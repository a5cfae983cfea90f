//go:build unix

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Failure is why no server runs under a Supervisor: what its Down handler
// shows until the next Restart.
type Failure struct {
	// Stage is "build" (the program did not compile), "boot" (it did not
	// boot) or "exit" (it stopped on its own with an error).
	Stage string
	// Message is one line: the boot error, "exit status 2".
	Message string
	// Output is what to show: the compiler's errors, the server's last output.
	Output string
}

// SupervisorConfig configures NewSupervisor.
type SupervisorConfig struct {
	// Command returns the server's command, not started; it is called for
	// every start. The program must call Run (with Workers 0 or more).
	Command func() *exec.Cmd
	// Down answers every request while no server runs: after a failed
	// build, a failed boot or a crash. Default: a plain 503.
	Down func(w http.ResponseWriter, r *http.Request, f Failure)
	// Logger receives the supervisor's own log lines. Default: text to stderr.
	Logger *slog.Logger
	// StopTimeout bounds a server's graceful stop before it is killed. Default 35s.
	StopTimeout time.Duration
}

// Supervisor runs a server program as a child process that it replaces
// on demand: the development server's restart-on-edit. The first child
// opens the sockets (with the binds of its own configuration and flags)
// and hands them to the supervisor, which keeps them for the children
// that follow, so a restart never re-binds and no connection is refused
// while none runs: they wait in the socket's backlog. While the program
// cannot run (it did not build, did not boot, or crashed), the supervisor
// answers on the sockets itself with Down, until the next Restart.
//
// Restart and Fail are safe for concurrent use; Run does the work.
type Supervisor struct {
	cfg      SupervisorConfig
	requests chan supervisorRequest
}

type supervisorRequest struct{ failure *Failure }

// NewSupervisor returns a supervisor; Run starts it.
func NewSupervisor(cfg SupervisorConfig) *Supervisor {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = DefaultShutdownTimeout + 5*time.Second
	}
	if cfg.Down == nil {
		cfg.Down = func(w http.ResponseWriter, _ *http.Request, f Failure) {
			http.Error(w, "503 Service Unavailable: "+f.Message, http.StatusServiceUnavailable)
		}
	}
	return &Supervisor{cfg: cfg, requests: make(chan supervisorRequest, 8)}
}

// Restart stops the running server (gracefully) and starts Command anew.
func (s *Supervisor) Restart() { s.requests <- supervisorRequest{} }

// Fail stops the running server and answers with Down and f until the next Restart.
func (s *Supervisor) Fail(f Failure) { s.requests <- supervisorRequest{failure: &f} }

// ErrServerExited is wrapped by Run's error when the first server exits
// before it opened its sockets: a bad flag, a port in use. The server has
// said why on its output; errors.As finds its *exec.ExitError.
var ErrServerExited = errors.New("server: the server exited before listening")

// Run starts the server and supervises it until ctx ends (then it stops
// the server gracefully and returns nil) or the server stops on its own
// with status 0 (`ctl stop`). It returns an error only when the first
// server exits before handing over its sockets.
func (s *Supervisor) Run(ctx context.Context) error {
	st := &supervision{cfg: &s.cfg, log: s.cfg.Logger, msgs: make(chan childMsg, 16)}
	defer st.close()
	if err := st.start(); err != nil {
		return err
	}
	for {
		var exited <-chan struct{}
		if st.child != nil {
			exited = st.child.exited
		}
		select {
		case <-ctx.Done():
			st.stopChild()
			return nil
		case req := <-s.requests:
			st.stopChild()
			if req.failure != nil {
				st.down(*req.failure)
				continue
			}
			if err := st.start(); err != nil {
				return err
			}
		case m := <-st.msgs:
			st.onMsg(m)
		case <-exited:
			// The child's last notices (a boot error) are in msgs by now;
			// select chooses at random among ready cases, so read them first.
			st.drainMsgs()
			if st.child == nil {
				continue // a boot error stopped it and put up the error page
			}
			if done, err := st.onExit(); done {
				return err
			}
		}
	}
}

// supervision is Run's state, owned by its goroutine.
type supervision struct {
	cfg     *SupervisorConfig
	log     *slog.Logger
	sockets []socket
	child   *child
	msgs    chan childMsg
	downSrv *httpServer
}

// child is one run of the server program.
type child struct {
	cmd      *exec.Cmd
	conn     *net.UnixConn // the supervisor's end of the notify socket
	output   *tailBuffer
	exited   chan struct{}
	err      error // the exit status, once exited is closed
	stopping bool
	bootErr  string
	started  time.Time
}

type childMsg struct {
	c     *child
	n     notice
	files []*os.File
}

func (st *supervision) start() error {
	st.stopDown()
	c, err := st.spawn()
	if err != nil {
		if st.sockets == nil {
			return err
		}
		st.down(Failure{Stage: "boot", Message: err.Error()})
		return nil
	}
	st.child = c
	if st.sockets != nil {
		return nil
	}
	// The first server opens the sockets: wait for them, or for its exit.
	for {
		select {
		case m := <-st.msgs:
			st.onMsg(m)
			if st.sockets != nil {
				return nil
			}
		case <-c.exited:
			st.child = nil
			return fmt.Errorf("%w: %w", ErrServerExited, c.err)
		}
	}
}

// spawn starts Command with the sockets (if any) and a notify socket.
func (st *supervision) spawn() (*child, error) {
	fds, err := seqpacketPair()
	if err != nil {
		return nil, fmt.Errorf("server: notify socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "notify"), os.NewFile(uintptr(fds[1]), "notify")
	defer theirs.Close()
	nc, err := net.FileConn(mine)
	_ = mine.Close()
	if err != nil {
		return nil, fmt.Errorf("server: notify socket: %w", err)
	}
	cmd := st.cfg.Command()
	c := &child{cmd: cmd, conn: nc.(*net.UnixConn), output: &tailBuffer{max: 64 << 10}, exited: make(chan struct{}), started: time.Now()}
	cmd.Stdout = teeTo(cmd.Stdout, c.output)
	cmd.Stderr = teeTo(cmd.Stderr, c.output)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	var inherit []inheritedFD
	for _, s := range st.sockets {
		inherit = append(inherit, inheritedFD{FD: 3 + len(cmd.ExtraFiles), URL: s.addr.url, Bind: s.bind})
		cmd.ExtraFiles = append(cmd.ExtraFiles, s.file)
	}
	notifyFD := 3 + len(cmd.ExtraFiles)
	cmd.ExtraFiles = append(cmd.ExtraFiles, theirs)
	cmd.Env = append(withoutServerEnv(cmd.Env), notifyEnv+"="+strconv.Itoa(notifyFD))
	if len(inherit) > 0 {
		b, _ := json.Marshal(inherit)
		cmd.Env = append(cmd.Env, inheritEnv+"="+string(b))
	}
	if err := cmd.Start(); err != nil {
		_ = c.conn.Close()
		return nil, fmt.Errorf("server: start %s: %w", cmd.Path, err)
	}
	read := make(chan struct{})
	go func() { c.read(st.msgs); close(read) }()
	go func() {
		c.err = cmd.Wait()
		// Every notice the child sent before it exited is passed on
		// before exited closes (Run's loop drains them then), so a boot
		// error is never read as a plain exit. A process the child left
		// behind may hold its end open: wait for that only a moment.
		select {
		case <-read:
		case <-time.After(2 * time.Second):
		}
		_ = c.conn.Close()
		close(c.exited)
	}()
	return c, nil
}

// read turns the child's notices into messages for Run's loop.
func (c *child) read(msgs chan<- childMsg) {
	buf, oob := make([]byte, 64<<10), make([]byte, unix.CmsgSpace(64*4))
	for {
		n, oobn, _, _, err := c.conn.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			return
		}
		m := childMsg{c: c}
		if err := json.Unmarshal(buf[:n], &m.n); err != nil {
			continue
		}
		m.files = receivedFiles(oob[:oobn])
		msgs <- m
	}
}

func receivedFiles(oob []byte) []*os.File {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var files []*os.File
	for _, cm := range cmsgs {
		fds, err := unix.ParseUnixRights(&cm)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "socket"))
		}
	}
	return files
}

func (st *supervision) onMsg(m childMsg) {
	switch m.n.Type {
	case "sockets":
		if m.c != st.child || len(m.files) != len(m.n.Sockets) {
			for _, f := range m.files {
				_ = f.Close()
			}
			return
		}
		closeSockets(st.sockets)
		st.sockets = nil
		for i, in := range m.n.Sockets {
			a, err := parseBind(in.URL, 0)
			if err != nil {
				_ = m.files[i].Close()
				continue
			}
			st.sockets = append(st.sockets, socket{addr: a, bind: in.Bind, file: m.files[i]})
		}
	case "boot":
		if m.c == st.child {
			st.log.Info("server booted", "pid", m.c.cmd.Process.Pid, "boot_time", time.Since(m.c.started).Round(time.Millisecond).String())
		}
	case "boot_error":
		if m.c != st.child {
			return
		}
		m.c.bootErr = m.n.Error
		// A cluster's master retries workers that fail to boot; a single
		// process exits. Either way this build does not serve.
		st.stopChild()
		st.down(Failure{Stage: "boot", Message: m.n.Error, Output: m.c.output.String()})
	}
}

// drainMsgs handles the notices already queued.
func (st *supervision) drainMsgs() {
	for {
		select {
		case m := <-st.msgs:
			st.onMsg(m)
		default:
			return
		}
	}
}

// onExit handles the child's exit when nobody asked it to stop.
func (st *supervision) onExit() (done bool, err error) {
	c := st.child
	st.child = nil
	var ee *exec.ExitError
	if c.err == nil || (errors.As(c.err, &ee) && ee.ExitCode() == 0) {
		st.log.Info("server stopped")
		return true, nil
	}
	f := Failure{Stage: "exit", Message: c.err.Error(), Output: c.output.String()}
	if c.bootErr != "" {
		f.Stage, f.Message = "boot", c.bootErr
	}
	st.log.Error("server exited; answering with the error page until the next change", "status", c.err.Error())
	st.down(f)
	return false, nil
}

// stopChild stops the running child gracefully (SIGTERM), killing it
// after StopTimeout, and waits for it.
func (st *supervision) stopChild() {
	c := st.child
	if c == nil {
		return
	}
	st.child = nil
	c.stopping = true
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(st.cfg.StopTimeout)
	defer t.Stop()
	began := time.Now()
	for {
		select {
		case <-c.exited:
			st.log.Info("server stopped", "pid", c.cmd.Process.Pid, "stop_time", time.Since(began).Round(time.Millisecond).String())
			return
		case m := <-st.msgs:
			for _, f := range m.files {
				_ = f.Close()
			}
		case <-t.C:
			st.log.Error("server did not stop in time; killing it", "timeout", st.cfg.StopTimeout.String())
			_ = c.cmd.Process.Kill()
		}
	}
}

// down answers on the sockets with the Down handler.
func (st *supervision) down(f Failure) {
	st.stopDown()
	lns, err := listenersFor(st.sockets)
	if err != nil {
		st.log.Error("cannot answer with the error page", "err", err.Error())
		return
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Cache-Control", "no-store")
		st.cfg.Down(w, r, f)
	})
	// The server's own HTTP server, not a bare http.Server: its stop
	// answers a request read after the stop began (http.Server.Shutdown
	// would close that connection unanswered).
	cfg := Config{Logger: st.log, IdleDrain: -1}.WithDefaults()
	srv := newHTTPServer(&cfg, h, st.log)
	srv.serve(lns)
	st.downSrv = srv
}

// stopDown stops answering with the error page; connections not yet
// accepted wait in the sockets for the next server.
func (st *supervision) stopDown() {
	if st.downSrv == nil {
		return
	}
	st.downSrv.shutdown(5 * time.Second)
	st.downSrv = nil
}

func (st *supervision) close() {
	st.stopDown()
	closeSockets(st.sockets)
	removeSocketFiles(st.sockets)
}

// withoutServerEnv drops the markers of a server's own processes.
func withoutServerEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := cutEnv(kv)
		if k == workerEnv || k == inheritEnv || k == notifyEnv {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func cutEnv(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// seqpacketPair makes a close-on-exec SOCK_SEQPACKET pair: one packet per
// notice, so the descriptors a notice carries cannot straddle two reads.
func seqpacketPair() ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		return fds, err
	}
	unix.CloseOnExec(fds[0])
	unix.CloseOnExec(fds[1])
	return fds, nil
}

func teeTo(w io.Writer, tail *tailBuffer) io.Writer {
	if w == nil {
		return tail
	}
	return io.MultiWriter(w, tail)
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
