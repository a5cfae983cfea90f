// Package server is gorails' bundled pre-forking HTTP server: Puma's
// cluster mode in Go. It serves any http.Handler and imports nothing of
// gorails above it.
//
// # Processes
//
// With Workers > 0, Run makes the calling process the master. The master
// opens the listening sockets (tcp://host:port and unix:///path, several
// at once, with a configurable backlog) and, since Go cannot fork,
// re-executes its own binary (os.Executable, same os.Args) as each worker,
// handing it the sockets as inherited descriptors (exec.Cmd.ExtraFiles)
// and one end of a status socket. All workers accept on the same socket
// (not SO_REUSEPORT), so a worker that closes never drops the connections
// queued in it. The master never serves requests: it restarts workers that
// exit, kills workers that miss their check-ins (WorkerTimeout) or do not
// boot in time (WorkerBootTimeout), and handles signals:
//
//	SIGTERM, SIGINT, SIGHUP  graceful stop: workers finish in-flight requests within ShutdownTimeout
//	SIGUSR1                  phased restart: start a new worker, wait for its boot message, stop an old one, repeat
//	SIGUSR2                  hot restart: stop the workers, exec a new master keeping the sockets (same pid)
//	SIGTTIN, SIGTTOU         one worker more, one fewer
//
// Because workers re-execute the binary instead of inheriting a booted
// app, a phased restart moves them onto a new build installed at the same
// path. Workers = 0 is single mode: one process serves with the same
// server (SIGUSR2 still hot-restarts it).
//
// Each worker reports over its status socket: a boot message, then every
// WorkerCheckInterval {backlog, running, pool_capacity, max_threads,
// requests_count}. Unless GOMAXPROCS is set, each worker gets the master's
// GOMAXPROCS divided by the number of workers, rounded up.
//
// # Requests: net/http plus a front handler
//
// Connections are handled by net/http's HTTP/1.1 server, wrapped rather
// than rewritten: its parser and connection loop are what the throughput
// target (0.9x of a plain http.Server) is measured against, and they
// already enforce the header size (431), malformed requests (400), the
// header read timeout and the keep-alive idle timeout. A front handler,
// run on the connection's own goroutine, adds what Puma's reactor and
// thread pool do: it checks the URI length (414) and body size (413),
// reads the whole body (into memory up to BodyMemoryLimit, beyond that
// into a temp file that is unlinked at once), and only then waits in the
// backlog for one of Threads slots to run the application. A slow client
// therefore costs a goroutine, never a slot. A panic in the application
// becomes a 500 and a log line; the worker lives. A connection is closed
// after MaxKeepAliveRequests requests. A thin net.Conn wrapper gives the
// answers net/http writes by itself a log line, and answers a client that
// sent nothing or a partial request within HeaderTimeout with a 408.
//
// The header and idle timeouts are not a timer per connection: net/http
// re-arms a connection's read deadline two or three times per request,
// and each re-armed runtime timer costs clock reads and timer-heap work.
// The wrapper keeps those deadlines to itself instead, and one sweeper
// goroutine per server (running while it has connections) sets a
// deadline on the socket once it has passed, so that the blocked read
// fails as net/http expects. A timeout therefore fires up to one sweep
// period late: a tenth of the shorter timeout, at most 250ms (the
// defaults' 20s and 30s: 250ms). Deadlines set while a handler runs
// (BodyTimeout, the application's through http.ResponseController), on a
// hijacked connection, and ones already past (net/http cutting its
// background read short) go to the socket at once, as before.
//
// The wrapping costs two small allocations (40 bytes) per request
// (BenchmarkServe). On a shared 2-core machine, bench/server measured
// hello-world throughput through a master with -w 1 and -w 2 at 0.95x of
// a plain http.Server on the same handler (best of 6 rounds; medians
// 0.96x and 1.00x), within the benchmark's noise.
//
// # Graceful stop
//
// A worker being retired (phased restart, hot restart, stop) closes its
// listeners, turns keep-alive off, waits until every request it has read
// or started reading is answered (ShutdownTimeout at most), then closes
// what is left. It does not rely on http.Server.Shutdown alone, which
// closes a just-accepted connection unanswered if the request is read
// after the shutdown began; that race cost about 0.5% of requests in a
// phased restart under load, and none are lost now. Connections still
// queued in the shared socket are accepted by the other workers.
//
// # Keeping the sockets
//
// A restart never binds again: the sockets are inherited (a hot restart's
// exec, a phased restart's new workers), matched to their binds as
// configured, so a wildcard bind that listens as [::]:3000 is still
// tcp://0.0.0.0:3000 to the new process. A Supervisor (the development
// server) goes one step further: it runs the program as a child, receives
// the sockets the first child opened over a notify socket, hands them to
// every child after it, and answers on them itself (its Down handler)
// while the program cannot run.
//
// # Keep-alive across restarts
//
// A stopping process answers every request with Connection: close and
// keeps its keep-alive connections open for IdleDrain (1s) for a
// request already on its way before closing them (also one whose answer
// went out before the stop without Connection: close, and whose client
// sends the next request as soon as it reads it), so a client that does
// not retry sees no reset. With several workers, a worker holding more
// connections than threads yields briefly before its next accept, so
// keep-alive connections spread over the workers. A request with
// Transfer-Encoding is answered with Connection: close: net/http drops a
// Content-Length sent beside it, and RFC 9112 requires closing after such
// a request, so bytes smuggled after a chunked body never run.
//
// # Known limits
//
//   - A request whose Content-Length exceeds MaxBodyBytes is answered 413
//     without reading the body, then its connection is half-closed and
//     lingers briefly (net/http's way); a client that keeps sending long
//     after that may still see a reset.
//   - A hijacked connection (a WebSocket) holds its slot for as long as the
//     handler runs, as in Puma.
//   - A signal that arrives in the instant of a hot restart's exec, before
//     the new master installs its handlers, takes its default action.
//   - Unix only (Linux, macOS, BSD): on other systems Run returns ErrUnsupported.
//
// # Control
//
// With ControlURL set, the master (or the single process) serves a control
// app on a unix socket or on TCP with a required ControlToken: stats
// (Puma's JSON shape), phased-restart, restart, stop and halt. Control is
// the client `gorails ctl` uses.
//
// # Example
//
//	var cfg server.Config
//	cfg.BindFlags(fs) // -p, -b, -w, -t, --pidfile, --control-url, ...
//	_ = fs.Parse(os.Args[2:])
//	err := server.Run(ctx, cfg, func() (http.Handler, error) { return app, nil })
package server
