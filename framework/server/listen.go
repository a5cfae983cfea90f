//go:build unix

package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// socket is a listening socket held as a file so that it can be handed to
// workers and across an exec. The master never accepts on it.
type socket struct {
	addr addr   // where it listens, resolved: tcp://[::]:3000, tcp://127.0.0.1:41231
	bind string // the bind it was opened for, as configured: tcp://0.0.0.0:3000, tcp://127.0.0.1:0
	file *os.File
}

// openSockets opens every bind, reusing the socket inherited from a hot
// restart (or a supervisor) that was opened for the same bind; inherited
// sockets not bound any more are closed. Matching on the configured bind,
// not the resolved address, is what lets tcp://0.0.0.0:3000 (which
// listens as [::]:3000) and port 0 survive a restart. On error every
// socket opened so far is closed.
func openSockets(binds []string, port, backlog int, inherited []socket) ([]socket, error) {
	byBind := make(map[string]socket, len(inherited))
	for _, s := range inherited {
		byBind[s.bind] = s
	}
	var out []socket
	for _, b := range binds {
		a, err := parseBind(b, port)
		if err != nil {
			closeSockets(out)
			return nil, err
		}
		if s, ok := byBind[a.url]; ok {
			delete(byBind, a.url)
			out = append(out, s)
			continue
		}
		s, err := listenSocket(a, backlog)
		if err != nil {
			closeSockets(out)
			return nil, err
		}
		out = append(out, s)
	}
	for _, s := range byBind {
		_ = s.file.Close()
	}
	return out, nil
}

func closeSockets(ss []socket) {
	for _, s := range ss {
		_ = s.file.Close()
	}
}

// removeSocketFiles unlinks the unix socket paths; called on a final stop only.
func removeSocketFiles(ss []socket) {
	for _, s := range ss {
		if s.addr.network == "unix" {
			_ = os.Remove(s.addr.address)
		}
	}
}

// listenSocket opens one listening socket with the given backlog.
func listenSocket(a addr, backlog int) (socket, error) {
	if a.network == "unix" {
		if err := os.MkdirAll(filepath.Dir(a.address), 0o755); err != nil {
			return socket{}, fmt.Errorf("server: bind %s: %w", a.url, err)
		}
		removeStaleSocket(a.address)
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), a.network, a.address)
	if err != nil {
		return socket{}, fmt.Errorf("server: bind %s: %w", a.url, unwrapListen(err))
	}
	defer ln.Close()
	if ul, ok := ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
	bind := a.url
	if a.network == "tcp" {
		a.address = ln.Addr().String() // resolve ":0" to the real port
		a.url = "tcp://" + a.address
	}
	f, err := dupListener(ln, backlog)
	if err != nil {
		return socket{}, fmt.Errorf("server: bind %s: %w", a.url, err)
	}
	return socket{addr: a, bind: bind, file: f}, nil
}

// unwrapListen keeps the syscall error ("address already in use") so the
// message names the bind once.
func unwrapListen(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// dupListener sets the backlog (listen(2) again on a listening socket
// updates it on Linux) and returns a close-on-exec duplicate as a plain
// *os.File. Built with os.NewFile, the file's Fd never switches the shared
// socket to blocking mode, which would stall the workers' accept loops.
func dupListener(ln net.Listener, backlog int) (*os.File, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return nil, errors.New("listener has no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var opErr error
	err = rc.Control(func(raw uintptr) {
		if opErr = unix.Listen(int(raw), backlog); opErr != nil {
			return
		}
		fd, opErr = unix.FcntlInt(raw, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err == nil {
		err = opErr
	}
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), ln.Addr().String()), nil
}

// removeStaleSocket removes a unix socket file nobody listens on any more.
func removeStaleSocket(path string) {
	if _, err := os.Stat(path); err != nil {
		return
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		_ = c.Close()
		return // in use: Listen will report it
	}
	_ = os.Remove(path)
}

// fileListener turns an inherited socket into a listener. The socket's
// file stays usable by the caller; the listener holds its own descriptor.
func fileListener(s socket) (net.Listener, error) {
	ln, err := net.FileListener(s.file)
	if err != nil {
		return nil, fmt.Errorf("server: listen on inherited %s: %w", s.addr.url, err)
	}
	return ln, nil
}

// ErrControlInUse is returned by Run when another server answers on the
// control socket: two servers started in one application directory.
var ErrControlInUse = errors.New("another server is running here")

// prepareControl makes the directory of a unix control socket (so a
// binary runs from any directory) and refuses to start when another
// server answers on it, instead of taking its socket.
func prepareControl(cfg *Config) error {
	if cfg.ControlURL == "" {
		return nil
	}
	a, err := parseBind(cfg.ControlURL, 0)
	if err != nil || a.network != "unix" {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(a.address), 0o700); err != nil {
		return fmt.Errorf("server: control %s: %w", a.url, err)
	}
	c, err := net.DialTimeout("unix", a.address, time.Second)
	if err != nil {
		return nil
	}
	_ = c.Close()
	return fmt.Errorf("server: %w: its control socket %s answers; stop it first (ctl stop), or give this one another --control-url",
		ErrControlInUse, a.url)
}
