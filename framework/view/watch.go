package view

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// watcher calls onChange whenever something under a directory tree changes.
// fsnotify is not recursive: every directory is watched, and directories
// created later are added as they appear.
type watcher struct {
	w    *fsnotify.Watcher
	done sync.WaitGroup
}

func startWatcher(dir string, log *slog.Logger, onChange func()) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{w: fw}
	if err := w.addDirs(dir); err != nil {
		_ = fw.Close()
		return nil, err
	}
	w.done.Add(1)
	go w.loop(log, onChange)
	return w, nil
}

func (w *watcher) loop(log *slog.Logger, onChange func()) {
	defer w.done.Done()
	for {
		select {
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				w.addTree(ev.Name, log)
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			onChange()
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			log.Warn("view: template watcher", "err", err)
		}
	}
}

// addDirs watches dir and every directory under it.
func (w *watcher) addDirs(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return w.w.Add(p)
		}
		return nil
	})
}

// addTree watches a directory created after the start (mkdir -p may have
// made its subdirectories before the event arrived).
func (w *watcher) addTree(p string, log *slog.Logger) {
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		return
	}
	if err := w.addDirs(p); err != nil {
		log.Warn("view: template watcher", "dir", p, "err", err)
	}
}

func (w *watcher) stop() error {
	err := w.w.Close()
	w.done.Wait()
	return err
}
