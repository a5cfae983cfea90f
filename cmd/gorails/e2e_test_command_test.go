package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGorailsTestRunsTheAppsTestsWithTheKit generates an app with a model,
// a controller and a job (each with its kit test and the model's
// fixtures), adds a test that writes, and runs `gorails test` twice: the
// second run sees the same database as the first (the writes rolled
// back), as the "count 0 -> 1 across two runs" asked.
func TestGorailsTestRunsTheAppsTestsWithTheKit(t *testing.T) {
	dir := generateApp(t, "kitapp")
	for _, args := range [][]string{
		{"generate", "model", "Post", "title:string", "body:text", "published:boolean"},
		{"generate", "controller", "Pages", "home"},
		{"generate", "job", "Notify"},
		{"db:migrate"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	writes := `package models_test

import (
	"testing"

	"github.com/gorails/gorails/framework/record"

	"kitapp/app/models"
)

func TestWritesAreRolledBack(t *testing.T) {
	tc := app.Test(t)
	n, err := record.Query[models.Post](tc.DB()).Count(tc.Context())
	if err != nil || n != 2 {
		t.Fatalf("%d posts before the write (%v), want the 2 fixtures", n, err)
	}
	if err := record.Create(tc.Context(), tc.DB(), &models.Post{Title: "written"}); err != nil {
		t.Fatal(err)
	}
}
`
	if err := os.WriteFile(filepath.Join(dir, "app", "models", "writes_test.go"), []byte(writes), 0o644); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		out, code := runCLI(t, dir, "test", "-count=1", "-v")
		if code != 0 {
			t.Fatalf("gorails test (run %d): exit %d\n%s", run, code, out)
		}
		for _, want := range []string{"--- PASS: TestWritesAreRolledBack", "--- PASS: TestPost", "--- PASS: TestPages", "--- PASS: TestNotifyJob", "--- PASS: TestWelcomeController", "ok  \tkitapp/app/models"} {
			if !strings.Contains(out, want) {
				t.Errorf("gorails test (run %d) output lacks %q:\n%s", run, want, out)
			}
		}
	}
	// A package that names no package runs them all; one that does, only it.
	out, code := runCLI(t, dir, "test", "-run", "TestNotifyJob", "./app/jobs")
	if code != 0 || !strings.Contains(out, "kitapp/app/jobs") || strings.Contains(out, "kitapp/app/models") {
		t.Errorf("gorails test -run TestNotifyJob ./app/jobs: exit %d\n%s", code, out)
	}
}
