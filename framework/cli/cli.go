package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/server"
	"github.com/spf13/cobra"
)

// Run is the app binary's main: it runs the command named by os.Args
// (server, routes, ...) and exits the process with its status. An error is
// printed as one line on stderr and exits 1.
func Run(app *framework.App) {
	os.Exit(Main(context.Background(), app, os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs one command of the app binary with args and returns the exit
// status. It is Run without the process: tests call it.
func Main(ctx context.Context, app *framework.App, args []string, stdout, stderr io.Writer) int {
	root := command(ctx, app)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", app.Config.Name, err)
		return 1
	}
	return 0
}

// command is the app binary's command tree.
func command(ctx context.Context, app *framework.App) *cobra.Command {
	root := &cobra.Command{
		Use:           app.Config.Name,
		Short:         fmt.Sprintf("The %s application (gorails)", app.Config.Name),
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
	}
	root.SetContext(ctx)
	var verbose bool
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log at debug level (every SQL statement, ...)")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		// Commands other than the server log what they do, not every
		// statement, unless asked; a logger from Config is left alone.
		if cmd.Name() != "server" {
			if verbose {
				app.SetLogLevel(slog.LevelDebug)
			} else {
				app.SetLogLevel(slog.LevelInfo)
			}
		}
	}
	root.AddCommand(serverCommand(app), routesCommand(app), ctlCommand(app))
	root.AddCommand(dbCommands(app)...)
	root.AddCommand(jobsCommand(app), jobsStatsCommand(app))
	return root
}

func serverCommand(app *framework.App) *cobra.Command {
	cfg := app.Config.Server
	jobs := app.Env().IsDevelopment()
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Serve the application over HTTP",
		Long: `Serve the application over HTTP with the bundled server.

With -w 0 (the default) one process serves; with -w N a master process
starts N worker processes that share the listening socket (Puma's cluster
mode). In development the server also runs the app's background jobs
(--jobs=false leaves them to the jobs command). SIGTERM or SIGINT stops gracefully: requests in flight finish first;
SIGUSR1 restarts the workers one at a time (phased), SIGUSR2 restarts the
master in place, SIGTTIN/SIGTTOU add/remove a worker. The defaults come from
the app's config/server.go; flags override them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.Validate(); err != nil {
				return err
			}
			cfg.Logger = app.Logger
			stopJobs := func() {}
			boot := func() (http.Handler, error) {
				app.Config.Server.Port = cfg.Port // -p: the port development's mail links use
				if err := app.Boot(cmd.Context()); err != nil {
					return nil, fmt.Errorf("boot: %w", err)
				}
				if jobs && !errors.Is(app.CheckJobs(cmd.Context()), job.ErrNotDrainable) {
					stop, err := startJobWorker(app, app.Config.Worker, 2*time.Second)
					if err != nil {
						return nil, fmt.Errorf("boot: job worker: %w", err)
					}
					stopJobs = stop
				}
				return app, nil
			}
			// A hot restart replaces the process: hand the running jobs back
			// first instead of leaving them to the rescuer, and write out
			// the log lines production buffers.
			cfg.BeforeExec = func() { stopJobs(); _ = app.FlushLog() }
			err := server.Run(cmd.Context(), cfg, boot)
			stopJobs()
			if errors.Is(err, syscall.EADDRINUSE) {
				err = fmt.Errorf("%w; is another server running? Stop it or choose another port with -p", err)
			}
			return errors.Join(err, app.Close())
		},
	}
	cfg.BindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&jobs, "jobs", jobs, "also run background jobs in the server process(es) (default true in development, where `gorails jobs` is not needed)")
	return cmd
}

func routesCommand(app *framework.App) *cobra.Command {
	var grep string
	var expanded bool
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "List the routes: name, verb, path and controller#action",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.Boot(cmd.Context()); err != nil {
				return fmt.Errorf("boot: %w", err)
			}
			defer app.Close()
			if expanded {
				root, _ := os.Getwd() // source locations are shown relative to the app
				return dispatch.WriteRoutesExpanded(cmd.OutOrStdout(), app.Routes.Routes(), grep, root, dispatch.ExpandedWidth)
			}
			return dispatch.WriteRoutes(cmd.OutOrStdout(), app.Routes.Routes(), grep)
		},
	}
	cmd.Flags().StringVarP(&grep, "grep", "g", "", "show only routes whose name, verb, path or controller#action match this regexp (case-insensitive)")
	cmd.Flags().BoolVarP(&expanded, "expanded", "E", false, "print each route as a block: Prefix, Verb, URI, Controller#Action and Source Location")
	return cmd
}

func ctlCommand(app *framework.App) *cobra.Command {
	cfg := app.Config.Server
	cmd := &cobra.Command{
		Use:   "ctl COMMAND",
		Short: "Control a running server: stats, phased-restart, restart, stop, halt",
		Long: `Send a command to the control app of a running server (pumactl):
  stats            workers, phase and each worker's last status, as JSON
  phased-restart   replace the workers one at a time (new binary allowed)
  restart          restart the master in place, keeping the socket
  stop             stop gracefully
  halt             stop now

The control address and token default to the app's config/server.go.`,
		Args: exactArgs(1, "name the command: stats, phased-restart, restart, stop or halt"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.ControlURL == "" {
				return errors.New("no control URL: set ControlURL in config/server.go or pass --control-url")
			}
			out, err := server.Control(cmd.Context(), cfg.ControlURL, cfg.ControlToken, args[0])
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(out, '\n'))
			return err
		},
	}
	cmd.Flags().StringVar(&cfg.ControlURL, "control-url", cfg.ControlURL, "control app address: unix:///path.sock or tcp://127.0.0.1:9293")
	cmd.Flags().StringVar(&cfg.ControlToken, "control-token", cfg.ControlToken, "the control app's token")
	return cmd
}

func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("expected %d argument(s), got %d: %s", n, len(args), hint)
		}
		return nil
	}
}
