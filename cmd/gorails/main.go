// Command gorails is the gorails command line: it creates applications and,
// inside one, builds the app binary and hands commands such as server and
// routes to it, like bin/rails.
//
//	gorails new blog
//	cd blog && gorails server
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gorails/gorails"
	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the CLI with args and returns the exit status. Errors are printed
// as one line: "gorails: what is wrong".
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) { // an app that exited has already said why
			fmt.Fprintf(stderr, "gorails: %v\n", err)
		}
		return exitCode(err)
	}
	return 0
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "gorails",
		Short: "gorails: Rails' productivity with Go's speed",
		Long: `gorails creates and runs gorails applications.

Outside an application:
  gorails new NAME          create an application in the directory NAME

Inside an application, gorails builds the app binary (into tmp/, using Go's
build cache) and runs the command with it:
  gorails server            serve the app (see gorails server --help); in
                            development it rebuilds and restarts on Go changes
                            and runs the background jobs too
  gorails routes            list the routes
  gorails db:migrate        apply migrations (db:rollback, db:status, ... )
  gorails generate ...      scaffold, resource, controller, model, migration,
                            job, mailer, authentication, routes (destroy
                            removes what they wrote)
  gorails jobs              run the background jobs (jobs:stats counts them)
  gorails test              prepare the test database and run the tests
  gorails ctl stats         ask the running server for its stats
  gorails credentials:edit  edit the encrypted credentials`,
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
	}
	root.AddCommand(newCommand(), versionCommand())
	root.AddCommand(generateCommand(), destroyCommand())
	root.AddCommand(appCommands()...)
	root.AddCommand(testCommand())
	root.AddCommand(credentialsCommands()...)
	root.AddCommand(devCacheCommand())
	return root
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the gorails version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "gorails %s\n", gorails.Version())
		},
	}
}
