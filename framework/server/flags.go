package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// BindFlags registers the server's flags on fs, writing into c. Values
// already in c (from config/server.go, say) are the flags' defaults, so a
// flag given on the command line overrides them and an absent one keeps them.
// Workers re-run the same command line, so they parse the same values.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&c.Port, "port", "p", c.Port, "port for the default bind and for bare-host binds (default 3000)")
	fs.StringArrayVarP(&c.Binds, "binding", "b", c.Binds, "bind URL (tcp://host:port, unix:///path) or host; repeatable")
	fs.IntVarP(&c.Workers, "workers", "w", c.Workers, "worker processes (0 = single mode)")
	fs.VarP((*threadsValue)(&c.Threads), "threads", "t", "handler slots per worker, N or MIN:MAX (default 4 per CPU, at least 16)")
	fs.IntVar(&c.Backlog, "backlog", c.Backlog, "listen backlog (default 1024)")
	fs.DurationVar(&c.WorkerTimeout, "worker-timeout", c.WorkerTimeout, "kill a worker that misses check-ins this long (default 60s)")
	fs.DurationVar(&c.WorkerBootTimeout, "worker-boot-timeout", c.WorkerBootTimeout, "kill a worker not booted within this long (default worker-timeout)")
	fs.DurationVar(&c.WorkerCheckInterval, "worker-check-interval", c.WorkerCheckInterval, "how often workers report status (default 5s)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "graceful stop deadline (default 30s)")
	fs.IntVar(&c.MaxProcs, "max-procs", c.MaxProcs, "GOMAXPROCS per worker (default: divided among workers)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-size", c.MaxBodyBytes, "largest request body in bytes, -1 for no limit (default 100 MiB)")
	fs.IntVar(&c.MaxHeaderBytes, "max-header-size", c.MaxHeaderBytes, "largest request header block in bytes (default 112 KiB)")
	fs.IntVar(&c.MaxURILength, "max-uri-length", c.MaxURILength, "longest request URI, -1 for no limit (default 12 KiB)")
	fs.IntVar(&c.MaxKeepAliveRequests, "max-keep-alive", c.MaxKeepAliveRequests, "requests per connection, -1 for no limit (default 1000)")
	fs.DurationVar(&c.HeaderTimeout, "header-timeout", c.HeaderTimeout, "time to receive a request's headers (default 30s)")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "keep-alive idle timeout (default 20s)")
	fs.DurationVar(&c.BodyTimeout, "body-timeout", c.BodyTimeout, "time to receive a request body (default 60s)")
	fs.DurationVar(&c.IdleDrain, "idle-drain", c.IdleDrain, "a stopping server keeps idle keep-alive connections this long for a request on its way (default 1s)")
	fs.StringVar(&c.PidFile, "pidfile", c.PidFile, "write the master's pid to this file")
	fs.StringVar(&c.ControlURL, "control-url", c.ControlURL, "control app address: unix:///path.sock or tcp://127.0.0.1:9293")
	fs.StringVar(&c.ControlToken, "control-token", c.ControlToken, "token required by the control app (required for tcp)")
}

// threadsValue parses "5" or Puma's "0:5" (the maximum is what counts).
type threadsValue int

func (v *threadsValue) String() string { return strconv.Itoa(int(*v)) }

func (v *threadsValue) Type() string { return "threads" }

func (v *threadsValue) Set(s string) error {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("threads: want N or MIN:MAX with N >= 1, got %q", s)
	}
	*v = threadsValue(n)
	return nil
}
