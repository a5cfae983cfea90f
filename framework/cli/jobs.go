package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/job"
)

// jobsCommand is `APP jobs`: a job worker, or with -w N a supervisor of N
// worker processes (the app binary re-executed as `jobs -w 0`).
func jobsCommand(app *framework.App) *cobra.Command {
	cfg := app.Config.Worker
	var (
		processes int
		queues    []string
	)
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Run the background job worker",
		Long: `Run background jobs from the app's job backend (the database by default,
or Redis) until SIGTERM or SIGINT, then stop claiming, let running jobs finish
within --shutdown-timeout and hand back the rest.

With -w 0 (the default) this process runs the jobs with -c executors; with
-w N a supervisor starts N worker processes and restarts any that dies,
handing the jobs it was running back to their queues as soon as it exits.
Queues are drained by weight (-q mailers:2 -q default:1) or, with
--strict, in the order listed. The defaults come from Config.Worker.`,
		Example: "  gorails jobs\n  gorails jobs -c 20 -q critical:3 -q default\n  gorails jobs -w 4",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			qs, err := parseQueues(queues)
			if err != nil {
				return err
			}
			if qs != nil {
				cfg.Queues = qs
			}
			if processes < 0 {
				return fmt.Errorf("-w %d: give 0 (this process) or a number of worker processes", processes)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			if err := app.Boot(ctx); err != nil {
				return fmt.Errorf("boot: %w", err)
			}
			defer app.Close()
			if err := app.CheckJobs(ctx); err != nil {
				return err
			}
			if processes > 0 {
				return superviseJobs(ctx, app, processes, cfg, childArgs(cmd.Flags()))
			}
			w, err := job.NewWorker(app.Jobs, workerConfig(app, cfg))
			if err != nil {
				return err
			}
			return w.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&cfg.Concurrency, "concurrency", "c", cfg.Concurrency, "jobs run at once per process (default 10)")
	f.StringArrayVarP(&queues, "queue", "q", nil, "queue to drain, NAME or NAME:WEIGHT; repeatable (default: Config.Worker's, else \"default\")")
	f.BoolVar(&cfg.StrictOrder, "strict", cfg.StrictOrder, "drain the queues in the order given instead of by weight")
	f.IntVarP(&processes, "workers", "w", 0, "worker processes under a supervisor (0 = run jobs in this process)")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on SIGTERM, wait this long for running jobs, then hand them back (default 25s)")
	f.DurationVar(&cfg.PollInterval, "poll-interval", cfg.PollInterval, "wait after finding no job (default 500ms)")
	return cmd
}

// childArgs are the arguments of a supervised worker process: the flags
// given to the supervisor, with -w 0.
func childArgs(flags *pflag.FlagSet) []string {
	args := []string{"jobs", "--workers", "0"}
	flags.Visit(func(f *pflag.Flag) {
		if f.Name == "workers" {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	return args
}

// superviseJobs runs n worker processes until ctx ends.
func superviseJobs(ctx context.Context, app *framework.App, n int, cfg job.WorkerConfig, args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("jobs: find the app binary to start workers: %w", err)
	}
	shutdown := cfg.ShutdownTimeout
	if shutdown <= 0 {
		shutdown = job.DefaultShutdownTimeout
	}
	app.Logger.Info("jobs: supervisor started", "processes", n, "pid", os.Getpid())
	rescuer, _ := app.Jobs.Backend().(job.WorkerRescuer) // a dead worker's jobs go back at once
	err = job.Supervise(ctx, job.SupervisorConfig{
		Rescuer:   rescuer,
		Now:       app.Jobs.Now,
		Processes: n,
		Command: func(int) *exec.Cmd {
			c := exec.Command(exe, args...)
			c.Stdout, c.Stderr = os.Stdout, os.Stderr
			return c
		},
		ShutdownTimeout: shutdown + 5*time.Second,
		Logger:          app.Logger.With("component", "jobs"),
	})
	app.Logger.Info("jobs: supervisor stopped")
	return err
}

// parseQueues parses NAME[:WEIGHT] flags; nil when none were given.
func parseQueues(specs []string) ([]job.QueueWeight, error) {
	var out []job.QueueWeight
	for _, s := range specs {
		for _, part := range strings.Split(s, ",") {
			name, weight, hasWeight := strings.Cut(strings.TrimSpace(part), ":")
			q := job.QueueWeight{Name: name, Weight: 1}
			if name == "" {
				return nil, fmt.Errorf("--queue %q: give a queue name, NAME or NAME:WEIGHT", s)
			}
			if hasWeight {
				w, err := strconv.Atoi(weight)
				if err != nil || w < 1 || w > job.MaxQueueWeight {
					return nil, fmt.Errorf("--queue %q: the weight after ':' must be a whole number from 1 to %d", s, job.MaxQueueWeight)
				}
				q.Weight = w
			}
			out = append(out, q)
		}
	}
	return out, nil
}

// jobsStatsCommand is `APP jobs:stats`: the backend's counts as JSON.
func jobsStatsCommand(app *framework.App) *cobra.Command {
	return &cobra.Command{
		Use:   "jobs:stats",
		Short: "Print the job queues' counts as JSON: ready by queue, scheduled, retrying, running, dead",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.Boot(cmd.Context()); err != nil {
				return fmt.Errorf("boot: %w", err)
			}
			defer app.Close()
			if err := app.CheckJobs(cmd.Context()); err != nil {
				return err
			}
			st, err := app.Jobs.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if st.Ready == nil {
				st.Ready = map[string]int{}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		},
	}
}
