package framework_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record/migrate"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
)

func (c *NotesController) Destroy() error {
	if _, err := c.db.Exec(c.Request().Context(), "DELETE FROM notes WHERE body = ?", c.Request().Param("id")); err != nil {
		return err
	}
	return c.Redirect("/about", http.StatusSeeOther)
}

func logRoutes(r *dispatch.Mapper) {
	notesRoutes(r)
	r.Delete("notes/:id", dispatch.To((*NotesController).Destroy))
}

// logApp is a booted app of env whose default logger writes to the
// returned buffer (its default format for env unless cfg changes it).
func logApp(t *testing.T, env framework.Env, vars map[string]string, cfg func(*framework.Config)) (*framework.App, *syncLog) {
	t.Helper()
	log := &syncLog{}
	if vars == nil {
		vars = map[string]string{}
	}
	if _, ok := vars["GORAILS_JOB_BACKEND"]; !ok {
		vars["GORAILS_JOB_BACKEND"] = "inline"
	}
	app, _ := jobsApp(t, env, vars, func(c *framework.Config) {
		c.Logger = nil
		c.LogOutput = log
		c.Routes = logRoutes
		c.CSRFBypass = []string{"/notes/"}
		if cfg != nil {
			cfg(c)
		}
	})
	if env != framework.Test {
		migrateApp(t, app)
	}
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	return app, log
}

// TestRequestLogTellsTheStory: the lines of one request, as Rails writes
// them, each with the request's id, and the job it enqueued.
func TestRequestLogTellsTheStory(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, map[string]string{"GORAILS_LOG_LEVEL": "debug"}, nil)
	r := local("GET", "/notes/create?body=hello&password=hunter2", "")
	r.Header.Set("X-Request-Id", "req-story-1")
	if rec := do(app, r); rec.Code != http.StatusAccepted {
		t.Fatalf("GET /notes/create = %d\n%s", rec.Code, rec.Body)
	}
	out := log.String()
	out = out[strings.Index(out, "[req-story-1] Started"):] // the boot's lines before it
	want := []string{
		`[req-story-1] Started GET "/notes/create?body=hello&password=%5BFILTERED%5D" for 127.0.0.1 at `,
		`[req-story-1] Processing by NotesController#create as HTML`,
		`[req-story-1]   Parameters: {"body" => "hello", "password" => "[FILTERED]"}`,
		// The inline backend performs the job inside the enqueue call, so
		// Enqueued (written when the enqueue returns) comes last, as in Rails.
		`[req-story-1] Performing noteJob (Job ID: -) from inline(default) enqueued at `,
		`[req-story-1] DEBUG   exec (`,
		`INSERT INTO notes (body) VALUES (?)  [[1 bind]]`,
		`[req-story-1] Performed noteJob (Job ID: -) from inline(default) in `,
		`[req-story-1] Enqueued noteJob (Job ID: -) to inline(default)`,
		`[req-story-1] Completed 202 Accepted in `,
		`(DB: `, `, 1 query)`,
	}
	assertInOrder(t, out, want)
	if strings.Contains(out, "hunter2") {
		t.Errorf("the log shows a filtered param:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "[req-story-1] ") {
			t.Errorf("a line of the request lacks its id: %q", line)
		}
	}
}

func TestRequestLogOfAFormDeleteAndItsRedirect(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, nil, nil)
	rec := do(app, local("POST", "/notes/gone", "_method=delete&authenticity_token=s3cr3t-t0ken"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST _method=delete = %d\n%s", rec.Code, rec.Body)
	}
	out := log.String()
	assertInOrder(t, out, []string{
		`Started DELETE "/notes/gone" for 127.0.0.1`,
		`Processing by NotesController#destroy as HTML`,
		`Parameters: {"_method" => "delete", "authenticity_token" => "[FILTERED]", "id" => "gone"}`,
		`Redirected to /about`,
		`Completed 303 See Other in `,
	})
	if strings.Contains(out, "POST") || strings.Contains(out, "s3cr3t") {
		t.Errorf("the log names the POST or shows the token:\n%s", out)
	}
}

func TestRequestLogRendersViewsAndUnroutedRequests(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, nil, nil)
	do(app, local("GET", "/about", ""))
	do(app, local("GET", "/no/such/page", ""))
	do(app, local("GET", "/robots.txt", ""))
	assertInOrder(t, log.String(), []string{
		`Started GET "/about"`,
		`Processing by PagesController#about as HTML`,
		`  Rendered pages/about.html.tmpl within layouts/application.html.tmpl (Duration: `,
		`Completed 200 OK in `, `(Views: `,
		`Started GET "/no/such/page"`,
		`Completed 404 Not Found in `, `for GET "/no/such/page"`,
		`Started GET "/robots.txt"`,
		`Completed 200 OK in `, `for GET "/robots.txt"`,
	})
}

// A hostile path or header cannot write a line of its own.
func TestRequestLogQuotesWhatClientsSend(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, nil, nil)
	r := local("GET", "/about", "")
	r.URL.Path = "/about\nCompleted 200 OK forged"
	r.Header.Set("X-Request-Id", "bad id\nforged")
	do(app, r)
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.HasPrefix(line, "Completed 200 OK forged") || strings.HasPrefix(line, "forged") {
			t.Fatalf("a client forged a line:\n%s", log.String())
		}
	}
	if !strings.Contains(log.String(), `Started GET "/about\nCompleted 200 OK forged"`) {
		t.Errorf("the path is not quoted:\n%s", log.String())
	}
}

func TestProductionLogsJSONWithTheRequestID(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Production, nil, nil)
	r := local("GET", "/notes/create?body=json", "")
	r.Host = "localhost"
	r.Header.Set("X-Request-Id", "req-json-1")
	if rec := do(app, r); rec.Code != http.StatusAccepted {
		t.Fatalf("GET = %d\n%s", rec.Code, rec.Body)
	}
	var msgs []string
	sc := bufio.NewScanner(strings.NewReader(log.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		if line["request_id"] != "req-json-1" {
			continue
		}
		msgs = append(msgs, line["msg"].(string))
		if strings.HasPrefix(line["msg"].(string), "Completed") && (line["status"] != float64(202) || line["controller"] != "NotesController" || line["db_queries"] != float64(1)) {
			t.Errorf("the Completed line's fields: %v", line)
		}
		if line["level"] == "DEBUG" {
			t.Errorf("production logs at debug: %v", line)
		}
	}
	assertInOrder(t, strings.Join(msgs, "\n"), []string{"Started GET", "Processing by NotesController#create as HTML", "Performing", "Performed", "Enqueued", "Completed 202 Accepted"})
}

func TestLogLevelFromTheEnvironment(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, map[string]string{"GORAILS_LOG_LEVEL": "warn"}, nil)
	do(app, local("GET", "/about", ""))
	if out := log.String(); out != "" {
		t.Errorf("GORAILS_LOG_LEVEL=warn still logs the request:\n%s", out)
	}

	bad, _ := jobsApp(t, framework.Test, map[string]string{"GORAILS_LOG_LEVEL": "verbose"}, func(c *framework.Config) { c.Logger = nil })
	if err := bad.Boot(context.Background()); !errors.Is(err, framework.ErrBadLogSetting) || !strings.Contains(err.Error(), "GORAILS_LOG_LEVEL") {
		t.Errorf("GORAILS_LOG_LEVEL=verbose: boot error %v, want ErrBadLogSetting naming the variable", err)
	}
}

// TestSQLLinesShowTheAppsCallSite: development's SQL lines say which line
// of the app ran the statement (Rails' verbose query logs).
func TestSQLLinesShowTheAppsCallSite(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Development, nil, nil)
	if rec := do(app, local("POST", "/notes/x", "_method=delete")); rec.Code != http.StatusSeeOther {
		t.Fatalf("DELETE = %d\n%s", rec.Code, rec.Body)
	}
	out := log.String()
	re := regexp.MustCompile(`DEBUG   exec \([0-9.]+ms\)  DELETE FROM notes WHERE body = \?  \[\[1 bind\]\]\n(\[[0-9a-f]+\] )?DEBUG   ↳ .*logging_test\.go:\d+ NotesController\.Destroy\n`)
	if !re.MatchString(out) {
		t.Errorf("no SQL line with its call site:\n%s", out)
	}
}

// assertInOrder checks that out holds each of want, in order.
func assertInOrder(t *testing.T, out string, want []string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the log lacks %q (in order):\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

// TestMultiLineSQLIsOneLogLine: a statement written over several lines is
// one record, on one line of the text log, its white space collapsed
// outside its literals; JSON keeps the statement as run in its sql field.
func TestMultiLineSQLIsOneLogLine(t *testing.T) {
	t.Parallel()
	const stmt = "SELECT id,\n       body\n  FROM notes\n WHERE body = 'two  spaces'\n   AND id > ?\n"
	for _, env := range []framework.Env{framework.Development, framework.Production} {
		t.Run(string(env), func(t *testing.T) {
			t.Parallel()
			app, log := logApp(t, env, map[string]string{"GORAILS_LOG_LEVEL": "debug"}, nil)
			if _, err := app.DB.Exec(context.Background(), stmt, 0); err != nil {
				t.Fatal(err)
			}
			// A failing one's error, whatever it holds, stays on its line too.
			_, _ = app.DB.Exec(context.Background(), "SELECT nope\n  FROM nowhere")
			var lines []string
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "notes") && strings.Contains(l, "SELECT") || strings.Contains(l, "nowhere") {
					lines = append(lines, l)
				}
			}
			for _, l := range strings.Split(log.String(), "\n") {
				if t := strings.TrimSpace(l); strings.HasPrefix(t, "FROM") || strings.HasPrefix(t, "WHERE") || strings.HasPrefix(t, "AND") || strings.HasPrefix(t, "body") {
					lines = append(lines, "a continuation line: "+l)
				}
			}
			if len(lines) != 2 {
				t.Fatalf("want one line per statement, got %d:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			const flat = "SELECT id, body FROM notes WHERE body = 'two  spaces' AND id > ?"
			if env == framework.Development {
				if !strings.Contains(lines[0], "  "+flat+"  [[1 bind]]") {
					t.Errorf("the statement is not collapsed: %q", lines[0])
				}
				if !strings.Contains(lines[1], "SELECT nope FROM nowhere  failed: ") {
					t.Errorf("the failed statement: %q", lines[1])
				}
				return
			}
			var rec struct{ Msg, SQL string }
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatalf("%q: %v", lines[0], err)
			}
			if !strings.Contains(rec.Msg, flat) || rec.SQL != stmt {
				t.Errorf("JSON msg %q, sql %q", rec.Msg, rec.SQL)
			}
		})
	}
}

// TestTextLogEscapesControlCharacters: a message with a newline (an
// error's text) or a terminal escape is one line, escaped.
func TestTextLogEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Test, nil, nil)
	app.Logger.Warn("pq: syntax error\nDETAIL: here\r\x1b[31m\tred")
	want := "WARN pq: syntax error\\nDETAIL: here\\r\\x1b[31m\tred\n"
	if got := log.String(); !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want a line ending %q", got, want)
	}
}

// TestCacheLinesInTheDevelopmentLog: App.Cache reports Rails' cache events
// on the app's bus, and development's log shows them at debug level.
func TestCacheLinesInTheDevelopmentLog(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Development, nil, nil)
	ctx := event.WithRequestID(context.Background(), "req-cache")
	for range 2 {
		if _, err := cache.Fetch(ctx, app.Cache, "stats/posts", cache.Options{}, func() (int, error) { return 20, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Cache.Delete(ctx, "stats/posts"); err != nil {
		t.Fatal(err)
	}
	out := log.String()
	re := regexp.MustCompile(`^\[req-cache\] DEBUG   Cache (read|generate|write|fetch_hit|delete): stats/posts (\((hit|miss)\) )?\([0-9.]+ms\)$`)
	var ops []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Cache ") {
			if !re.MatchString(l) {
				t.Errorf("a cache line of the wrong shape: %q", l)
			}
			ops = append(ops, strings.SplitN(strings.SplitN(l, "Cache ", 2)[1], ":", 2)[0]+strings.Repeat(" hit", strings.Count(l, "(hit)")))
		}
	}
	if got := strings.Join(ops, ","); got != "read,generate,write,read hit,fetch_hit,delete" {
		t.Errorf("cache lines %s:\n%s", got, out)
	}

	// The multi-key calls and the counters show a line each too.
	mark := len(log.String())
	keys := []cache.Key{{Name: "posts/1"}, {Name: "posts/2"}}
	if err := cache.WriteMulti(ctx, app.Cache, map[cache.Key]int{keys[0]: 1}, cache.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.ReadMulti[int](ctx, app.Cache, keys); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.FetchMulti(ctx, app.Cache, keys, cache.Options{}, func(missing []cache.Key) ([]int, error) { return []int{2}, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Cache.Increment(ctx, "views", 3, cache.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Cache.Decrement(ctx, "views", 1, cache.Options{}); err != nil {
		t.Fatal(err)
	}
	multi := regexp.MustCompile(`(?m)^\[req-cache\] DEBUG   Cache (\w+): (.*) \([0-9.]+ms\)$`)
	var lines []string
	for _, m := range multi.FindAllStringSubmatch(log.String()[mark:], -1) {
		lines = append(lines, m[1]+": "+m[2])
	}
	want := []string{
		"write_multi: posts/1",
		"read_multi: posts/1, posts/2 (1 of 2 hit)",
		"read_multi: posts/1, posts/2 (1 of 2 hit) (fetch_multi)",
		"write_multi: posts/2",
		"increment: views (by 3)",
		"decrement: views (by 1)",
	}
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("cache lines\n%s\nwant\n%s\nlog:\n%s", got, strings.Join(want, "\n"), log.String()[mark:])
	}

	// At info level (production's, or GORAILS_LOG_LEVEL=info) they are not shown.
	quiet, qlog := logApp(t, framework.Development, map[string]string{"GORAILS_LOG_LEVEL": "info"}, nil)
	_, _, _ = cache.Read[int](ctx, quiet.Cache, "stats/posts", cache.Options{})
	if strings.Contains(qlog.String(), "Cache read") {
		t.Errorf("info level shows cache lines:\n%s", qlog.String())
	}
}

// TestProductionLogBuffersOnlyWhileRequestsRun: production's log holds
// lines back only while a request is in flight; an idle server's lines
// are out at once, and Close writes out what is held.
func TestProductionLogBuffersOnlyWhileRequestsRun(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Production, nil, nil)
	r := local("GET", "/notes/create?body=x", "")
	r.Host = "localhost"
	do(app, r)
	if !strings.Contains(log.String(), `"msg":"Completed 202 Accepted`) {
		t.Fatalf("the request's lines are not out once it completed:\n%s", log.String())
	}
	app.Logger.Info("idle line")
	if !strings.Contains(log.String(), "idle line") {
		t.Fatal("a line logged with no request in flight was held back")
	}
	// A request in flight (its start seen, its end not yet).
	ctx := app.Events.Start(context.Background(), &event.StartRequest{Method: "GET", Path: "/slow", RemoteIP: "127.0.0.1"})
	app.Logger.InfoContext(ctx, "held line")
	if strings.Contains(log.String(), "held line") {
		t.Fatal("a line logged while a request is in flight was not buffered")
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "held line") || !strings.Contains(log.String(), `"msg":"Started GET \"/slow\"`) {
		t.Fatalf("Close did not write out the buffered lines:\n%s", log.String())
	}
}

// TestDatabaseJobLogsTheRequestID: a job enqueued during a request on the
// database backend is performed by a worker with that request's id (the
// meta column carries it), and an app whose jobs table predates the
// column keeps working, its jobs run without the id.
func TestDatabaseJobLogsTheRequestID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		upgraded bool
	}{
		{"the meta column carries the request id", true},
		{"a table created before the meta column still runs jobs", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app, log := logApp(t, framework.Development, map[string]string{"GORAILS_JOB_BACKEND": "database"}, func(c *framework.Config) {
				if tc.upgraded {
					c.Migrations = func() []migrate.Migration { return append(notesMigrations(), job.MetaMigration()) }
				}
			})
			r := local("GET", "/notes/create?body=carried", "")
			r.Header.Set("X-Request-Id", "req-meta-1")
			if rec := do(app, r); rec.Code != http.StatusAccepted {
				t.Fatalf("GET /notes/create = %d\n%s", rec.Code, rec.Body)
			}
			w, err := job.NewWorker(app.Jobs, job.WorkerConfig{PollInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			for deadline := time.Now().Add(30 * time.Second); !strings.Contains(log.String(), "Performed noteJob"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the job was not performed:\n%s", log.String())
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			out := log.String()
			performing := regexp.MustCompile(`(?m)^(\[req-meta-1\] )?Performing noteJob \(Job ID: \d+\) from database\(default\)`).FindStringSubmatch(out)
			if performing == nil {
				t.Fatalf("no Performing line for the database job:\n%s", out)
			}
			if carried := performing[1] != ""; carried != tc.upgraded {
				t.Errorf("request id on the job's lines = %v, want %v:\n%s", carried, tc.upgraded, out)
			}
		})
	}
}

// TestParametersAreBuiltOnlyWhenLogged: the subscriber asks the
// StartProcessing event for its filtered params only when its level logs
// the Parameters line, so a warn-level log skips the copy.
func TestParametersAreBuiltOnlyWhenLogged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		level     slog.Level
		wantCalls int
		wantLine  bool
	}{
		{slog.LevelDebug, 1, true},
		{slog.LevelInfo, 1, true},
		{slog.LevelWarn, 0, false},
	} {
		t.Run(tc.level.String(), func(t *testing.T) {
			var out strings.Builder
			bus := event.New()
			s := &framework.LogSubscriber{Logger: slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: tc.level}))}
			defer s.Subscribe(bus)()
			calls := 0
			bus.Emit(context.Background(), event.NewStartProcessing("PostsController", "show", "JSON", "GET", "/posts/1", func() map[string]any {
				calls++
				return map[string]any{"id": "1"}
			}))
			if calls != tc.wantCalls {
				t.Errorf("Params built %d times, want %d", calls, tc.wantCalls)
			}
			if got := strings.Contains(out.String(), `Parameters: {\"id\" => \"1\"}`); got != tc.wantLine {
				t.Errorf("Parameters line logged = %v, want %v; log:\n%s", got, tc.wantLine, out.String())
			}
		})
	}
}

// TestRetriedDeadlockIsADebugLine: a failed statement is a warning, but a
// deadlock its caller runs again at once (event.SQL's Retried, set under
// record.RetryingDeadlock) is a debug line: only an exhausted retry warns.
func TestRetriedDeadlockIsADebugLine(t *testing.T) {
	t.Parallel()
	app, log := logApp(t, framework.Development, nil, nil)
	ctx := event.WithRequestID(context.Background(), "req-sql")
	deadlock := errors.New("Error 1213 (40001): Deadlock found when trying to get lock")
	for _, retried := range []bool{true, false} {
		e := event.NewSQL("exec", "UPDATE gorails_jobs SET state = 'available'", 0, time.Now(), time.Millisecond, deadlock, nil)
		e.Retried = retried
		app.Events.Emit(ctx, e)
	}
	var levels []string
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if strings.Contains(l, "Deadlock found") {
			levels = append(levels, strings.Fields(l)[1])
		}
	}
	if got := strings.Join(levels, ","); got != "DEBUG,WARN" {
		t.Errorf("the retried and the last deadlock are logged at %s, want DEBUG,WARN:\n%s", got, log.String())
	}
}

// TestFailedStatementIsLoggedAtEveryLevelUpToWarn: the log subscriber
// subscribes to SQL events by level (debug), and record reports a failed
// statement whether or not anyone wants SQL events, so its warning is
// written at info and warn as at debug; a statement that succeeds is
// written at debug only.
func TestFailedStatementIsLoggedAtEveryLevelUpToWarn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level      string
		wantOK     bool // the succeeding statement's debug line
		wantFailed bool
	}{
		{"debug", true, true},
		{"info", false, true},
		{"warn", false, true},
		{"error", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			t.Parallel()
			app, log := logApp(t, framework.Production, map[string]string{"GORAILS_LOG_LEVEL": tt.level}, nil)
			if _, err := app.DB.Exec(context.Background(), "SELECT 1 AS succeeding"); err != nil {
				t.Fatal(err)
			}
			if _, err := app.DB.Exec(context.Background(), "SELECT nope FROM nowhere_to_be_found"); err == nil {
				t.Fatal("the bad statement ran")
			}
			out := log.String()
			if got := strings.Contains(out, "succeeding"); got != tt.wantOK {
				t.Errorf("the succeeding statement logged: %v, want %v\n%s", got, tt.wantOK, out)
			}
			failed := regexp.MustCompile(`"level":"WARN","msg":"  exec \([0-9.]+ms\)  SELECT nope FROM nowhere_to_be_found  failed: `)
			if got := failed.MatchString(out); got != tt.wantFailed {
				t.Errorf("the failed statement's warning logged: %v, want %v\n%s", got, tt.wantFailed, out)
			}
		})
	}
}

// TestLogSubscriberBuildsNoEventItsLevelDrops: with the default logger at
// warn, the log subscriber wants none of the info and debug events (so the
// controller builds no StartProcessing, the views no RenderTemplate), and
// wants them again when the level is lowered at run time.
func TestLogSubscriberBuildsNoEventItsLevelDrops(t *testing.T) {
	t.Parallel()
	app, _ := logApp(t, framework.Test, map[string]string{"GORAILS_LOG_LEVEL": "warn"}, nil)
	quiet := []event.Kind{event.KindStartRequest, event.KindStartProcessing, event.KindRedirect, event.KindRenderTemplate, event.KindRenderPartial, event.KindSQL, event.KindCacheRead, event.KindPerformStart}
	for _, k := range quiet {
		if app.Events.Enabled(k) {
			t.Errorf("at warn, kind %d is enabled", k)
		}
	}
	for _, k := range []event.Kind{event.KindProcessAction, event.KindPerformJob, event.KindEnqueueJob} {
		if !app.Events.Enabled(k) {
			t.Errorf("at warn, kind %d (it has error lines) is not enabled", k)
		}
	}
	level := &slog.LevelVar{}
	level.Set(slog.LevelWarn)
	ls := &framework.LogSubscriber{Logger: slog.New(slog.NewTextHandler(&syncLog{}, &slog.HandlerOptions{Level: level}))}
	bus := event.New()
	defer ls.Subscribe(bus)()
	if bus.Enabled(event.KindSQL) || bus.Enabled(event.KindStartProcessing) {
		t.Fatal("slog's text handler at warn: debug and info events enabled")
	}
	level.Set(slog.LevelDebug)
	if !bus.Enabled(event.KindSQL) || !bus.Enabled(event.KindStartProcessing) {
		t.Fatal("the level lowered to debug: its events are not enabled")
	}
}
