package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/cobra"
)

// rebuildDelay lets a burst of saves (an editor writing several files, a
// git checkout) settle into one rebuild.
const rebuildDelay = 300 * time.Millisecond

// skipDirs are never watched: build output, dependencies, static files.
var skipDirs = map[string]bool{"tmp": true, ".git": true, "node_modules": true, "public": true, "log": true, "vendor": true}

// devServer is `gorails server` in development: it runs the app binary as
// a child and, when a Go file of the app changes, rebuilds it and sends the
// server SIGUSR2, which re-executes it in place keeping the listening
// socket: requests wait for the new binary, none are refused. A build
// error is printed and the previous version keeps serving. Templates need
// none of this: the view set reloads them itself.
func devServer(cmd *cobra.Command, root, bin string, args []string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch the application: %w", err)
	}
	defer w.Close()
	if err := watchTree(w, root); err != nil {
		return fmt.Errorf("watch the application: %w", err)
	}
	child := exec.Command(bin, args...)
	child.Dir = root
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
	// Signals are handled (forwarded) before the child starts, so none is lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := child.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	rebuild := time.NewTimer(time.Hour)
	rebuild.Stop()
	for {
		select {
		case err := <-done:
			return childExit(err)
		case sig := <-sigs:
			// Ctrl-C reaches the server too; a second stop signal is harmless.
			_ = child.Process.Signal(sig)
		case ev, ok := <-w.Events:
			if !ok {
				return childExit(<-done)
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && !skipDirs[filepath.Base(ev.Name)] {
					_ = watchTree(w, ev.Name)
				}
			}
			if affectsBuild(ev.Name) {
				rebuild.Reset(rebuildDelay)
			}
		case err, ok := <-w.Errors:
			if ok {
				fmt.Fprintf(cmd.ErrOrStderr(), "gorails: watching files: %v\n", err)
			}
		case <-rebuild.C:
			if err := buildInPlace(root, bin, cmd.ErrOrStderr()); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "gorails: %v; still serving the previous version\n", err)
				continue
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "gorails: rebuilt; restarting the server on the new binary (requests wait, none are refused)")
			_ = child.Process.Signal(syscall.SIGUSR2)
		}
	}
}

// affectsBuild reports whether a change to path can change the binary.
func affectsBuild(path string) bool {
	base := filepath.Base(path)
	return (strings.HasSuffix(base, ".go") && !strings.HasSuffix(base, "_test.go")) || base == "go.mod" || base == "go.sum"
}

// watchTree watches dir and every directory below it, but skipDirs.
func watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}

// buildInPlace builds the app next to bin and renames it over bin, so the
// running binary is replaced only by one that built.
func buildInPlace(root, bin string, stderr io.Writer) error {
	tmp := bin + ".new"
	build := exec.Command("go", "build", "-o", tmp, ".")
	build.Dir = root
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		_ = os.Remove(tmp)
		return errors.New("the build failed (errors above)")
	}
	return os.Rename(tmp, bin)
}

// childExit turns the app's exit into gorails' own: a non-zero status is
// passed on without another line, since the app already said what was wrong.
func childExit(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &exitError{code: max(ee.ExitCode(), 1)}
	}
	return err
}
