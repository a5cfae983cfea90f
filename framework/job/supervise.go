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
	// Logger; nil discards.
	Logger *slog.Logger
}

// Supervise runs cfg.Processes worker processes and restarts any that
// exits, as the server's master does for its workers (`gorails jobs -w N`).
// The jobs of a process that died are returned to their queues by the
// other workers' rescuers once its leases expire. When ctx is cancelled it
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
	var wg sync.WaitGroup
	for i := range cfg.Processes {
		wg.Add(1)
		go func() { defer wg.Done(); superviseSlot(ctx, cfg, i) }()
	}
	wg.Wait()
	return nil
}

// superviseSlot keeps one worker process running until ctx ends.
func superviseSlot(ctx context.Context, cfg SupervisorConfig, slot int) {
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
			case <-ctx.Done():
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(cfg.ShutdownTimeout):
					cfg.Logger.Warn("job worker process ignored SIGTERM; killing it", "slot", slot, "pid", cmd.Process.Pid)
					_ = cmd.Process.Kill()
					<-exited
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
