package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorails/gorails/framework/event"
)

// ErrBadLogSetting is returned (by Validate and Boot) for a log level or
// format the framework does not know.
var ErrBadLogSetting = errors.New("unknown log setting")

// Log formats (Config.LogFormat).
const (
	LogText = "text" // Rails-like readable lines, the request id in front
	LogJSON = "json" // one JSON object per line (slog.JSONHandler)
)

// ParseLogLevel reads a level name: debug, info, warn (or warning), error,
// case-insensitively.
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q: %w (use debug, info, warn or error)", s, ErrBadLogSetting)
}

// newLogger builds the default logger: readable text in development and
// test, JSON in production (Config.LogFormat overrides), at debug level in
// development and info otherwise (Config.LogLevel, then GORAILS_LOG_LEVEL,
// override), to Config.LogOutput (stdout by default). Every line written
// with a request's (or a job's) context carries its request id.
func (a *App) newLogger() error {
	c := &a.Config
	a.logLevel = new(slog.LevelVar) // info
	if c.Env.IsDevelopment() {
		a.logLevel.Set(slog.LevelDebug)
	}
	var errs []error
	if c.LogLevel != "" {
		l, err := ParseLogLevel(c.LogLevel)
		errs = append(errs, err)
		a.logLevel.Set(l)
	}
	if s := c.Getenv("GORAILS_LOG_LEVEL"); s != "" {
		l, err := ParseLogLevel(s)
		if err != nil {
			err = fmt.Errorf("GORAILS_LOG_LEVEL: %w", err)
		}
		errs = append(errs, err)
		a.logLevel.Set(l)
		a.levelFromEnv = err == nil
	}
	format := c.LogFormat
	if format == "" {
		format = LogText
		if c.Env.IsProduction() {
			format = LogJSON
		}
	}
	out := c.LogOutput
	if out == nil {
		out = c.Stderr
	}
	if out == nil {
		out = os.Stdout
	}
	if c.Env.IsProduction() {
		// Production buffers while requests are in flight (see
		// logWriter); development and test write every line at once, as
		// a person watching the terminal or a test expects.
		a.logOut = newLogWriter(out)
		out = a.logOut
	}
	var h slog.Handler
	switch format {
	case LogText:
		h = newTextHandler(out, a.logLevel)
		a.plainLog = true
	case LogJSON:
		h = newJSONHandler(out, a.logLevel)
	default:
		errs = append(errs, fmt.Errorf("LogFormat %q: %w (use %q or %q)", format, ErrBadLogSetting, LogText, LogJSON))
		h = newTextHandler(out, a.logLevel)
		a.plainLog = true
	}
	c.Logger = slog.New(h)
	return errors.Join(errs...)
}

// requestIDHandler adds the request id of the record's context to every
// record written with one (a request's lines, the jobs it enqueued).
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := event.RequestID(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// textHandler writes Rails-like lines for a person at a terminal:
//
//	[3f2a9c...] Started GET "/posts" for 127.0.0.1 at 2026-12-05 07:30:00 +0000
//	[3f2a9c...] DEBUG   query posts (0.4ms)  SELECT ...
//	WARN job worker stopping running=2
//
// the request id first when the context has one, the level unless it is
// INFO, the message, then the attributes as key=value (quoted when they
// need it). No time: the Started line has it, and a terminal is now.
type textHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	level  slog.Leveler
	prefix string // group prefix for attributes ("g.")
	pre    []byte // attributes added with WithAttrs, formatted
}

func newTextHandler(w io.Writer, level slog.Leveler) *textHandler {
	return &textHandler{mu: new(sync.Mutex), w: w, level: level}
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *textHandler) Handle(ctx context.Context, r slog.Record) error {
	var b bytes.Buffer
	if id := event.RequestID(ctx); id != "" {
		b.WriteByte('[')
		b.WriteString(id)
		b.WriteString("] ")
	}
	if r.Level != slog.LevelInfo {
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	appendMessage(&b, r.Message)
	b.Write(h.pre)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.prefix, a)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b.Bytes())
	return err
}

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	var b bytes.Buffer
	b.Write(h.pre)
	for _, a := range as {
		appendAttr(&b, h.prefix, a)
	}
	h2.pre = b.Bytes()
	return &h2
}

func (h *textHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// appendMessage writes a record's message on one line: a newline, carriage
// return or other control character (in an error's text, say) is escaped
// as Go would ("\\n", "\\x1b"), so a record is always one line and
// nothing in it reaches the terminal as a control sequence.
func appendMessage(b *bytes.Buffer, msg string) {
	start := 0
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c >= ' ' && c != 0x7f || c == '\t' {
			continue
		}
		b.WriteString(msg[start:i])
		switch c {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(msg[start:])
}

func appendAttr(b *bytes.Buffer, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			appendAttr(b, p, g)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(prefix)
	b.WriteString(a.Key)
	b.WriteByte('=')
	var s string
	switch a.Value.Kind() {
	case slog.KindDuration:
		s = a.Value.Duration().String()
	case slog.KindTime:
		s = a.Value.Time().Format(time.RFC3339Nano)
	default:
		s = a.Value.String()
	}
	if needsQuote(s) {
		s = strconv.Quote(s)
	}
	b.WriteString(s)
}

// needsQuote reports whether a value must be quoted to stay one token on
// one line: empty, spaces, quotes, '=', control or invalid bytes.
func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '"' || c == '=' || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
