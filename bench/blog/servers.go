package blog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Kind is one of the three server programs.
type Kind string

// The server programs, by their package under bench/blog.
const (
	Plain   Kind = "plain"
	Gin     Kind = "ginapp"
	Gorails Kind = "gorailsapp"
)

// Binaries are the built server programs.
type Binaries map[Kind]string

// Build compiles the three servers into dir with `go build`, run in the
// bench module (the working directory must be inside it).
func Build(ctx context.Context, dir string) (Binaries, error) {
	bins := Binaries{}
	for _, k := range []Kind{Plain, Gin, Gorails} {
		out := filepath.Join(dir, string(k))
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/gorails/gorails/bench/blog/"+string(k))
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s (run from inside bench/): %w\n%s", k, err, b)
		}
		bins[k] = out
	}
	return bins, nil
}

// Mode is one way of running a server.
type Mode struct {
	Name    string
	Kind    Kind
	Workers int  // gorails: -w N (0: one process)
	Quiet   bool // gorails: log at warn level, without the request line
}

// Modes are the servers and configurations the benchmark compares, the
// baseline first; workers is N of `gorails server -w N`.
func Modes(workers int) []Mode {
	return []Mode{
		{Name: "plain net/http", Kind: Plain},
		{Name: "gin", Kind: Gin},
		{Name: "gorails", Kind: Gorails},
		{Name: "gorails, log level warn", Kind: Gorails, Quiet: true},
		{Name: fmt.Sprintf("gorails -w %d", workers), Kind: Gorails, Workers: workers},
	}
}

// Env is where servers run: the database, a directory for their files
// and logs, and the CPUs they are pinned to.
type Env struct {
	DBURL string
	Dir   string
	// CPUs, when set, is a taskset list ("0-3") the server is pinned to.
	CPUs string
	// Profile, when set, is a file the server writes a CPU profile to.
	Profile string
}

// gorailsEnv is the environment of the gorails app in production: a random
// secret, loopback as its host, the database, and GORAILS_ASSUME_SSL as
// behind a TLS-terminating proxy (the load generator speaks plain HTTP; the
// app still runs force_ssl's HSTS and Secure cookies on every response).
func gorailsEnv(dbURL string) []string {
	var secret [64]byte
	_, _ = rand.Read(secret[:])
	return []string{"GORAILS_ENV=production", "SECRET_KEY_BASE=" + hex.EncodeToString(secret[:]),
		"GORAILS_HOSTS=127.0.0.1", "GORAILS_ASSUME_SSL=true", "DATABASE_URL=" + dbURL}
}

// Migrate creates the schema with the gorails app's migrations, as a
// deploy does (`blog db:migrate` in production).
func Migrate(ctx context.Context, bins Binaries, env Env) error {
	cmd := exec.CommandContext(ctx, bins[Gorails], "db:migrate")
	cmd.Dir = env.Dir
	cmd.Env = append(os.Environ(), gorailsEnv(env.DBURL)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("gorailsapp db:migrate: %w\n%s", err, out)
	}
	return nil
}

// Server is a running server process (with its workers, in its own
// process group).
type Server struct {
	Mode Mode
	Addr string // host:port
	Log  string // its stdout and stderr
	cmd  *exec.Cmd
	done chan error

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server in mode m and waits until it answers /hello.
func Start(ctx context.Context, bins Binaries, m Mode, env Env) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(env.Dir, "server-")
	if err != nil {
		return nil, err
	}
	var args, extra []string
	switch m.Kind {
	case Gorails:
		args = []string{"server", "-b", "tcp://" + addr, "-w", strconv.Itoa(m.Workers)}
		extra = gorailsEnv(env.DBURL)
		if m.Quiet {
			extra = append(extra, "BLOG_LOG_LEVEL=warn")
		}
		if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o755); err != nil { // the control socket's directory
			return nil, err
		}
	case Gin:
		args, extra = []string{"-addr", addr, "-db", env.DBURL}, []string{"GIN_MODE=release"}
	default:
		args = []string{"-addr", addr, "-db", env.DBURL}
	}
	if env.Profile != "" {
		extra = append(extra, "BLOGBENCH_CPUPROFILE="+env.Profile)
	}
	name := bins[m.Kind]
	if env.CPUs != "" {
		args = append([]string{"-c", env.CPUs, name}, args...)
		name = "taskset"
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extra...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", m.Name, err)
	}
	s := &Server{Mode: m, Addr: addr, Log: logPath, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		s.kill()
		return nil, fmt.Errorf("%s: %w\n%s", m.Name, err, tail(logPath))
	}
	return s, nil
}

// PID is the server's process id, also its process group's id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited before serving: %v", err)
		default:
		}
		if code, _, err := Get(ctx, s.Addr, "/hello"); err == nil && code == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("not answering /hello in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server gracefully (SIGTERM to its process group, so the
// master and its workers) and kills it after 15 s. Later calls return the
// first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	_ = syscall.Kill(-s.PID(), syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.kill() // a worker the master left behind
		return err
	case <-time.After(15 * time.Second):
		s.kill()
		<-s.done
		return errors.New(s.Mode.Name + ": did not stop within 15s of SIGTERM")
	}
}

func (s *Server) kill() { _ = syscall.Kill(-s.PID(), syscall.SIGKILL) }

// Get fetches path from the server at addr on a new connection and
// returns the status and body.
func Get(ctx context.Context, addr, path string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, nil, err
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail returns the end of the file at path, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
