package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Defaults, taken from Puma's and Rails' figures where they have one.
const (
	DefaultBind                = "tcp://0.0.0.0:3000"
	DefaultPort                = 3000
	DefaultBacklog             = 1024
	DefaultWorkerTimeout       = 60 * time.Second
	DefaultWorkerCheckInterval = 5 * time.Second
	DefaultShutdownTimeout     = 30 * time.Second
	DefaultBodyMemoryLimit     = 112 << 10 // Puma's MAX_BODY: larger bodies go to a temp file
	DefaultMaxHeaderBytes      = 112 << 10 // Puma's MAX_HEADER
	DefaultMaxURILength        = 12 << 10  // Puma's MAX_REQUEST_URI_LENGTH
	DefaultMaxBodyBytes        = 100 << 20
	DefaultHeaderTimeout       = 30 * time.Second // Puma's first_data_timeout
	DefaultIdleTimeout         = 20 * time.Second // Puma's persistent_timeout
	DefaultBodyTimeout         = 60 * time.Second
	DefaultMaxKeepAlive        = 1000 // requests on one connection before it is closed
	DefaultIdleDrain           = time.Second
)

// Config configures Run. Its zero value works: every zero field takes the
// default listed beside it, filled in by WithDefaults. For the limits and
// timeouts a negative value turns the limit off.
type Config struct {
	// Binds are the addresses to listen on: "tcp://host:port" or
	// "unix:///path/to.sock". Default: tcp://0.0.0.0:Port.
	Binds []string
	// Port is used by Binds given as a bare host and by the default bind. Default 3000.
	Port int
	// Workers is the number of worker processes; 0 is single mode, where
	// one process both supervises and serves.
	Workers int
	// Threads is the number of handler slots per worker: at most this many
	// requests run application code at once (Puma's max threads).
	// Default: DefaultThreadCount of the worker's GOMAXPROCS.
	Threads int
	// Backlog is the listen(2) backlog of the sockets. Default 1024.
	Backlog int
	// WorkerTimeout kills a booted worker that has not checked in for this long. Default 60s.
	WorkerTimeout time.Duration
	// WorkerBootTimeout kills a worker that has not booted within this long. Default WorkerTimeout.
	WorkerBootTimeout time.Duration
	// WorkerCheckInterval is how often a worker reports its status. Default 5s.
	WorkerCheckInterval time.Duration
	// ShutdownTimeout bounds a graceful stop: in-flight requests get this
	// long to finish before their connections are closed. Default 30s.
	ShutdownTimeout time.Duration
	// MaxProcs is GOMAXPROCS in each worker. Default: the master's
	// GOMAXPROCS divided among the workers (rounded up), unless the
	// GOMAXPROCS environment variable is set.
	MaxProcs int

	// BodyMemoryLimit is the largest request body buffered in memory;
	// larger ones are buffered in an unlinked temp file. Default 112 KiB.
	BodyMemoryLimit int64
	// TempDir holds the body files. Default os.TempDir().
	TempDir string
	// MaxHeaderBytes bounds the request line plus headers (431 beyond). Default 112 KiB.
	MaxHeaderBytes int
	// MaxURILength bounds the request target (414 beyond). Default 12 KiB.
	MaxURILength int
	// MaxBodyBytes bounds a request body (413 beyond). Default 100 MiB.
	MaxBodyBytes int64
	// HeaderTimeout bounds the wait from a connection's (or a keep-alive
	// request's) first byte expected to the end of its headers; a client
	// that sent nothing or part of a request gets a 408. Default 30s.
	// It and IdleTimeout are enforced by a sweep of the connections every
	// tenth of the shorter of the two (at most 250ms, at least 5ms), so a
	// connection may outlive either by up to that period.
	HeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle this long (plus up
	// to one sweep period, see HeaderTimeout). Default 20s.
	IdleTimeout time.Duration
	// BodyTimeout bounds reading one request body (408 beyond). Default 60s.
	BodyTimeout time.Duration
	// WriteTimeout bounds writing a response; off by default (a negative
	// or zero value), as in Puma.
	WriteTimeout time.Duration
	// MaxKeepAliveRequests is the number of requests served on one
	// connection before the server closes it. Default 1000.
	MaxKeepAliveRequests int
	// IdleDrain is how long a stopping server (a retired worker, a
	// restart) keeps its keep-alive connections open for a request
	// already on its way; the answer to it closes the connection. Default
	// 1s; the development server uses less, so a browser's idle connection
	// does not hold up a restart.
	IdleDrain time.Duration

	// ControlURL, when set, serves the control app: "unix:///path.sock" or
	// "tcp://127.0.0.1:9293". A TCP control URL requires ControlToken.
	ControlURL string
	// ControlToken, when set, is required by every control request.
	ControlToken string
	// PidFile, when set, receives the master's pid; it is removed on stop.
	PidFile string
	// Logger receives the server's logs. Default: text to stderr.
	Logger *slog.Logger
	// Stderr is where the default logger writes. Default os.Stderr.
	Stderr io.Writer
	// BeforeExec, when set, runs in a single-mode process that stopped
	// serving and is about to replace itself (hot restart, SIGUSR2), so the
	// app can stop what boot started (an in-process job worker, database
	// connections) that the exec would otherwise cut off. When Run returns
	// instead, the caller cleans up.
	BeforeExec func()
}

// DefaultThreadCount is the default number of handler slots of a process
// with procs CPUs (its GOMAXPROCS): four per CPU, at least 16. Puma's 5
// exists because Ruby's GVL runs one thread at a time; a Go process runs
// its handlers in parallel, and one waiting for the database holds no
// CPU, so five slots would leave a multi-core machine idle.
func DefaultThreadCount(procs int) int { return max(16, 4*procs) }

// WithDefaults returns a copy of c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Binds = append([]string(nil), c.Binds...)
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if len(c.Binds) == 0 {
		c.Binds = []string{"tcp://0.0.0.0:" + strconv.Itoa(c.Port)}
	}
	if c.Threads == 0 {
		procs := runtime.GOMAXPROCS(0)
		if c.Workers > 0 {
			procs = workerMaxProcs(&c)
		}
		c.Threads = DefaultThreadCount(procs)
	}
	setInt(&c.Backlog, DefaultBacklog)
	setDur(&c.WorkerTimeout, DefaultWorkerTimeout)
	setDur(&c.WorkerBootTimeout, c.WorkerTimeout)
	setDur(&c.WorkerCheckInterval, DefaultWorkerCheckInterval)
	setDur(&c.ShutdownTimeout, DefaultShutdownTimeout)
	setInt64(&c.BodyMemoryLimit, DefaultBodyMemoryLimit)
	setInt(&c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setInt(&c.MaxURILength, DefaultMaxURILength)
	setInt64(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDur(&c.HeaderTimeout, DefaultHeaderTimeout)
	setDur(&c.IdleTimeout, DefaultIdleTimeout)
	setDur(&c.BodyTimeout, DefaultBodyTimeout)
	setInt(&c.MaxKeepAliveRequests, DefaultMaxKeepAlive)
	setDur(&c.IdleDrain, DefaultIdleDrain)
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(c.Stderr, nil))
	}
	return c
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func setInt64(v *int64, def int64) {
	if *v == 0 {
		*v = def
	}
}

func setDur(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}

// ErrConfig is wrapped by every configuration error Run returns.
var ErrConfig = errors.New("server: invalid configuration")

// validate checks a config that went through WithDefaults.
func (c *Config) validate() error {
	switch {
	case c.Workers < 0:
		return fmt.Errorf("%w: workers must be >= 0, got %d", ErrConfig, c.Workers)
	case c.Threads < 1:
		return fmt.Errorf("%w: threads must be >= 1, got %d", ErrConfig, c.Threads)
	case c.Backlog < 1:
		return fmt.Errorf("%w: backlog must be >= 1, got %d", ErrConfig, c.Backlog)
	case c.WorkerTimeout <= 0 || c.WorkerBootTimeout <= 0 || c.WorkerCheckInterval <= 0:
		return fmt.Errorf("%w: worker timeouts and check interval must be positive", ErrConfig)
	case c.WorkerCheckInterval >= c.WorkerTimeout:
		return fmt.Errorf("%w: worker check interval (%s) must be shorter than the worker timeout (%s)",
			ErrConfig, c.WorkerCheckInterval, c.WorkerTimeout)
	case c.ShutdownTimeout < 0:
		return fmt.Errorf("%w: shutdown timeout must be >= 0", ErrConfig)
	}
	for _, b := range c.Binds {
		if _, err := parseBind(b, c.Port); err != nil {
			return err
		}
	}
	return c.validateControl()
}

func (c *Config) validateControl() error {
	if c.ControlURL == "" {
		return nil
	}
	a, err := parseBind(c.ControlURL, 0)
	if err != nil {
		return fmt.Errorf("control URL: %w", err)
	}
	if a.network == "tcp" && c.ControlToken == "" {
		return fmt.Errorf("%w: a tcp control URL requires a control token", ErrConfig)
	}
	return nil
}

// addr is a parsed bind URL.
type addr struct {
	network string // "tcp" or "unix"
	address string // host:port or path
	url     string // canonical form
}

// parseBind turns "tcp://host:port", "unix:///path", "host", "host:port"
// or ":port" into an addr; port fills a missing port.
func parseBind(s string, port int) (addr, error) {
	if strings.HasPrefix(s, "unix://") {
		p := strings.TrimPrefix(s, "unix://")
		if p == "" {
			return addr{}, fmt.Errorf("%w: bind %q has no socket path", ErrConfig, s)
		}
		return addr{network: "unix", address: p, url: "unix://" + p}, nil
	}
	hostport := s
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "tcp" {
			return addr{}, fmt.Errorf("%w: bind %q: want tcp://host:port or unix:///path", ErrConfig, s)
		}
		hostport = u.Host
	}
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host, p = strings.Trim(hostport, "[]"), strconv.Itoa(port)
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return addr{}, fmt.Errorf("%w: bind %q: bad host", ErrConfig, s)
		}
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return addr{}, fmt.Errorf("%w: bind %q: bad port", ErrConfig, s)
	}
	hp := net.JoinHostPort(host, strconv.Itoa(n))
	if h, _, err := net.SplitHostPort(hp); err != nil || h != host {
		return addr{}, fmt.Errorf("%w: bind %q: bad host", ErrConfig, s)
	}
	if u, err := url.Parse("tcp://" + hp); err != nil || u.Host != hp {
		return addr{}, fmt.Errorf("%w: bind %q: bad host", ErrConfig, s)
	}
	return addr{network: "tcp", address: hp, url: "tcp://" + hp}, nil
}
