//go:build unix

package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Control commands, as `gorails ctl <command>` sends them.
const (
	CmdStats         = "stats"
	CmdPhasedRestart = "phased-restart"
	CmdRestart       = "restart"
	CmdStop          = "stop"
	CmdHalt          = "halt"
)

var (
	// ErrUnauthorized is returned by Control when the token is missing or wrong.
	ErrUnauthorized   = errors.New("server: control token missing or wrong")
	errUnknownCommand = errors.New("unknown command")
	errBusy           = errors.New("server is stopping or restarting")
)

// okBody is the answer to a command that has no other.
const okBody = `{"status":"ok"}`

// command is a control request handed to the loop that owns the state.
type command struct {
	name  string
	reply chan reply
}

type reply struct {
	body []byte
	err  error
}

// controlServer serves the control app on ControlURL.
type controlServer struct {
	srv  *http.Server
	addr addr
}

// startControl listens on cfg.ControlURL (a unix socket is made 0600) and
// hands each command to commands; nil, nil when no control URL is set.
func startControl(cfg *Config, commands chan<- command, log *slog.Logger) (*controlServer, error) {
	if cfg.ControlURL == "" {
		return nil, nil
	}
	a, err := parseBind(cfg.ControlURL, 0)
	if err != nil {
		return nil, err
	}
	if a.network == "unix" {
		removeStaleSocket(a.address)
	}
	ln, err := net.Listen(a.network, a.address)
	if err != nil {
		return nil, fmt.Errorf("server: control %s: %w", a.url, unwrapListen(err))
	}
	if a.network == "unix" {
		_ = os.Chmod(a.address, 0o600)
	}
	h := &controlHandler{token: cfg.ControlToken, commands: commands, log: log}
	cs := &controlServer{addr: a, srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = cs.srv.Serve(ln) }()
	log.Info("control app listening", "url", a.url)
	return cs, nil
}

// close stops the control app, letting an answer in progress finish.
func (c *controlServer) close() {
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c.srv.Shutdown(ctx) != nil {
		_ = c.srv.Close()
	}
}

type controlHandler struct {
	token    string
	commands chan<- command
	log      *slog.Logger
}

func (h *controlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		http.Error(w, "403 Forbidden: control token missing or wrong", http.StatusForbidden)
		return
	}
	// The command is the path after its one leading slash, exactly: a
	// "stop/" or "//stop" is an unknown command, not a stop.
	c := command{name: strings.TrimPrefix(r.URL.Path, "/"), reply: make(chan reply, 1)}
	h.log.Info("control command", "command", c.name)
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	select {
	case h.commands <- c:
	case <-timeout.C:
		http.Error(w, errBusy.Error(), http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	rep := <-c.reply
	switch {
	case errors.Is(rep.err, errUnknownCommand):
		http.Error(w, "404 unknown command "+c.name, http.StatusNotFound)
	case errors.Is(rep.err, errBusy):
		http.Error(w, rep.err.Error(), http.StatusServiceUnavailable)
	case rep.err != nil:
		http.Error(w, rep.err.Error(), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(rep.body)
	}
}

// authorized accepts the token as "Authorization: Bearer <token>" or,
// as Puma does, "?token=<token>". No token configured: no check.
func (h *controlHandler) authorized(r *http.Request) bool {
	if h.token == "" {
		return true
	}
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if got == "" {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) == 1
}

// Control sends command to the control app at controlURL and returns its
// answer (JSON). It returns ErrUnauthorized when the token is refused, and
// an error naming the status for any other non-200 answer.
func Control(ctx context.Context, controlURL, token, command string) ([]byte, error) {
	a, err := parseBind(controlURL, 0)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, a.network, a.address)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://control/"+url.PathEscape(command), nil)
	if err != nil {
		return nil, fmt.Errorf("server: control %s: %w", command, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("server: control %s: %w", command, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("server: control %s: %w", command, err)
	}
	switch {
	case resp.StatusCode == http.StatusForbidden:
		return nil, ErrUnauthorized
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("server: control %s: %s: %s", command, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}
