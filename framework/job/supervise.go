package job

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// SupervisorConfig configures Supervise.
type SupervisorConfig struct {
	// Processes is how many worker processes run at once (2 when <= 0).
	Processes int
	// Command returns the command of worker process slot i, called again
	// at each restart: typically the app binary itself re-executed as a
	// single worker (`jobs -w 0`).
	Command func(slot int) *exec.Cmd
	// ShutdownTimeout is the wait after SIGTERM before SIGKILL (30s); give
	// it more than the workers' own WorkerConfig.ShutdownTimeout.
	ShutdownTimeout time.Duration
	// RestartDelay is the wait before restarting a process that exited
	// (1s), doubled up to 30s while it keeps dying within 10s of starting.
	RestartDelay time.Duration
	// Rescuer, when set, is the store the processes drain (Database or
	// Redis): when a process exits, the jobs its workers held (those with
	// the default ID, see WorkerPrefix) go back to their queue at once,
	// before it is restarted, instead of when their leases expire.
	Rescuer WorkerRescuer
	// Now is the clock given to the Rescuer (time.Now when nil).
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Supervise runs cfg.Processes worker processes and restarts any that
// exits, as the server's master does for its workers (`gorails jobs -w N`).
// The jobs of a process that died (kill -9, a crash) go back to their
// queues as soon as it has exited when cfg.Rescuer is set; otherwise the
// other workers' rescuers return them once its leases expire. When ctx is cancelled it
// sends SIGTERM to every process (graceful worker shutdown), SIGKILLs
// those still running after ShutdownTimeout, and returns nil once all have
// exited.
func Supervise(ctx context.Context, cfg SupervisorConfig) error {
	if cfg.Command == nil {
		return fmt.Errorf("%w: Supervise needs a Command", ErrInvalidConfig)
	}
	if cfg.Processes <= 0 {
		cfg.Processes = 2
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.RestartDelay <= 0 {
		cfg.RestartDelay = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var wg, late sync.WaitGroup
	for i := range cfg.Processes {
		wg.Add(1)
		go func() { defer wg.Done(); superviseSlot(ctx, cfg, i, &late) }()
	}
	wg.Wait()
	late.Wait()
	return nil
}

// superviseSlot keeps one worker process running until ctx ends.
func superviseSlot(ctx context.Context, cfg SupervisorConfig, slot int, late *sync.WaitGroup) {
	delay := cfg.RestartDelay
	for ctx.Err() == nil {
		cmd := cfg.Command(slot)
		started := time.Now()
		if err := cmd.Start(); err != nil {
			cfg.Logger.Error("job worker process did not start", "slot", slot, "error", err)
		} else {
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			cfg.Logger.Info("job worker process started", "slot", slot, "pid", cmd.Process.Pid)
			select {
			case err := <-exited:
				cfg.Logger.Error("job worker process exited; restarting", "slot", slot, "pid", cmd.Process.Pid, "error", err)
				handBack(ctx, cfg, cmd.Process.Pid, late)
			case <-ctx.Done():
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(cfg.ShutdownTimeout):
					cfg.Logger.Warn("job worker process ignored SIGTERM; killing it", "slot", slot, "pid", cmd.Process.Pid)
					_ = cmd.Process.Kill()
					<-exited
					handBack(context.WithoutCancel(ctx), cfg, cmd.Process.Pid, nil)
				}
				return
			}
		}
		if time.Since(started) > 10*time.Second {
			delay = cfg.RestartDelay
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// lateHandBacks are the waits, after a worker process exited, before
// handing its jobs back again: a claim it sent just before it died can
// still commit on the database server after the first hand-back (the
// server finishes a statement before it notices the client is gone).
// After the last one, the lease's expiry is the backstop.
var lateHandBacks = [...]time.Duration{250 * time.Millisecond, time.Second, 5 * time.Second}

// handBack returns the jobs of exited worker process pid to their queues
// now and, when late is not nil, again after each of lateHandBacks (in a
// goroutine late tracks, ending early when ctx does).
func handBack(ctx context.Context, cfg SupervisorConfig, pid int, late *sync.WaitGroup) {
	if cfg.Rescuer == nil {
		return
	}
	prefix := WorkerPrefix(pid)
	rescueOnce(ctx, cfg, pid, prefix)
	if late == nil {
		return
	}
	late.Add(1)
	go func() {
		defer late.Done()
		for _, d := range lateHandBacks {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return
			}
			rescueOnce(ctx, cfg, pid, prefix)
		}
	}()
}

func rescueOnce(ctx context.Context, cfg SupervisorConfig, pid int, prefix string) {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	start := time.Now()
	n, err := cfg.Rescuer.RescueWorker(ctx, prefix, now().UTC().Truncate(time.Microsecond))
	switch {
	case err != nil:
		cfg.Logger.Error("could not hand back the jobs of an exited worker process; they return when their leases expire", "pid", pid, "error", err)
	case n > 0:
		cfg.Logger.Warn("handed back the jobs of an exited worker process", "pid", pid, "count", n, "duration", time.Since(start))
	}
}
