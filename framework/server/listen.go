//go:build unix

package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// socket is a listening socket held as a file so that it can be handed to
// workers and across an exec. The master never accepts on it.
type socket struct {
	addr addr
	file *os.File
}

// openSockets opens every bind, reusing sockets inherited from a hot
// restart when their URL matches; inherited sockets not bound any more are
// closed. On error every socket opened so far is closed.
func openSockets(binds []string, port, backlog int, inherited []socket) ([]socket, error) {
	byURL := make(map[string]socket, len(inherited))
	for _, s := range inherited {
		byURL[s.addr.url] = s
	}
	var out []socket
	for _, b := range binds {
		a, err := parseBind(b, port)
		if err != nil {
			closeSockets(out)
			return nil, err
		}
		if s, ok := takeInherited(byURL, a); ok {
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
	for _, s := range byURL {
		_ = s.file.Close()
	}
	return out, nil
}

// takeInherited finds the inherited socket for a bind: the same URL, or
// for a "host:0" bind the socket that port 0 was resolved to on that host.
func takeInherited(byURL map[string]socket, a addr) (socket, bool) {
	if s, ok := byURL[a.url]; ok {
		delete(byURL, a.url)
		return s, true
	}
	host, port, err := net.SplitHostPort(a.address)
	if a.network != "tcp" || err != nil || port != "0" {
		return socket{}, false
	}
	for url, s := range byURL {
		if h, _, err := net.SplitHostPort(s.addr.address); err == nil && s.addr.network == "tcp" && h == host {
			delete(byURL, url)
			return s, true
		}
	}
	return socket{}, false
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
	if a.network == "tcp" {
		a.address = ln.Addr().String() // resolve ":0" to the real port
		a.url = "tcp://" + a.address
	}
	f, err := dupListener(ln, backlog)
	if err != nil {
		return socket{}, fmt.Errorf("server: bind %s: %w", a.url, err)
	}
	return socket{addr: a, file: f}, nil
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
