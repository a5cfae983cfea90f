//go:build unix

package server

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// notifyEnv marks a server run by a Supervisor; its value is the number
// of the descriptor (a SOCK_SEQPACKET unix socket) on which the server
// tells the supervisor what it does.
const notifyEnv = "GORAILS_SERVER_NOTIFY_FD"

// notice is one packet from a supervised server to its supervisor.
type notice struct {
	// Type is "sockets" (the sockets it listens on ride along as
	// SCM_RIGHTS, in Sockets order), "boot" (it serves) or "boot_error".
	Type    string        `json:"type"`
	Sockets []inheritedFD `json:"sockets,omitempty"`
	Error   string        `json:"error,omitempty"`
}

// notifier is a supervised server's end of the notify socket; a nil
// notifier (not supervised) does nothing. Safe for concurrent use.
type notifier struct {
	mu   sync.Mutex
	fd   int
	file *os.File // holds fd open (its finalizer would close it)
	c    *net.UnixConn
	gone chan struct{} // closed when the supervisor's end closes
}

// notifierFromEnv returns the notifier of a supervised server, nil otherwise.
func notifierFromEnv() (*notifier, error) {
	v, ok := os.LookupEnv(notifyEnv)
	if !ok {
		return nil, nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("server: %s=%q: want the number (3 or more) of the notify socket a supervisor passed", notifyEnv, v)
	}
	unix.CloseOnExec(fd) // workers must not inherit it; execSelf keeps it
	f := os.NewFile(uintptr(fd), "notify")
	// net.FileConn dups the descriptor; keep ours (fd) for execSelf.
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("server: %s=%d: notify socket: %w", notifyEnv, fd, err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("server: %s=%d: the notify socket is not a unix socket", notifyEnv, fd)
	}
	n := &notifier{fd: fd, file: f, c: uc, gone: make(chan struct{})}
	go func() {
		defer close(n.gone)
		b := make([]byte, 64)
		for {
			if _, _, _, _, err := uc.ReadMsgUnix(b, nil); err != nil {
				return
			}
		}
	}()
	return n, nil
}

func (n *notifier) send(m notice, fds []int) {
	if n == nil {
		return
	}
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	_, _, _ = n.c.WriteMsgUnix(b, oob, nil)
}

// sockets hands the supervisor the sockets this server listens on, so it
// can keep them open while no server runs and hand them to the next one.
func (n *notifier) sockets(ss []socket) {
	if n == nil {
		return
	}
	m := notice{Type: "sockets"}
	fds := make([]int, len(ss))
	for i, s := range ss {
		m.Sockets = append(m.Sockets, inheritedFD{FD: i, URL: s.addr.url, Bind: s.bind})
		fds[i] = int(s.file.Fd())
	}
	n.send(m, fds)
}

func (n *notifier) booted() { n.send(notice{Type: "boot"}, nil) }

func (n *notifier) bootError(err error) { n.send(notice{Type: "boot_error", Error: err.Error()}, nil) }

// supervisorGone is closed when the supervisor exits; never for a nil notifier.
func (n *notifier) supervisorGone() <-chan struct{} {
	if n == nil {
		return nil
	}
	return n.gone
}

// keepOnExec lets the notify descriptor survive a hot restart's exec.
func (n *notifier) keepOnExec() {
	if n != nil {
		_, _ = unix.FcntlInt(uintptr(n.fd), unix.F_SETFD, 0)
	}
}

// closeOnExec undoes keepOnExec after a failed exec.
func (n *notifier) closeOnExec() {
	if n != nil {
		unix.CloseOnExec(n.fd)
	}
}
