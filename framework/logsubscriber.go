package framework

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
)

// LogSubscriber writes the story of each request and job to a logger, as
// Rails' log subscribers do, from the events of a Bus:
//
//	Started GET "/posts" for 127.0.0.1 at 2026-12-05 07:30:00 +0000
//	Processing by PostsController#index as HTML
//	  Parameters: {"page" => "2"}
//	  query posts (0.4ms)  SELECT ... [LIMIT=20]
//	  ↳ app/controllers/posts_controller.go:14 PostsController.Index
//	  Rendered posts/index.html.tmpl within layouts/application.html.tmpl (Duration: 1.2ms)
//	Completed 200 OK in 6ms (Views: 1.2ms | DB: 0.4ms, 1 query)
//
// The request and job lines are at info level (a server error's Completed
// at error), statements and partials at debug, failed statements at warn.
// Every value that came from a client is quoted, so a request cannot write
// a line of its own. The App subscribes one to its Events at New.
type LogSubscriber struct {
	// Logger receives the lines.
	Logger *slog.Logger
	// Attrs adds the events' fields as attributes (method, path, status,
	// duration_ms, ...) for machines: on for JSON logs, off for the
	// development text log, where the message says it all.
	Attrs bool
	// Root is the app's directory: SQL lines' call sites are shown
	// relative to it.
	Root string
	// CallSites adds the app's line that ran each statement below its SQL
	// line (Rails' verbose query logs; development).
	CallSites bool

	// inflight, when set, is told when a request starts and completes
	// (the production log's buffer writes out when none is in flight).
	inflight interface {
		begin()
		end()
	}
}

// Subscribe subscribes s to bus and returns the func that unsubscribes it.
//
// Each kind of event is subscribed for the level its lines are written at
// (event.SubscribeWhen): while the logger's level is above it, the emitters
// build no such event at all (at warn, no StartProcessing with its
// filtered params, no Rendered, no SQL or cache line). That needs a
// handler whose Enabled depends on the level alone (gorails' own, slog's
// JSON and text handlers); with another handler every kind is subscribed
// as it is. The request's StartRequest and ProcessAction stay subscribed
// whatever the level when the production log buffers (they count the
// requests in flight), and a failed statement's SQL event reaches the
// subscriber without a debug subscription (record emits it regardless).
func (s *LogSubscriber) Subscribe(bus *event.Bus) (cancel func()) {
	info, debug, errs := s.when(slog.LevelInfo), s.when(slog.LevelDebug), s.when(slog.LevelError)
	request, done := info, errs
	if s.inflight != nil {
		request, done = nil, nil
	}
	cancels := []func(){
		subscribeWhen(bus, request, s.startRequest),
		subscribeWhen(bus, info, s.startProcessing),
		subscribeWhen(bus, done, s.processAction),
		subscribeWhen(bus, info, s.redirect),
		subscribeWhen(bus, info, s.renderTemplate),
		subscribeWhen(bus, debug, s.renderPartial),
		subscribeWhen(bus, debug, s.sql),
		subscribeWhen(bus, debug, s.cacheRead),
		subscribeWhen(bus, debug, s.cacheWrite),
		subscribeWhen(bus, debug, s.cacheFetchHit),
		subscribeWhen(bus, debug, s.cacheGenerate),
		subscribeWhen(bus, debug, s.cacheDelete),
		subscribeWhen(bus, debug, s.cacheReadMulti),
		subscribeWhen(bus, debug, s.cacheWriteMulti),
		subscribeWhen(bus, debug, s.cacheIncrement),
		subscribeWhen(bus, debug, s.cacheDecrement),
		subscribeWhen(bus, errs, s.enqueueJob),
		subscribeWhen(bus, info, s.performStart),
		subscribeWhen(bus, errs, s.performJob),
		subscribeWhen(bus, errs, s.deliverMail),
	}
	return func() {
		for _, c := range cancels {
			c()
		}
	}
}

// when is the condition of a subscription for lines at level: whether the
// logger writes that level, asked without a context; nil (subscribe
// unconditionally) when the handler might decide by the context.
func (s *LogSubscriber) when(level slog.Level) func() bool {
	h := s.Logger.Handler()
	switch h.(type) {
	case *jsonHandler, *textHandler, *slog.JSONHandler, *slog.TextHandler:
		return func() bool { return h.Enabled(context.Background(), level) }
	}
	return nil
}

// subscribeWhen is event.SubscribeWhen, or event.Subscribe when there is no
// condition.
func subscribeWhen[E any, P interface {
	*E
	event.Event
}](bus *event.Bus, when func() bool, fn func(context.Context, P)) func() {
	if when == nil {
		return event.Subscribe(bus, fn)
	}
	return event.SubscribeWhen(bus, when, fn)
}

// log writes one line. It hands the record to the handler itself: the
// Logger's methods take the caller's program counter for every record (a
// stack walk), and a subscriber's caller says nothing.
func (s *LogSubscriber) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h, ok := s.Logger.Handler().(*jsonHandler); ok {
		if !s.Attrs {
			attrs = nil
		}
		_ = h.handleAttrs(ctx, time.Now(), level, msg, attrs)
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	if s.Attrs {
		r.AddAttrs(attrs...)
	}
	_ = s.Logger.Handler().Handle(ctx, r)
}

func (s *LogSubscriber) on(ctx context.Context, level slog.Level) bool {
	return s.Logger.Enabled(ctx, level)
}

// fastJSON is the JSON handler whose lines the request's log lines are
// written into directly (jsonLine), or nil: the lines then go through log
// as every other line does (the development text log, a handler of the
// app's own, a subscriber without attributes).
func (s *LogSubscriber) fastJSON() *jsonHandler {
	if !s.Attrs {
		return nil
	}
	h, _ := s.Logger.Handler().(*jsonHandler)
	return h
}

func (s *LogSubscriber) startRequest(ctx context.Context, e *event.StartRequest) {
	if s.inflight != nil {
		s.inflight.begin()
	}
	if !s.on(ctx, slog.LevelInfo) {
		return
	}
	h := s.fastJSON()
	var buf [160]byte
	b := append(buf[:0], "Started "...)
	b = appendQuoteIfNeeded(b, e.Method)
	b = append(b, ' ')
	b = strconv.AppendQuote(b, e.Path)
	b = append(b, " for "...)
	b = appendQuoteIfNeeded(b, e.RemoteIP)
	b = append(b, " at "...)
	if h != nil {
		b = h.clock.started.appendTime(b, e.Time) // e.Time.AppendFormat(b, startedLayout)
		l := h.line(time.Now(), slog.LevelInfo, b)
		l.str(`,"method":`, e.Method)
		l.str(`,"path":`, e.Path)
		l.str(`,"remote_ip":`, e.RemoteIP)
		_ = l.write(ctx)
		return
	}
	b = e.Time.AppendFormat(b, startedLayout)
	s.log(ctx, slog.LevelInfo, string(b),
		slog.String("method", e.Method), slog.String("path", e.Path), slog.String("remote_ip", e.RemoteIP))
}

func (s *LogSubscriber) startProcessing(ctx context.Context, e *event.StartProcessing) {
	if !s.on(ctx, slog.LevelInfo) {
		return
	}
	if h := s.fastJSON(); h != nil {
		var buf [160]byte
		b := append(buf[:0], "Processing by "...)
		b = append(b, e.Controller...)
		b = append(b, '#')
		b = append(b, e.Action...)
		b = append(b, " as "...)
		b = append(b, e.Format...)
		l := h.line(time.Now(), slog.LevelInfo, b)
		l.str(`,"controller":`, e.Controller)
		l.str(`,"action":`, e.Action)
		l.str(`,"format":`, e.Format)
		_ = l.write(ctx)
	} else {
		s.log(ctx, slog.LevelInfo, "Processing by "+e.Controller+"#"+e.Action+" as "+e.Format,
			slog.String("controller", e.Controller), slog.String("action", e.Action), slog.String("format", e.Format))
	}
	if params := e.Params(); len(params) > 0 {
		var buf [256]byte
		msg := appendInspect(append(buf[:0], "  Parameters: "...), params, 0)
		if h := s.fastJSON(); h != nil {
			l := h.line(time.Now(), slog.LevelInfo, msg)
			l.value(`,"params":`, slog.AnyValue(params))
			_ = l.write(ctx)
			return
		}
		s.log(ctx, slog.LevelInfo, string(msg), slog.Any("params", params))
	}
}

func (s *LogSubscriber) processAction(ctx context.Context, e *event.ProcessAction) {
	if s.inflight != nil {
		defer s.inflight.end()
	}
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	if !s.on(ctx, level) {
		return
	}
	// The line is built in a buffer on the stack: one allocation, the
	// message's string (none on the JSON handler's own path).
	var buf [160]byte
	b := append(buf[:0], "Completed "...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(e.Status)...)
	b = append(b, " in "...)
	b = appendMs(b, e.Duration)
	if e.Views > 0 || e.Queries > 0 {
		b = append(b, " ("...)
		if e.Views > 0 {
			b = append(b, "Views: "...)
			b = appendMs(b, e.Views)
		}
		if e.Queries > 0 {
			if e.Views > 0 {
				b = append(b, " | "...)
			}
			b = append(b, "DB: "...)
			b = appendMs(b, e.DB)
			b = append(b, ", "...)
			b = appendPlural(b, e.Queries, "query", "queries")
		}
		b = append(b, ')')
	}
	if e.Controller == "" {
		// No action served it (a file, a 404, a rejected request): name
		// the request, since no Processing line did.
		b = append(b, " for "...)
		b = appendQuoteIfNeeded(b, e.Method)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, e.Path)
	}
	if h := s.fastJSON(); h != nil {
		l := h.line(time.Now(), level, b)
		l.str(`,"method":`, e.Method)
		l.str(`,"path":`, e.Path)
		l.int(`,"status":`, int64(e.Status))
		l.ms(`,"duration_ms":`, e.Duration)
		l.ms(`,"view_ms":`, e.Views)
		l.ms(`,"db_ms":`, e.DB)
		l.int(`,"db_queries":`, e.Queries)
		if e.Controller != "" {
			l.str(`,"controller":`, e.Controller)
			l.str(`,"action":`, e.Action)
		}
		if e.Err != nil {
			l.str(`,"error":`, e.Err.Error())
		}
		_ = l.write(ctx)
		return
	}
	var attrBuf [10]slog.Attr
	attrs := append(attrBuf[:0],
		slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", e.Status),
		slog.Float64("duration_ms", msFloat(e.Duration)), slog.Float64("view_ms", msFloat(e.Views)),
		slog.Float64("db_ms", msFloat(e.DB)), slog.Int64("db_queries", e.Queries),
	)
	if e.Controller != "" {
		attrs = append(attrs, slog.String("controller", e.Controller), slog.String("action", e.Action))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	s.log(ctx, level, string(b), attrs...)
}

func (s *LogSubscriber) redirect(ctx context.Context, e *event.Redirect) {
	if !s.on(ctx, slog.LevelInfo) {
		return
	}
	s.log(ctx, slog.LevelInfo, "Redirected to "+quoteIfNeeded(e.Location), slog.String("location", e.Location), slog.Int("status", e.Status))
}

func (s *LogSubscriber) renderTemplate(ctx context.Context, e *event.RenderTemplate) {
	if !s.on(ctx, slog.LevelInfo) {
		return
	}
	msg := "  Rendered " + e.Identifier
	if e.Layout != "" {
		msg += " within " + e.Layout
	}
	msg += " (Duration: " + ms(e.Duration) + ")"
	attrs := []slog.Attr{slog.String("template", e.Identifier), slog.String("layout", e.Layout), slog.Float64("duration_ms", msFloat(e.Duration))}
	if e.Err != nil {
		msg += " failed"
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	s.log(ctx, slog.LevelInfo, msg, attrs...)
}

func (s *LogSubscriber) renderPartial(ctx context.Context, e *event.RenderPartial) {
	if !s.on(ctx, slog.LevelDebug) {
		return
	}
	msg := "  Rendered " + e.Identifier
	if e.Count > 0 {
		msg = fmt.Sprintf("  Rendered collection of %s [%s]", e.Identifier, plural(int64(e.Count), "time", "times"))
	}
	s.log(ctx, slog.LevelDebug, msg+" (Duration: "+ms(e.Duration)+")",
		slog.String("partial", e.Identifier), slog.Int("count", e.Count), slog.Float64("duration_ms", msFloat(e.Duration)))
}

func (s *LogSubscriber) sql(ctx context.Context, e *event.SQL) {
	level := slog.LevelDebug
	if e.Err != nil && !e.Retried {
		level = slog.LevelWarn
	}
	if !s.on(ctx, level) {
		return
	}
	binds := e.Binds()
	msg := fmt.Sprintf("  %s (%s)  %s", e.Op, ms(e.Duration), oneLine(e.SQL))
	if len(binds) > 0 {
		msg += "  [" + strings.Join(binds, " ") + "]"
	}
	attrs := []slog.Attr{slog.String("sql", e.SQL), slog.Float64("duration_ms", msFloat(e.Duration)), slog.Int64("rows", e.Rows)}
	if len(binds) > 0 {
		attrs = append(attrs, slog.Any("binds", binds))
	}
	if e.Err != nil {
		msg += "  failed: " + e.Err.Error()
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	site := ""
	if s.CallSites {
		site = callSite(s.Root)
		if site != "" {
			attrs = append(attrs, slog.String("caller", site))
		}
	}
	s.log(ctx, level, msg, attrs...)
	if site != "" && !s.Attrs {
		s.log(ctx, level, "  ↳ "+site)
	}
}

// The cache's lines are at debug level, as Rails' are (development's log):
//
//	Cache read: views/posts/1-20261205 (hit) (0.1ms)
//	Cache generate: stats (12ms)
func (s *LogSubscriber) cacheLine(ctx context.Context, op, key, store, extra string, d time.Duration, err error) {
	s.cacheLineOf(ctx, op, quoteIfNeeded(key), key, store, extra, d, err)
}

// cacheLineOfKeys is cacheLine of several keys, each quoted if needed.
func (s *LogSubscriber) cacheLineOfKeys(ctx context.Context, op string, keys []string, store, extra string, d time.Duration, err error) {
	if !s.on(ctx, slog.LevelDebug) {
		return
	}
	shown := make([]string, len(keys))
	for i, k := range keys {
		shown[i] = quoteIfNeeded(k)
	}
	s.cacheLineOf(ctx, op, strings.Join(shown, ", "), strings.Join(keys, ", "), store, extra, d, err)
}

func (s *LogSubscriber) cacheLineOf(ctx context.Context, op, shown, key, store, extra string, d time.Duration, err error) {
	if !s.on(ctx, slog.LevelDebug) {
		return
	}
	msg := "  Cache " + op + ": " + shown + " " + extra + "(" + ms(d) + ")"
	attrs := []slog.Attr{slog.String("key", key), slog.String("store", store), slog.Float64("duration_ms", msFloat(d))}
	if err != nil {
		msg += " failed: " + err.Error()
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.log(ctx, slog.LevelDebug, msg, attrs...)
}

func (s *LogSubscriber) cacheRead(ctx context.Context, e *event.CacheRead) {
	s.cacheLine(ctx, "read", e.Key, e.Store, "("+hitMiss(e.Hit)+") ", e.Duration, e.Err)
}

func (s *LogSubscriber) cacheWrite(ctx context.Context, e *event.CacheWrite) {
	s.cacheLine(ctx, "write", e.Key, e.Store, "", e.Duration, e.Err)
}

func (s *LogSubscriber) cacheFetchHit(ctx context.Context, e *event.CacheFetchHit) {
	s.cacheLine(ctx, "fetch_hit", e.Key, e.Store, "", e.Duration, nil)
}

func (s *LogSubscriber) cacheGenerate(ctx context.Context, e *event.CacheGenerate) {
	s.cacheLine(ctx, "generate", e.Key, e.Store, "", e.Duration, e.Err)
}

func (s *LogSubscriber) cacheDelete(ctx context.Context, e *event.CacheDelete) {
	s.cacheLine(ctx, "delete", e.Key, e.Store, "", e.Duration, e.Err)
}

// cacheReadMulti: "Cache read_multi: posts/1, posts/2 (1 of 2 hit)".
func (s *LogSubscriber) cacheReadMulti(ctx context.Context, e *event.CacheReadMulti) {
	extra := fmt.Sprintf("(%d of %d hit) ", len(e.Hits), len(e.Keys))
	if e.SuperOperation != "" {
		extra += "(" + e.SuperOperation + ") "
	}
	s.cacheLineOfKeys(ctx, "read_multi", e.Keys, e.Store, extra, e.Duration, e.Err)
}

func (s *LogSubscriber) cacheWriteMulti(ctx context.Context, e *event.CacheWriteMulti) {
	s.cacheLineOfKeys(ctx, "write_multi", e.Keys, e.Store, "", e.Duration, e.Err)
}

func (s *LogSubscriber) cacheIncrement(ctx context.Context, e *event.CacheIncrement) {
	s.cacheLine(ctx, "increment", e.Key, e.Store, "(by "+strconv.FormatInt(e.Amount, 10)+") ", e.Duration, e.Err)
}

func (s *LogSubscriber) cacheDecrement(ctx context.Context, e *event.CacheDecrement) {
	s.cacheLine(ctx, "decrement", e.Key, e.Store, "(by "+strconv.FormatInt(e.Amount, 10)+") ", e.Duration, e.Err)
}

func (s *LogSubscriber) enqueueJob(ctx context.Context, e *event.EnqueueJob) {
	level := slog.LevelInfo
	if e.Err != nil {
		level = slog.LevelError
	}
	if !s.on(ctx, level) {
		return
	}
	where := fmt.Sprintf("%s(%s)", e.Backend, e.Queue)
	attrs := []slog.Attr{slog.String("job", e.Job), slog.Int64("job_id", e.ID), slog.String("queue", e.Queue), slog.String("backend", e.Backend)}
	if e.Err != nil {
		s.log(ctx, level, fmt.Sprintf("Failed enqueuing %s to %s: %v", e.Job, where, e.Err), append(attrs, slog.String("error", e.Err.Error()))...)
		return
	}
	msg := fmt.Sprintf("Enqueued %s (Job ID: %s) to %s", e.Job, jobID(e.ID), where)
	if !e.RunAt.IsZero() {
		msg += " at " + e.RunAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	s.log(ctx, level, msg, attrs...)
}

func (s *LogSubscriber) performStart(ctx context.Context, e *event.PerformStart) {
	if !s.on(ctx, slog.LevelInfo) {
		return
	}
	msg := fmt.Sprintf("Performing %s (Job ID: %s) from %s(%s)", e.Job, jobID(e.ID), e.Backend, e.Queue)
	if !e.EnqueuedAt.IsZero() {
		msg += " enqueued at " + e.EnqueuedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if e.Attempt > 1 {
		msg += fmt.Sprintf(" (attempt %d)", e.Attempt)
	}
	s.log(ctx, slog.LevelInfo, msg, slog.String("job", e.Job), slog.Int64("job_id", e.ID), slog.String("queue", e.Queue), slog.Int("attempt", e.Attempt))
}

func (s *LogSubscriber) performJob(ctx context.Context, e *event.PerformJob) {
	level := slog.LevelInfo
	var msg string
	name := fmt.Sprintf("%s (Job ID: %s)", e.Job, jobID(e.ID))
	switch e.Outcome {
	case event.Performed:
		msg = fmt.Sprintf("Performed %s from %s(%s) in %s", name, e.Backend, e.Queue, ms(e.Duration))
	case event.Retried:
		level = slog.LevelWarn
		msg = fmt.Sprintf("Retrying %s in %s (attempt %d of %d), due to: %v", name, time.Until(e.RetryAt).Round(time.Second), e.Attempt, e.MaxAttempts, e.Err)
	case event.Discarded:
		level = slog.LevelWarn
		msg = fmt.Sprintf("Discarded %s due to: %v", name, e.Err)
	case event.Died:
		level = slog.LevelError
		msg = fmt.Sprintf("Stopped retrying %s after %s, due to: %v", name, plural(int64(e.Attempt), "attempt", "attempts"), e.Err)
	case event.Released:
		level = slog.LevelWarn
		msg = fmt.Sprintf("Interrupted %s by shutdown after %s; it will run again", name, ms(e.Duration))
	}
	if !s.on(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("job", e.Job), slog.Int64("job_id", e.ID), slog.String("queue", e.Queue),
		slog.String("outcome", e.Outcome.String()), slog.Int("attempt", e.Attempt), slog.Float64("duration_ms", msFloat(e.Duration)),
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	s.log(ctx, level, msg, attrs...)
}

func (s *LogSubscriber) deliverMail(ctx context.Context, e *event.DeliverMail) {
	level := slog.LevelInfo
	if e.Err != nil {
		level = slog.LevelError
	}
	if !s.on(ctx, level) {
		return
	}
	msg := fmt.Sprintf("Delivered mail %s (%s)", e.MessageID, ms(e.Duration))
	attrs := []slog.Attr{slog.String("mailer", e.Mailer), slog.String("mail_action", e.Action), slog.String("message_id", e.MessageID)}
	if e.Err != nil {
		msg = fmt.Sprintf("Failed delivering mail %s: %v", e.MessageID, e.Err)
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	s.log(ctx, level, msg, attrs...)
}

// ms formats a duration as Rails does: "1.2ms", "12ms".
func ms(d time.Duration) string {
	var buf [32]byte
	return string(appendMs(buf[:0], d))
}

// appendMs is ms appending to b.
func appendMs(b []byte, d time.Duration) []byte {
	f := msFloat(d)
	prec := 1
	if f >= 10 {
		prec = 0
	}
	return append(strconv.AppendFloat(b, f, 'f', prec, 64), "ms"...)
}

func msFloat(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func plural(n int64, one, many string) string {
	var buf [48]byte
	return string(appendPlural(buf[:0], n, one, many))
}

// appendPlural is plural appending to b.
func appendPlural(b []byte, n int64, one, many string) []byte {
	b = strconv.AppendInt(b, n, 10)
	b = append(b, ' ')
	if n == 1 {
		return append(b, one...)
	}
	return append(b, many...)
}

func hitMiss(hit bool) string {
	if hit {
		return "hit"
	}
	return "miss"
}

func jobID(id int64) string {
	if id == 0 {
		return "-"
	}
	return strconv.FormatInt(id, 10)
}

// oneLine collapses each run of white space (newlines, indentation)
// outside the statement's quoted literals and identifiers into one space,
// and trims the ends, so that a statement written over several lines is
// one line of the log; the sql attribute keeps the statement as run. What
// is inside quotes is left alone (the text handler escapes a newline
// there).
func oneLine(sql string) string {
	clean := true
	for i := 0; i < len(sql); i++ {
		if c := sql[i]; c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v' || (c == ' ' && (i == 0 || i+1 == len(sql) || sql[i+1] == ' ')) {
			clean = false
			break
		}
	}
	if clean {
		return sql
	}
	b := make([]byte, 0, len(sql))
	var quote byte // the quote we are inside, or 0
	space := false
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if quote != 0 {
			b = append(b, c)
			if c == quote {
				quote = 0 // a doubled quote closes and reopens: same result
			}
			continue
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '\v':
			space = true
			continue
		case '\'', '"', '`':
			quote = c
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// appendQuoteIfNeeded is quoteIfNeeded appending to b.
func appendQuoteIfNeeded(b []byte, s string) []byte {
	if needsQuote(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// quoteIfNeeded quotes a value that came from a client when it holds
// anything that could break the line (a newline would forge one).
func quoteIfNeeded(s string) string {
	if needsQuote(s) {
		return strconv.Quote(s)
	}
	return s
}

// appendInspect appends params as Rails' Parameters line shows them, keys
// sorted, every key and value quoted: {"post" => {"title" => "Hi"}, "page"
// => "2"}.
func appendInspect(b []byte, v any, depth int) []byte {
	if depth > 8 {
		return append(b, "…"...)
	}
	switch v := v.(type) {
	case map[string]any:
		var kb [16]string
		keys := kb[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, k)
			b = append(b, " => "...)
			b = appendInspect(b, v[k], depth+1)
		}
		return append(b, '}')
	case dispatch.Params:
		return appendInspect(b, map[string]any(v), depth)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendInspect(b, e, depth+1)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, e)
		}
		return append(b, ']')
	case string:
		return strconv.AppendQuote(b, v)
	case *dispatch.File:
		b = append(b, "#<File "...)
		b = strconv.AppendQuote(b, v.Filename)
		return append(b, '>')
	case nil:
		return append(b, "nil"...)
	default:
		return strconv.AppendQuote(b, fmt.Sprint(v))
	}
}

// isFramework reports whether a function is gorails' own (the App's
// package or one under framework/), whose frames a call site skips.
func isFramework(fn string) bool {
	const pkg = "github.com/gorails/gorails/framework"
	return strings.HasPrefix(fn, pkg+".") || strings.HasPrefix(fn, pkg+"/")
}

// callSite is the app's line that ran the statement being reported,
// relative to root: "app/controllers/posts_controller.go:14
// PostsController.Index". It is the first frame on the stack in a file
// under root that is not the framework's; without one (a build whose
// files are elsewhere), the first frame that is neither the framework nor
// the standard library. "" when there is none (a statement the framework
// runs itself, such as the job worker's).
func callSite(root string) string {
	var pcs [48]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	fallback := ""
	for {
		f, more := frames.Next()
		fn := f.Function
		if fn != "" && !isFramework(fn) {
			if root != "" {
				if rel, err := filepath.Rel(root, f.File); err == nil && !strings.HasPrefix(rel, "..") {
					return fmt.Sprintf("%s:%d %s", filepath.ToSlash(rel), f.Line, shortFunc(fn))
				}
			}
			if fallback == "" && !isStdlib(fn) {
				fallback = fmt.Sprintf("%s:%d %s", f.File, f.Line, shortFunc(fn))
			}
		}
		if !more {
			return fallback
		}
	}
}

// isStdlib reports whether a function belongs to the standard library (or
// the runtime): its import path has no dot in its first element. A
// function of a one-element path ("runtime.goexit", "sync.(*Once).Do") is
// the standard library's, except the main package's.
func isStdlib(fn string) bool {
	first := fn
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	} else if i := strings.IndexByte(first, '.'); i >= 0 {
		first = first[:i]
		if first == "main" {
			return false
		}
	}
	return !strings.Contains(first, ".") || strings.HasPrefix(fn, "golang.org/toolchain")
}

// shortFunc drops the package path: "blog/app/controllers.(*PostsController).Index"
// becomes "PostsController.Index".
func shortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[i+1:]
	}
	return strings.NewReplacer("(*", "", ")", "").Replace(fn)
}
