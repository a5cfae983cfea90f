package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// testCommand is `gorails test [go test flags] [packages]`, Rails' bin/rails
// test: it prepares the test database, then runs go test.
func testCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "test [go test flags] [packages]",
		Short: "Prepare the test database and run the app's tests (go test -p 1 ./...)",
		Long: `Prepare the test database (create it if needed, load db/schema.sql, apply
pending migrations: the app binary's db:prepare with GORAILS_ENV=test), then
run go test with the arguments given, on ./... unless they name packages.

Test binaries share the one test database (each loads test/fixtures once and
runs every test in a transaction it rolls back), so packages run one at a
time (-p 1) unless -p is given; tests inside a package still run in parallel
with t.Parallel. See framework/gorailstest.`,
		Example:            "  gorails test\n  gorails test -run TestPost ./app/models\n  gorails test -v -count=1",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if isHelp(args) {
				return cmd.Help()
			}
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("test: %w", err)
			}
			if isFile(filepath.Join(root, "config", "database.yml")) {
				bin, err := buildApp(root, cmd)
				if err != nil {
					return err
				}
				prep := exec.CommandContext(cmd.Context(), bin, "db:prepare")
				prep.Dir = root
				prep.Env = append(os.Environ(), "GORAILS_ENV=test")
				prep.Stdout, prep.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
				if err := prep.Run(); err != nil {
					return fmt.Errorf("test: preparing the test database failed (%w); see above", err)
				}
			}
			goBin, err := exec.LookPath("go")
			if err != nil {
				return fmt.Errorf("test: %w (is Go installed and on PATH?)", err)
			}
			if err := os.Chdir(root); err != nil {
				return err
			}
			argv := append([]string{"go"}, goTestArgs(args)...)
			err = syscall.Exec(goBin, argv, testEnv(os.Environ()))
			return fmt.Errorf("run go test: %w", err)
		},
	}
}

// goTestArgs is `test` plus args, with -p 1 unless args set -p and ./...
// unless they name packages.
func goTestArgs(args []string) []string {
	out := []string{"test"}
	hasP, hasPkg := false, false
	for i, a := range args {
		if a == "-p" || strings.HasPrefix(a, "-p=") {
			hasP = true
		}
		if !strings.HasPrefix(a, "-") && (i == 0 || !takesValue(args[i-1])) {
			hasPkg = true
		}
	}
	if !hasP {
		out = append(out, "-p", "1")
	}
	out = append(out, args...)
	if !hasPkg {
		out = append(out, "./...")
	}
	return out
}

// takesValue reports whether a go test flag written without = takes the
// next argument as its value.
func takesValue(flag string) bool {
	if strings.Contains(flag, "=") || !strings.HasPrefix(flag, "-") {
		return false
	}
	switch strings.TrimLeft(flag, "-") {
	case "v", "short", "race", "failfast", "json", "cover", "benchmem", "x", "n", "a", "trimpath", "msan", "asan", "fullpath":
		return false
	}
	return true
}

// testEnv is the environment of go test: the test environment, whatever
// GORAILS_ENV the shell has.
func testEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GORAILS_ENV=") {
			out = append(out, kv)
		}
	}
	return append(out, "GORAILS_ENV=test")
}
