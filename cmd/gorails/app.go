package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

// ErrNotInApp is returned by app commands run outside an application.
var ErrNotInApp = errors.New("not inside a gorails application")

// exitError carries the exit status of a command that already explained itself.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// appCommands are the commands gorails hands to the app binary. Their flags
// are the app binary's: gorails passes the arguments through unparsed.
func appCommands() []*cobra.Command {
	return []*cobra.Command{
		delegated("server", "Serve the application (builds it first; in development rebuilds on Go changes and runs the jobs too); -p PORT, -b HOST, -w WORKERS, -t THREADS"),
		delegated("routes", "List the application's routes; -g PATTERN filters them, -E (--expanded) prints a block per route with its source line"),
		delegated("ctl", "Control the running server: stats, phased-restart, restart, stop, halt"),
		delegated("db:create", "Create the database (in development, test's too)"),
		delegated("db:drop", "Drop the database (in development, test's too)"),
		delegated("db:migrate", "Apply the pending migrations (--version V), then dump db/schema.sql"),
		delegated("db:rollback", "Roll back the last migration (--step N)"),
		delegated("db:migrate:redo", "Roll back and reapply the last migration (--step N)"),
		delegated("db:migrate:status", "Show which migrations are up and which are down (alias db:status)"),
		delegated("db:status", "Show which migrations are up and which are down"),
		delegated("db:version", "Print the current schema version"),
		delegated("db:seed", "Load the seed data (db/seeds)"),
		delegated("db:reset", "Drop and recreate the database from db/schema.sql, then seed it"),
		delegated("db:prepare", "Create the database if needed, load the schema, apply pending migrations"),
		delegated("db:schema:dump", "Dump the database's schema to db/schema.sql"),
		delegated("db:schema:load", "Load db/schema.sql into an empty database"),
		delegated("jobs", "Run the background jobs until SIGTERM; -c CONCURRENCY, -q QUEUE[:WEIGHT], -w PROCESSES"),
		delegated("jobs:stats", "Print the job queues' counts as JSON"),
	}
}

func delegated(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:                name + " [flags]",
		Short:              short,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				if isHelp(args) {
					return cmd.Help()
				}
				return fmt.Errorf("%s: %w", name, err)
			}
			bin, err := buildApp(root, cmd)
			if err != nil {
				return err
			}
			if name == "server" && watching() && !isHelp(args) {
				return devServer(cmd, root, bin, append([]string{name}, args...))
			}
			return execApp(root, bin, append([]string{name}, args...))
		},
	}
}

// watching reports whether `gorails server` should rebuild on changes: in
// development (GORAILS_ENV unset or development), unless GORAILS_WATCH=0.
func watching() bool {
	env := os.Getenv("GORAILS_ENV")
	return (env == "" || env == "development") && os.Getenv("GORAILS_WATCH") != "0"
}

func isHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

// findApp returns the root of the application around the working directory:
// the nearest directory, going up, that has go.mod and config/application.go.
func findApp() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isFile(filepath.Join(dir, "go.mod")) && isFile(filepath.Join(dir, "config", "application.go")) {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("%w: no config/application.go in %s or any parent; cd into an app, or create one with 'gorails new NAME'", ErrNotInApp, wd)
		}
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// buildApp builds the app binary into tmp/bin, reusing Go's build cache, and
// returns its path. Compiler errors are shown as go build prints them.
func buildApp(root string, cmd *cobra.Command) (string, error) {
	bin := filepath.Join(root, "tmp", "bin", filepath.Base(root))
	build := exec.CommandContext(cmd.Context(), "go", "build", "-buildvcs=false", "-ldflags="+devLDFlags, "-o", bin, ".")
	build.Dir = root
	build.Stdout = cmd.ErrOrStderr()
	build.Stderr = cmd.ErrOrStderr()
	if err := build.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("building the application failed (go build exit status %d); fix the errors above", ee.ExitCode())
		}
		return "", fmt.Errorf("building the application: %w (is Go installed and on PATH?)", err)
	}
	return bin, nil
}

// execApp replaces this process with the app binary, so that signals (Ctrl-C,
// SIGTERM from a supervisor) reach the server directly.
func execApp(root, bin string, args []string) error {
	if err := os.Chdir(root); err != nil {
		return err
	}
	err := syscall.Exec(bin, append([]string{bin}, args...), os.Environ())
	return fmt.Errorf("run %s: %w", bin, err)
}
