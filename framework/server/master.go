//go:build unix

package server

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"syscall"
	"time"
)

// action is what ends the master's loop.
type action int

const (
	actStop    action = iota // graceful stop
	actHalt                  // stop now
	actRestart               // hot restart: stop the workers, exec a new master
)

// master supervises the workers. All of its state is owned by the
// goroutine running loop; others reach it through events and commands.
type master struct {
	cfg        *Config
	log        *slog.Logger
	sockets    []socket
	workers    []*workerProc
	desired    int
	phase      int
	restarting bool // a phased restart is under way
	notify     *notifier
	announced  bool // told the supervisor that the workers serve
	failures   int  // workers that died before booting, in a row
	spawnAfter time.Time
	startedAt  time.Time
	events     chan workerEvent
	commands   chan command
	done       chan struct{}
}

func newMaster(cfg *Config, sockets []socket) *master {
	return &master{
		cfg:       cfg,
		log:       cfg.Logger.With("role", "master", "pid", os.Getpid()),
		sockets:   sockets,
		desired:   cfg.Workers,
		startedAt: time.Now(),
		events:    make(chan workerEvent, 64),
		commands:  make(chan command),
		done:      make(chan struct{}),
	}
}

// loop supervises until a signal, a command or ctx says to stop or restart.
func (m *master) loop(ctx context.Context, sigs <-chan os.Signal) action {
	tick := time.NewTicker(min(m.cfg.WorkerCheckInterval, time.Second))
	defer tick.Stop()
	for {
		m.maintain(time.Now())
		select {
		case <-ctx.Done():
			return actStop
		case <-m.notify.supervisorGone():
			m.log.Warn("supervisor gone; stopping")
			return actStop
		case sig := <-sigs:
			if act, ok := m.onSignal(sig); ok {
				return act
			}
		case ev := <-m.events:
			m.onEvent(ev)
		case c := <-m.commands:
			if act, ok := m.onCommand(c); ok {
				return act
			}
		case <-tick.C:
			m.checkTimeouts(time.Now())
		}
	}
}

func (m *master) onSignal(sig os.Signal) (action, bool) {
	m.log.Info("signal received", "signal", signalName(sig))
	switch sig {
	case syscall.SIGUSR1:
		m.phasedRestart()
	case syscall.SIGUSR2:
		return actRestart, true
	case syscall.SIGTTIN:
		m.desired++
		m.log.Info("adding a worker", "workers", m.desired)
	case syscall.SIGTTOU:
		if m.desired > 1 {
			m.desired--
			m.log.Info("removing a worker", "workers", m.desired)
		}
	default:
		return actStop, true
	}
	return 0, false
}

func (m *master) phasedRestart() {
	m.phase++
	m.restarting = true
	m.log.Info("phased restart started", "phase", m.phase)
}

// active lists the workers that count toward the desired number.
func (m *master) active() []*workerProc {
	var ws []*workerProc
	for _, w := range m.workers {
		if !w.stopping && !w.killed {
			ws = append(ws, w)
		}
	}
	return ws
}

// maintain moves toward the desired state one step at a time: spawn
// missing workers; during a phased restart start one new worker, wait for
// its boot, then retire an old one; retire extra workers.
func (m *master) maintain(now time.Time) {
	active := m.active()
	allBooted := !slices.ContainsFunc(active, func(w *workerProc) bool { return !w.booted })
	var old []*workerProc
	for _, w := range active {
		if w.phase != m.phase {
			old = append(old, w)
		}
	}
	switch {
	case len(active) < m.desired:
		if now.After(m.spawnAfter) {
			for i := len(active); i < m.desired; i++ {
				m.spawn(m.freeIndex(), m.phase)
			}
		}
	case len(active) > m.desired:
		if allBooted || len(old) == 0 {
			m.retire(m.pickRetiree(active, old), "replaced")
		}
	case len(old) > 0 && allBooted && now.After(m.spawnAfter):
		m.spawn(old[0].index, m.phase)
	case m.restarting && len(old) == 0 && allBooted && !m.oldRemain():
		m.restarting = false
		m.log.Info("phased restart finished", "phase", m.phase, "workers", len(active))
	}
}

// oldRemain reports whether a worker of an earlier phase still runs (stopping, say).
func (m *master) oldRemain() bool {
	return slices.ContainsFunc(m.workers, func(w *workerProc) bool { return w.phase != m.phase })
}

func (m *master) pickRetiree(active, old []*workerProc) *workerProc {
	if len(old) > 0 {
		return old[0]
	}
	return slices.MaxFunc(active, func(a, b *workerProc) int { return a.index - b.index })
}

func (m *master) freeIndex() int {
	for i := 0; ; i++ {
		if !slices.ContainsFunc(m.active(), func(w *workerProc) bool { return w.index == i }) {
			return i
		}
	}
}

func (m *master) spawn(index, phase int) {
	w, err := spawnWorker(m.cfg, m.sockets, index, phase, m.events, m.done)
	if err != nil {
		m.log.Error("could not start worker", "index", index, "err", err.Error())
		m.backoff()
		return
	}
	m.workers = append(m.workers, w)
	m.log.Info("worker started", "index", index, "worker_pid", w.pid, "phase", phase)
}

// backoff delays the next spawn after workers fail to boot, up to 10s.
func (m *master) backoff() {
	m.failures++
	m.spawnAfter = time.Now().Add(min(time.Duration(m.failures)*500*time.Millisecond, 10*time.Second))
}

func (m *master) retire(w *workerProc, why string) {
	if w.stopping {
		return
	}
	w.stopping, w.stoppingAt = true, time.Now()
	m.log.Info("stopping worker", "index", w.index, "worker_pid", w.pid, "phase", w.phase, "why", why)
	w.signal(syscall.SIGTERM)
}

func (m *master) kill(w *workerProc, msg string, attrs ...any) {
	if w.killed {
		return
	}
	w.killed = true
	attrs = append(attrs, "index", w.index, "worker_pid", w.pid)
	m.log.Error(msg, attrs...)
	w.signal(syscall.SIGKILL)
}

func (m *master) onEvent(ev workerEvent) {
	w := ev.w
	if !slices.Contains(m.workers, w) {
		return // a late line from a worker already reaped
	}
	switch ev.kind {
	case evBoot:
		w.booted, w.lastCheckin = true, time.Now()
		m.failures = 0
		m.log.Info("worker booted", "index", w.index, "worker_pid", w.pid, "phase", w.phase,
			"boot_time", time.Since(w.startedAt).Round(time.Millisecond).String())
		if !m.announced && len(m.active()) >= m.desired &&
			!slices.ContainsFunc(m.active(), func(w *workerProc) bool { return !w.booted }) {
			m.announced = true
			m.notify.booted()
		}
	case evStatus:
		w.lastCheckin, w.lastStatus = time.Now(), ev.status
	case evBootError:
		m.log.Error("worker failed to boot", "index", w.index, "worker_pid", w.pid, "err", ev.err.Error())
		m.notify.bootError(ev.err)
	case evExit:
		m.onExit(w, ev.err)
	}
}

func (m *master) onExit(w *workerProc, err error) {
	m.workers = slices.DeleteFunc(m.workers, func(x *workerProc) bool { return x == w })
	msg := "exit 0"
	if err != nil {
		msg = err.Error()
	}
	if w.stopping {
		m.log.Info("worker stopped", "index", w.index, "worker_pid", w.pid, "status", msg)
		return
	}
	m.log.Warn("worker exited; replacing it", "index", w.index, "worker_pid", w.pid, "status", msg, "booted", w.booted)
	if !w.booted {
		m.backoff()
	}
}

// checkTimeouts kills workers that do not boot, check in, or stop in time.
func (m *master) checkTimeouts(now time.Time) {
	for _, w := range m.workers {
		switch {
		case w.killed:
		case !w.booted && now.Sub(w.startedAt) > m.cfg.WorkerBootTimeout:
			m.kill(w, "worker did not boot in time; killing it", "timeout", m.cfg.WorkerBootTimeout.String())
		case w.booted && !w.stopping && now.Sub(w.lastCheckin) > m.cfg.WorkerTimeout:
			m.kill(w, "worker missed its check-in; killing it",
				"last_checkin", now.Sub(w.lastCheckin).Round(time.Millisecond).String(),
				"timeout", m.cfg.WorkerTimeout.String())
		case w.stopping && now.Sub(w.stoppingAt) > m.cfg.ShutdownTimeout+5*time.Second:
			m.kill(w, "worker did not stop in time; killing it")
		}
	}
}

// stopWorkers sends SIGTERM to every worker and waits for all to exit,
// killing those still running after the shutdown timeout (plus a grace).
func (m *master) stopWorkers(why string) {
	for _, w := range m.workers {
		m.retire(w, why)
	}
	deadline := time.NewTimer(m.cfg.ShutdownTimeout + 5*time.Second)
	defer deadline.Stop()
	for len(m.workers) > 0 {
		select {
		case ev := <-m.events:
			m.onEvent(ev)
		case c := <-m.commands:
			c.reply <- reply{err: errBusy}
		case <-deadline.C:
			for _, w := range m.workers {
				m.kill(w, "worker did not stop in time; killing it")
			}
			deadline.Reset(5 * time.Second)
		}
	}
}

// halt kills every worker at once and waits for them to be reaped.
func (m *master) halt() {
	for _, w := range m.workers {
		m.kill(w, "halting: killing worker")
	}
	m.stopWorkers("halt")
}

// signalName names the signals the master handles as kill(1) does.
func signalName(sig os.Signal) string {
	names := map[os.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGINT: "INT", syscall.SIGHUP: "HUP",
		syscall.SIGUSR1: "USR1", syscall.SIGUSR2: "USR2", syscall.SIGTTIN: "TTIN", syscall.SIGTTOU: "TTOU"}
	if n, ok := names[sig]; ok {
		return "SIG" + n
	}
	return sig.String()
}
