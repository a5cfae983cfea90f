package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	gserver "github.com/gorails/gorails/framework/server"
	"github.com/spf13/cobra"
)

// rebuildDelay lets a burst of saves (an editor writing several files, a
// git checkout) settle into one rebuild; short, since it is part of the
// time from a save to the new code answering.
const rebuildDelay = 100 * time.Millisecond

// devLDFlags leave the symbol table's DWARF and debug sections out of
// development builds: linking is most of a rebuild's time, and stack
// traces and the debug page need neither (they read the pclntab, kept).
// The builds also pass -buildvcs=false: stamping the VCS state runs git
// on every build, and tmp/bin's binary has no use for it.
const devLDFlags = "-s -w"

// skipDirs are never watched: build output, dependencies, static files.
var skipDirs = map[string]bool{"tmp": true, ".git": true, "node_modules": true, "public": true, "log": true, "vendor": true}

// devServer is `gorails server` in development: a gserver.Supervisor runs
// the app binary as a child and keeps its listening sockets, and when a Go
// file of the app changes this rebuilds the binary and has the supervisor
// replace the child: requests wait in the sockets for the new version,
// none are refused, whatever the binds. Until a build that compiles and
// boots is there, every request gets the error page (the compiler's or
// the boot's output, with the app's source around the line); gorails
// server keeps running. Templates need none of this: the view set reloads
// them itself.
func devServer(cmd *cobra.Command, root, bin string, args []string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch the application: %w", err)
	}
	defer w.Close()
	if err := watchTree(w, root); err != nil {
		return fmt.Errorf("watch the application: %w", err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	// The first ^C stops the server gracefully; a second one, while it
	// drains, takes the default action and ends gorails at once.
	go func() { <-ctx.Done(); stop() }()
	stderr := cmd.ErrOrStderr()
	// A browser's idle keep-alive connection must not hold up a restart
	// for the second production waits for a request on its way (the
	// user's own --idle-drain, given later, wins).
	args = append([]string{args[0], "--idle-drain=100ms"}, args[1:]...)
	sup := gserver.NewSupervisor(gserver.SupervisorConfig{
		Command: func() *exec.Cmd {
			c := exec.Command(bin, args...)
			c.Dir = root
			c.Stdout, c.Stderr = cmd.OutOrStdout(), stderr
			return c
		},
		Down:   failurePage(root),
		Logger: slog.New(slog.NewTextHandler(stderr, nil)).With("role", "gorails"),
	})
	loop := &devLoop{root: root, bin: bin, stderr: stderr, sup: sup}
	go loop.watch(ctx, w)
	err = sup.Run(ctx)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		// The app said what was wrong (a port in use, a bad flag).
		return &exitError{code: max(ee.ExitCode(), 1)}
	}
	return err
}

// devLoop rebuilds the app when its files change.
type devLoop struct {
	root, bin string
	stderr    io.Writer
	sup       *gserver.Supervisor
	routes    bool // config/routes.go changed since the last build
}

func (d *devLoop) watch(ctx context.Context, w *fsnotify.Watcher) {
	rebuild := time.NewTimer(time.Hour)
	rebuild.Stop()
	var saved time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() && !skipDirs[filepath.Base(ev.Name)] {
					_ = watchTree(w, ev.Name)
				}
			}
			if affectsBuild(ev.Name) {
				if filepath.Base(ev.Name) == "routes.go" && filepath.Base(filepath.Dir(ev.Name)) == "config" {
					d.routes = true
				}
				if saved.IsZero() {
					saved = time.Now()
				}
				rebuild.Reset(rebuildDelay)
			}
		case err, ok := <-w.Errors:
			if ok {
				fmt.Fprintf(d.stderr, "gorails: watching files: %v\n", err)
			}
		case <-rebuild.C:
			d.rebuild(ctx, saved)
			saved = time.Time{}
		}
	}
}

// rebuild builds the app (regenerating the route helpers first when
// config/routes.go changed) and hands the result to the supervisor.
func (d *devLoop) rebuild(ctx context.Context, saved time.Time) {
	start := time.Now()
	var out bytes.Buffer
	errs := io.MultiWriter(d.stderr, &out)
	if d.routes {
		if err := generateRoutes(ctx, d.root, errs); err != nil {
			fmt.Fprintf(errs, "gorails: regenerating the route helpers: %v\n", err)
			d.sup.Fail(gserver.Failure{Stage: "build", Message: "config/routes.go: the route helpers could not be regenerated", Output: out.String()})
			return
		}
		d.routes = false
	}
	if err := buildInPlace(ctx, d.root, d.bin, errs); err != nil {
		fmt.Fprintf(d.stderr, "gorails: %v; every request gets the error page until it builds\n", err)
		d.sup.Fail(gserver.Failure{Stage: "build", Message: "the application does not compile", Output: out.String()})
		return
	}
	fmt.Fprintf(d.stderr, "gorails: rebuilt in %s (%s since the save); restarting the server on the new binary (requests wait, none are refused)\n",
		time.Since(start).Round(time.Millisecond), time.Since(saved).Round(time.Millisecond))
	d.sup.Restart()
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
// binary is replaced only by one that built.
func buildInPlace(ctx context.Context, root, bin string, stderr io.Writer) error {
	tmp := bin + ".new"
	build := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-ldflags="+devLDFlags, "-o", tmp, ".")
	build.Dir = root
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		_ = os.Remove(tmp)
		return errors.New("the build failed (errors above)")
	}
	return os.Rename(tmp, bin)
}
