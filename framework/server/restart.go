//go:build unix

package server

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// inheritEnv carries the sockets across a hot restart's exec (or from a
// supervisor to its child): a JSON list of {fd, url, bind}.
const inheritEnv = "GORAILS_SERVER_INHERIT"

type inheritedFD struct {
	FD   int    `json:"fd"`
	URL  string `json:"url"`  // where it listens
	Bind string `json:"bind"` // the bind it was opened for
}

// inheritedSockets returns the sockets handed over by the master (or
// single-mode process) this one replaced, if any. They are made
// close-on-exec again so that only ExtraFiles hands them on.
func inheritedSockets() ([]socket, error) {
	v, ok := os.LookupEnv(inheritEnv)
	if !ok {
		return nil, nil
	}
	var fds []inheritedFD
	if err := json.Unmarshal([]byte(v), &fds); err != nil {
		return nil, fmt.Errorf("server: bad %s: %w", inheritEnv, err)
	}
	var out []socket
	for _, f := range fds {
		a, err := parseBind(f.URL, 0)
		if err != nil {
			return nil, err
		}
		bind := f.Bind
		if bind == "" {
			bind = a.url
		}
		unix.CloseOnExec(f.FD)
		out = append(out, socket{addr: a, bind: bind, file: os.NewFile(uintptr(f.FD), f.URL)})
	}
	return out, nil
}

// execSelf replaces this process with a fresh copy of the binary (a new
// build if one was installed at the same path), same pid, same arguments,
// handing over the sockets so that no connection is refused meanwhile. It
// returns only on failure.
func execSelf(sockets []socket, n *notifier) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("server: hot restart: %w", err)
	}
	var fds []inheritedFD
	for _, s := range sockets {
		fd := int(s.file.Fd())
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("server: hot restart: keep %s open: %w", s.addr.url, err)
		}
		fds = append(fds, inheritedFD{FD: fd, URL: s.addr.url, Bind: s.bind})
	}
	b, _ := json.Marshal(fds)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, inheritEnv+"=") && !strings.HasPrefix(kv, workerEnv+"=") {
			env = append(env, kv)
		}
	}
	env = append(env, inheritEnv+"="+string(b))
	n.keepOnExec()
	err = syscall.Exec(exe, os.Args, env)
	n.closeOnExec()
	for _, f := range fds {
		unix.CloseOnExec(f.FD)
	}
	return fmt.Errorf("server: hot restart: exec %s: %w", exe, err)
}
