//go:build unix

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run serves until stopped and returns nil after a graceful stop.
//
// With cfg.Workers > 0 the calling process becomes the master: it opens
// the sockets and re-executes os.Executable() with the same os.Args as the
// workers, never calling boot itself. In a worker (recognised by an
// environment marker) and in single mode, Run calls boot once to get the
// handler, then serves. Signals: SIGTERM/SIGINT/SIGHUP graceful stop,
// SIGUSR1 phased restart, SIGUSR2 hot restart, SIGTTIN/SIGTTOU one worker
// more or less. Cancelling ctx is a graceful stop too.
//
// Run returns an error, and exits no process, when the configuration is
// invalid, a socket cannot be bound ("server: bind tcp://0.0.0.0:3000:
// address already in use"), or boot fails in single mode.
func Run(ctx context.Context, cfg Config, boot func() (http.Handler, error)) error {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return err
	}
	spec, isWorker, err := workerSpecFromEnv()
	if err != nil {
		return err
	}
	if isWorker {
		return runWorker(ctx, &cfg, boot, spec)
	}
	n, err := notifierFromEnv()
	switch {
	case err != nil:
		return err
	case cfg.Workers == 0:
		return runSingle(ctx, &cfg, boot, n)
	default:
		return runMaster(ctx, &cfg, n)
	}
}

// handledSignals are the signals a master or single-mode process handles.
func handledSignals() []os.Signal {
	return []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTTIN, syscall.SIGTTOU}
}

// setup opens (or inherits) the sockets, hands them to a supervisor and
// writes the pid file. It refuses to start beside another server that
// answers on the same control socket.
func setup(cfg *Config, n *notifier) ([]socket, error) {
	inherited, err := inheritedSockets()
	if err != nil {
		return nil, err
	}
	if err := prepareControl(cfg); err != nil {
		closeSockets(inherited)
		return nil, err
	}
	sockets, err := openSockets(cfg.Binds, cfg.Port, cfg.Backlog, inherited)
	if err != nil {
		return nil, err
	}
	n.sockets(sockets)
	if cfg.PidFile != "" {
		if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			closeSockets(sockets)
			return nil, fmt.Errorf("server: pidfile: %w", err)
		}
	}
	return sockets, nil
}

// teardown undoes setup after a final stop. A supervised server leaves
// the unix socket files to its supervisor, which keeps the sockets.
func teardown(cfg *Config, sockets []socket, n *notifier) {
	closeSockets(sockets)
	if n == nil {
		removeSocketFiles(sockets)
	}
	if cfg.PidFile != "" {
		_ = os.Remove(cfg.PidFile)
	}
}

func bindURLs(sockets []socket) string {
	urls := make([]string, len(sockets))
	for i, s := range sockets {
		urls[i] = s.addr.url
	}
	return strings.Join(urls, ",")
}

func runMaster(ctx context.Context, cfg *Config, n *notifier) error {
	sockets, err := setup(cfg, n)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, handledSignals()...)
	defer signal.Stop(sigs)
	m := newMaster(cfg, sockets)
	m.notify = n
	defer close(m.done)
	for {
		control, err := startControl(cfg, m.commands, m.log)
		if err != nil {
			teardown(cfg, sockets, n)
			return err
		}
		m.log.Info("master started", "workers", m.desired, "threads", cfg.Threads, "binds", bindURLs(sockets),
			"worker_gomaxprocs", workerMaxProcs(cfg))
		act := m.loop(ctx, sigs)
		control.close()
		if act != actRestart {
			return m.finish(act)
		}
		m.log.Info("hot restart: stopping workers, then re-executing the master")
		m.stopWorkers("hot restart")
		if stopPending(sigs) {
			return m.finish(actStop)
		}
		if cfg.BeforeExec != nil {
			cfg.BeforeExec()
		}
		err = execSelf(sockets, n)
		m.log.Error("hot restart failed; carrying on", "err", err.Error())
	}
}

// stopPending reports whether a stop signal arrived meanwhile (it would be
// lost in the exec); other pending signals are dropped.
func stopPending(sigs <-chan os.Signal) bool {
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGTERM || sig == syscall.SIGINT || sig == syscall.SIGHUP {
				return true
			}
		default:
			return false
		}
	}
}

// finish stops the workers (gracefully unless halting) and cleans up.
func (m *master) finish(act action) error {
	closeSockets(m.sockets) // new connections are refused once the workers close theirs too
	if act == actHalt {
		m.halt()
	} else {
		m.log.Info("graceful stop: waiting for workers", "timeout", m.cfg.ShutdownTimeout.String())
		m.stopWorkers("stop")
	}
	teardown(m.cfg, m.sockets, m.notify)
	m.log.Info("master stopped")
	return nil
}

func runSingle(ctx context.Context, cfg *Config, boot func() (http.Handler, error), n *notifier) error {
	sockets, err := setup(cfg, n)
	if err != nil {
		return err
	}
	app, err := boot()
	if err != nil {
		n.bootError(err)
		teardown(cfg, sockets, n)
		return fmt.Errorf("server: boot: %w", err)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, handledSignals()...)
	defer signal.Stop(sigs)
	log := cfg.Logger.With("pid", os.Getpid())
	for {
		restart, err := serveSingle(ctx, cfg, sockets, app, sigs, n, log)
		if err != nil || !restart || stopPending(sigs) {
			teardown(cfg, sockets, n)
			return err
		}
		if cfg.BeforeExec != nil {
			cfg.BeforeExec()
		}
		err = execSelf(sockets, n)
		log.Error("hot restart failed; carrying on", "err", err.Error())
	}
}

// serveSingle serves in this process until a stop (false) or a hot
// restart (true) is asked for, then stops serving gracefully.
func serveSingle(ctx context.Context, cfg *Config, sockets []socket, app http.Handler,
	sigs <-chan os.Signal, n *notifier, log *slog.Logger) (bool, error) {
	lns, err := listenersFor(sockets)
	if err != nil {
		return false, err
	}
	// The control app listens before the HTTP server answers, so whoever
	// sees the app answer can also reach the control app.
	commands := make(chan command)
	control, err := startControl(cfg, commands, cfg.Logger)
	if err != nil {
		for _, ln := range lns {
			_ = ln.Close()
		}
		return false, err
	}
	defer control.close()
	s := newHTTPServer(cfg, app, log)
	serveErr := s.serve(lns)
	log.Info("serving (single mode)", "binds", bindURLs(sockets), "threads", cfg.Threads)
	n.booted()
	started := time.Now()
	restart, err := singleLoop(ctx, s, sigs, commands, serveErr, n.supervisorGone(), started, log)
	log.Info("stopping: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	s.shutdown(cfg.ShutdownTimeout)
	return restart, err
}

func listenersFor(sockets []socket) ([]net.Listener, error) {
	var lns []net.Listener
	for _, s := range sockets {
		ln, err := fileListener(s)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func singleLoop(ctx context.Context, s *httpServer, sigs <-chan os.Signal, commands <-chan command,
	serveErr <-chan error, gone <-chan struct{}, started time.Time, log *slog.Logger) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case <-gone:
			log.Warn("supervisor gone; stopping")
			return false, nil
		case err := <-serveErr:
			return false, fmt.Errorf("server: serve: %w", err)
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR2:
				return true, nil
			case syscall.SIGUSR1, syscall.SIGTTIN, syscall.SIGTTOU:
				log.Warn("signal needs cluster mode (-w N); ignored", "signal", sig.String())
			default:
				return false, nil
			}
		case c := <-commands:
			if restart, stop := singleCommand(c, s, started); stop {
				return restart, nil
			}
		}
	}
}

func singleCommand(c command, s *httpServer, started time.Time) (restart, stop bool) {
	switch c.name {
	case CmdStats:
		b, err := json.Marshal(SingleStats{StartedAt: started.UTC(), Status: s.pool.status()})
		c.reply <- reply{body: b, err: err}
	case CmdRestart:
		c.reply <- reply{body: []byte(okBody)}
		return true, true
	case CmdStop, CmdHalt:
		c.reply <- reply{body: []byte(okBody)}
		return false, true
	case CmdPhasedRestart:
		c.reply <- reply{err: errors.New("phased restart needs cluster mode (-w N)")}
	default:
		c.reply <- reply{err: errUnknownCommand}
	}
	return false, false
}
