package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// request sends body (JSON unless it starts with a form field) with the
// headers a browser's same-origin fetch has, and returns the status, the
// Location and the body.
func request(t *testing.T, method, url, body string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Content-Type", "application/json")
	if strings.Contains(body, "=") && !strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// TestJSONBodyCannotSetAnUnpermittedAttribute is issue 15's probe against a
// scaffold whose controller does not permit admin: neither a nested nor a
// bare JSON body sets it, a value that does not convert is a 400 naming the
// field, and the JSON is Rails' shape (snake_case, 201/422/204/404).
func TestJSONBodyCannotSetAnUnpermittedAttribute(t *testing.T) {
	dir := generateApp(t, "accounts")
	if out, code := runCLI(t, dir, "generate", "scaffold", "User", "name:string", "admin:boolean", "age:integer"); code != 0 {
		t.Fatalf("generate scaffold: exit %d\n%s", code, out)
	}
	// The app's author decides that admin is not for forms.
	ctrl := filepath.Join(dir, "app", "controllers", "users_controller.go")
	src, err := os.ReadFile(ctrl)
	if err != nil {
		t.Fatal(err)
	}
	permit := `Permit("name", "admin", "age")`
	if !strings.Contains(string(src), permit) {
		t.Fatalf("the controller does not permit what the test expects:\n%s", src)
	}
	if err := os.WriteFile(ctrl, []byte(strings.Replace(string(src), permit, `Permit("name", "age")`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	srv := startServer(t, dir)
	users := srv.base + "/users"

	for _, body := range []string{`{"user":{"name":"m","admin":true}}`, `{"name":"m","admin":true}`, `user[name]=m&user[admin]=1`} {
		code, loc, out := request(t, "POST", users, body)
		if code != http.StatusCreated || !strings.HasPrefix(loc, "/users/") {
			t.Fatalf("POST %s: %d %q\n%s", body, code, loc, out)
		}
		var u map[string]any
		if err := json.Unmarshal([]byte(out), &u); err != nil {
			t.Fatalf("POST %s: %v\n%s", body, err, out)
		}
		if u["admin"] != false || u["name"] != "m" {
			t.Errorf("POST %s stored %s: admin must stay false", body, out)
		}
		for _, key := range []string{"id", "name", "admin", "age", "created_at", "updated_at"} {
			if _, ok := u[key]; !ok {
				t.Errorf("the JSON lacks the snake_case key %q: %s", key, out)
			}
		}
	}

	code, _, out := request(t, "POST", users, `{"user":{"name":"m","age":"forty"}}`)
	if code != http.StatusBadRequest || !strings.Contains(out, "age") {
		t.Errorf("a value that does not convert: %d, want 400 naming age\n%.300s", code, out)
	}
	code, _, out = request(t, "POST", users, `user[name]=m&user[age]=12abc`)
	if code != http.StatusBadRequest || !strings.Contains(out, "age") {
		t.Errorf("a form value that does not convert: %d, want 400 naming age\n%.300s", code, out)
	}
	code, _, out = request(t, "POST", users, `{}`)
	if code != http.StatusBadRequest || !strings.Contains(out, "user") {
		t.Errorf("an empty body: %d, want 400 naming the missing user\n%.300s", code, out)
	}

	code, _, out = request(t, "GET", users, "")
	if code != http.StatusOK || !strings.HasPrefix(out, "[{") {
		t.Errorf("GET /users as JSON: %d %.200s", code, out)
	}
	// Times are Rails' (ISO 8601 with milliseconds and the zone), in the
	// index and in show.
	railsTime := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	var index []map[string]any
	if err := json.Unmarshal([]byte(out), &index); err != nil || len(index) == 0 {
		t.Fatalf("GET /users as JSON: %v\n%s", err, out)
	}
	code, _, shown := request(t, "GET", users+"/1.json", "")
	var show map[string]any
	if err := json.Unmarshal([]byte(shown), &show); code != http.StatusOK || err != nil {
		t.Fatalf("GET /users/1.json: %d %v\n%s", code, err, shown)
	}
	for what, rec := range map[string]map[string]any{"index": index[0], "show": show} {
		for _, key := range []string{"created_at", "updated_at"} {
			if v, _ := rec[key].(string); !railsTime.MatchString(v) {
				t.Errorf("%s JSON: %s = %q, want Rails' format (2026-12-05T10:31:02.123Z)", what, key, rec[key])
			}
		}
	}
	// A JSON request that fails gets JSON in development, not the HTML
	// debug page: Rails' body for an API request.
	for _, target := range []string{users + "/999999", users + "/999999.json"} {
		code, _, out = request(t, "GET", target, "")
		var e struct {
			Status    int                         `json:"status"`
			Error     string                      `json:"error"`
			Exception string                      `json:"exception"`
			Traces    map[string][]map[string]any `json:"traces"`
		}
		if err := json.Unmarshal([]byte(out), &e); code != http.StatusNotFound || err != nil || e.Status != 404 ||
			e.Error != "Not Found" || !strings.Contains(e.Exception, "UsersController#show") || e.Traces["Application Trace"] == nil {
			t.Errorf("GET a missing user %s: %d, %v\n%.400s", target, code, err, out)
		}
	}
	code, _, out = request(t, "POST", users, `{}`)
	if code != http.StatusBadRequest || !strings.HasPrefix(out, `{"status":400,"error":"Bad Request","exception":`) {
		t.Errorf("a params error as JSON: %d %.300s", code, out)
	}
	code, _, out = request(t, "PATCH", users+"/1", `{"user":{"age":41,"admin":true}}`)
	if code != http.StatusOK || !strings.Contains(out, `"age":41`) || !strings.Contains(out, `"admin":false`) {
		t.Errorf("PATCH /users/1: %d %s", code, out)
	}
	code, _, _ = request(t, "DELETE", users+"/1", "")
	if code != http.StatusNoContent {
		t.Errorf("DELETE /users/1: %d, want 204", code)
	}
}

// TestScaffoldSystemTestPassesInANewApp: generate scaffold writes
// test/system/PLURAL_test.go (Rails' test/system/posts_test.rb), and it
// passes in headless Chromium in a new app, every field type included
// (a select for references, a checkbox, date and time inputs, a unique
// field), through `gorails test`.
func TestScaffoldSystemTestPassesInANewApp(t *testing.T) {
	if _, err := chromium(); err != nil {
		noBrowser(t, err)
	}
	dir := generateApp(t, "systemapp")
	for _, args := range [][]string{
		{"generate", "scaffold", "Author", "name:string"},
		{"generate", "scaffold", "Post", "title:string", "body:text", "published:boolean", "author:references", "views:integer",
			"rating:decimal", "published_on:date", "starts_at:datetime", "reminder:time", "meta:json", "token:uuid:uniq"},
		{"db:migrate"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	t.Setenv("CI", "true") // the system tests must run, not skip
	out, code := runCLI(t, dir, "test", "-count=1", "-v", "./test/system")
	if code != 0 {
		t.Fatalf("gorails test ./test/system: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"--- PASS: TestAuthors/should_create_author", "--- PASS: TestAuthors/should_destroy_Author",
		"--- PASS: TestPosts/visiting_the_index", "--- PASS: TestPosts/should_create_post",
		"--- PASS: TestPosts/should_update_Post", "--- PASS: TestPosts/should_destroy_Post",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gorails test lacks %q\n%s", want, out)
		}
	}
	// destroy scaffold removes the system test (the shared app_test.go stays).
	if out, code := runCLI(t, dir, "destroy", "scaffold", "Post"); code != 0 || !strings.Contains(out, "test/system/posts_test.go") {
		t.Fatalf("destroy scaffold: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "test", "system", "posts_test.go")); !os.IsNotExist(err) {
		t.Errorf("destroy scaffold left test/system/posts_test.go: %v", err)
	}
}

// TestScaffoldEdgeCasesPassTheirOwnTests: the tests generate scaffold
// writes pass in a new app for a unique field of every type that has one,
// including a resource whose only field is unique (its update test must
// still send the resource's params), and for a resource with no fields yet
// (its forms send no params: Rails' params.fetch(:note, {})). The create
// and update samples differ from each other and from the fixtures, which
// the unique index would otherwise refuse.
func TestScaffoldEdgeCasesPassTheirOwnTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a generated app")
	}
	dir := generateApp(t, "uniqapp")
	steps := [][]string{{"generate", "scaffold", "Tag", "name:string:uniq"}, {"generate", "scaffold", "Note"}}
	for _, ty := range []string{"text", "integer", "bigint", "float", "decimal", "date", "datetime", "time", "uuid"} {
		steps = append(steps, []string{"generate", "scaffold", "Unique" + strings.ToUpper(ty[:1]) + ty[1:], "value:" + ty + ":uniq", "note:string"})
	}
	steps = append(steps, []string{"db:migrate"})
	for _, args := range steps {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	out, code := runCLI(t, dir, "test", "-count=1", "./app/...")
	if code != 0 {
		t.Fatalf("gorails test ./app/...: exit %d\n%s", code, out)
	}
}
