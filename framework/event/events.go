package event

import "time"

// StartRequest: a request came in ("Started GET "/posts" for 127.0.0.1"),
// emitted by the App's request instrumentation before anything else runs.
// Method is the method after _method override.
type StartRequest struct {
	Method, Path string
	RemoteIP     string
	Time         time.Time
	// Header is the request's header (an http.Header), for a tracer that
	// continues the caller's trace (traceparent). Read it, never change it.
	Header map[string][]string
}

// StartProcessing: a controller action is about to run ("Processing by
// PostsController#index as HTML" and its "Parameters:" line). Params
// builds the request's params for it.
type StartProcessing struct {
	Controller string // "PostsController", "Admin::UsersController"
	Action     string // "index"
	Format     string // "HTML", "JSON"
	Method     string
	Path       string
	params     func() map[string]any
	source     ParamsSource
}

// ParamsSource builds a StartProcessing's params when a subscriber asks
// (StartProcessingOf).
type ParamsSource interface {
	// LogParams is StartProcessing.Params.
	LogParams() map[string]any
}

// StartProcessingOf is NewStartProcessing with the params from src, as a
// value: an emitter that keeps it in a per-request struct of its own (the
// controller's) and emits its address allocates nothing for the event.
func StartProcessingOf(controller, action, format, method, path string, src ParamsSource) StartProcessing {
	return StartProcessing{Controller: controller, Action: action, Format: format, Method: method, Path: path, source: src}
}

// NewStartProcessing returns a StartProcessing whose Params calls params
// (the controller filters a copy of the request's params only when a
// subscriber asks: a log at warn level does not).
func NewStartProcessing(controller, action, format, method, path string, params func() map[string]any) *StartProcessing {
	return &StartProcessing{Controller: controller, Action: action, Format: format, Method: method, Path: path, params: params}
}

// Params returns the request's query, body and path params, with the
// values of filtered names (Rails' filter_parameters and the app's)
// replaced by [FILTERED] at any depth; nil when there are none or they
// could not be parsed. Each call builds a new map: call it once.
func (e *StartProcessing) Params() map[string]any {
	switch {
	case e.params != nil:
		return e.params()
	case e.source != nil:
		return e.source.LogParams()
	}
	return nil
}

// ProcessAction: a request is done ("Completed 200 OK in 12ms (Views: 4.1ms
// | DB: 1.2ms, 3 queries)"). Controller and Action are empty for a request
// no action served (a static file, a 404, a rejected host). It is emitted
// with the context StartRequest returned.
type ProcessAction struct {
	Controller, Action, Format string
	Method, Path               string
	Status                     int
	Start                      time.Time
	Duration                   time.Duration
	Views                      time.Duration // time spent rendering views
	DB                         time.Duration // time spent in the database
	Queries                    int64         // statements run
	Err                        error         // the error the action returned or the panic, when there was one
}

// Redirect: an action redirected ("Redirected to http://...").
type Redirect struct {
	Location string
	Status   int
}

// RenderTemplate: a view was rendered, inside Layout when it has one
// ("Rendered posts/index.html.tmpl within layouts/application (Duration:
// 1.2ms)"). Identifier is the template's path under app/views.
type RenderTemplate struct {
	Identifier string
	Layout     string
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// RenderPartial: a partial was rendered; Count is the number of elements
// for render_collection, 0 for a single render.
type RenderPartial struct {
	Identifier string
	Count      int
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// SQL: a statement ran ("query posts (0.4ms) SELECT ..."). Op is what
// record calls it ("query posts", "insert users", "exec"). Binds are the
// statement's binds as the query log may show them: a value only under a
// column record itself bound it to and that is not filtered, "[N binds]"
// otherwise (see record's package doc); call it only when you use it, it
// renders them.
type SQL struct {
	Op       string
	SQL      string
	Rows     int64
	Start    time.Time
	Duration time.Duration
	Err      error // with every bind the log would not show taken out of its text
	// Retried: Err is a deadlock the caller runs the statement again for
	// at once (record.RetryingDeadlock); the log shows it at debug level.
	Retried bool
	binds   func() []string
}

// NewSQL returns a SQL event whose Binds calls binds (record renders them
// only when a subscriber asks).
func NewSQL(op, sql string, rows int64, start time.Time, d time.Duration, err error, binds func() []string) *SQL {
	return &SQL{Op: op, SQL: sql, Rows: rows, Start: start, Duration: d, Err: err, binds: binds}
}

// Binds renders the statement's binds for a log line (nil when it has none).
func (e *SQL) Binds() []string {
	if e.binds == nil {
		return nil
	}
	return e.binds()
}

// CacheRead: a cache read ("Cache read: posts/1"); Hit tells whether it
// found a live entry. Fetch reports its read as one too. Key is the key
// with the cache's namespace; Store names the store ("cache.Memory",
// "dbstore.Store", "cache.Redis").
type CacheRead struct {
	Key, Store string
	Hit        bool
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// CacheWrite: a cache write, also Fetch's write of what it computed.
type CacheWrite struct {
	Key, Store string
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// CacheFetchHit: a Fetch found the value and computed nothing (after its
// CacheRead).
type CacheFetchHit struct {
	Key, Store string
	Start      time.Time
	Duration   time.Duration
}

// CacheGenerate: a Fetch missed and computed the value (before its
// CacheWrite); Duration is the computation's, Err its error.
type CacheGenerate struct {
	Key, Store string
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// CacheDelete: keys were deleted; Key is the key, or the keys joined with
// ", " for a delete of several.
type CacheDelete struct {
	Key, Store string
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// CacheReadMulti: a read of several keys in one round trip (Rails'
// read_multi), also FetchMulti's read, whose SuperOperation is
// "fetch_multi" (Rails' super_operation). Keys are the keys with the
// cache's namespace, in the order asked; Hits are those found live.
type CacheReadMulti struct {
	Keys, Hits     []string
	Store          string
	SuperOperation string
	Start          time.Time
	Duration       time.Duration
	Err            error
}

// CacheWriteMulti: a write of several entries in one round trip (Rails'
// write_multi), also FetchMulti's write of what it computed.
type CacheWriteMulti struct {
	Keys     []string
	Store    string
	Start    time.Time
	Duration time.Duration
	Err      error
}

// CacheIncrement: a counter was incremented by Amount (Rails'
// increment); Value is its new value when Err is nil.
type CacheIncrement struct {
	Key, Store    string
	Amount, Value int64
	Start         time.Time
	Duration      time.Duration
	Err           error
}

// CacheDecrement: a counter was decremented by Amount (Rails'
// decrement); Value is its new value when Err is nil.
type CacheDecrement struct {
	Key, Store    string
	Amount, Value int64
	Start         time.Time
	Duration      time.Duration
	Err           error
}

// EnqueueJob: a job was handed to its backend ("Enqueued WelcomeJob (Job
// ID: 12) to database(default)"). Job is the job's kind; RunAt is zero
// for as soon as possible.
type EnqueueJob struct {
	Job, Queue string
	ID         int64
	Backend    string
	RunAt      time.Time
	Start      time.Time
	Duration   time.Duration
	Err        error
}

// PerformStart: a job's attempt starts ("Performing WelcomeJob (Job ID:
// 12) from database(default) enqueued at ...").
type PerformStart struct {
	Job, Queue string
	ID         int64
	Backend    string
	Attempt    int
	EnqueuedAt time.Time
}

// Outcome is what became of a job's attempt.
type Outcome uint8

// The outcomes of an attempt.
const (
	Performed Outcome = iota // it succeeded
	Retried                  // it failed and will run again at RetryAt
	Discarded                // it failed and was dropped (DiscardOn)
	Died                     // it failed its last attempt and went to the dead set
	Released                 // shutdown interrupted it; it will run again
)

var outcomeNames = [...]string{"performed", "retried", "discarded", "died", "released"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}

// PerformJob: a job's attempt finished ("Performed WelcomeJob (Job ID: 12)
// from database(default) in 20.1ms"; "Retrying ... in 16s, due to ...").
// It is emitted with the context PerformStart returned.
type PerformJob struct {
	Job, Queue           string
	ID                   int64
	Backend              string
	Attempt, MaxAttempts int
	Outcome              Outcome
	RetryAt              time.Time // for Retried
	Start                time.Time
	Duration             time.Duration
	Err                  error
}

// DeliverMail: a mail was delivered ("Delivered mail <id> (12.3ms)").
// Mailer and Action name the mailer action that built it, as Rails names
// them (the action "user_mailer/password_reset" is UserMailer and
// password_reset); both are empty for a message built by hand. Recipients
// are left out: addresses are personal data.
type DeliverMail struct {
	Mailer, Action string
	MessageID      string
	Subject        string
	Start          time.Time
	Duration       time.Duration
	Err            error
}

// Name and Kind of each event.

func (*StartRequest) Name() string    { return "start_request.action_dispatch" }
func (*StartProcessing) Name() string { return "start_processing.action_controller" }
func (*ProcessAction) Name() string   { return "process_action.action_controller" }
func (*Redirect) Name() string        { return "redirect_to.action_controller" }
func (*RenderTemplate) Name() string  { return "render_template.action_view" }
func (*RenderPartial) Name() string   { return "render_partial.action_view" }
func (*SQL) Name() string             { return "sql.active_record" }
func (*CacheRead) Name() string       { return "cache_read.active_support" }
func (*CacheWrite) Name() string      { return "cache_write.active_support" }
func (*CacheFetchHit) Name() string   { return "cache_fetch_hit.active_support" }
func (*CacheGenerate) Name() string   { return "cache_generate.active_support" }
func (*CacheDelete) Name() string     { return "cache_delete.active_support" }
func (*CacheReadMulti) Name() string  { return "cache_read_multi.active_support" }
func (*CacheWriteMulti) Name() string { return "cache_write_multi.active_support" }
func (*CacheIncrement) Name() string  { return "cache_increment.active_support" }
func (*CacheDecrement) Name() string  { return "cache_decrement.active_support" }
func (*EnqueueJob) Name() string      { return "enqueue.active_job" }
func (*PerformStart) Name() string    { return "perform_start.active_job" }
func (*PerformJob) Name() string      { return "perform.active_job" }
func (*DeliverMail) Name() string     { return "deliver.action_mailer" }

func (*StartRequest) Kind() Kind    { return KindStartRequest }
func (*StartProcessing) Kind() Kind { return KindStartProcessing }
func (*ProcessAction) Kind() Kind   { return KindProcessAction }
func (*Redirect) Kind() Kind        { return KindRedirect }
func (*RenderTemplate) Kind() Kind  { return KindRenderTemplate }
func (*RenderPartial) Kind() Kind   { return KindRenderPartial }
func (*SQL) Kind() Kind             { return KindSQL }
func (*CacheRead) Kind() Kind       { return KindCacheRead }
func (*CacheWrite) Kind() Kind      { return KindCacheWrite }
func (*CacheFetchHit) Kind() Kind   { return KindCacheFetchHit }
func (*CacheGenerate) Kind() Kind   { return KindCacheGenerate }
func (*CacheDelete) Kind() Kind     { return KindCacheDelete }
func (*CacheReadMulti) Kind() Kind  { return KindCacheReadMulti }
func (*CacheWriteMulti) Kind() Kind { return KindCacheWriteMulti }
func (*CacheIncrement) Kind() Kind  { return KindCacheIncrement }
func (*CacheDecrement) Kind() Kind  { return KindCacheDecrement }
func (*EnqueueJob) Kind() Kind      { return KindEnqueueJob }
func (*PerformStart) Kind() Kind    { return KindPerformStart }
func (*PerformJob) Kind() Kind      { return KindPerformJob }
func (*DeliverMail) Kind() Kind     { return KindDeliverMail }
