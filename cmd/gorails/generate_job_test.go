package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateJobGolden pins what `gorails generate job SendWelcomeEmail
// --queue mailers` writes and prints against testdata/golden/job.
func TestGenerateJobGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	if err := generateJob(root, "SendWelcomeEmail", "mailers", false, &out); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "job/send_welcome_email", map[string]string{
		"output.txt":                              out.String(),
		"app/jobs/send_welcome_email_job.go":      readFile(t, root, "app/jobs/send_welcome_email_job.go"),
		"app/jobs/send_welcome_email_job_test.go": readFile(t, root, "app/jobs/send_welcome_email_job_test.go"),
		"app/jobs/jobs.go":                        readFile(t, root, "app/jobs/jobs.go"),
	})
}

// TestGenerateAndDestroyJobRegistration: generate adds one Register line to
// app/jobs/jobs.go (once, however often it runs), destroy takes it out and
// leaves the file as it was; a jobs.go in another shape is left alone with a
// note.
func TestGenerateAndDestroyJobRegistration(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	before := readFile(t, root, jobsFile)
	for range 2 {
		if err := generateJob(root, "Cleanup", "default", true, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	after := readFile(t, root, jobsFile)
	if strings.Count(after, "RegisterCleanup(app.Jobs)") != 1 || !strings.Contains(after, "RegisterCleanup(app.Jobs)\n\treturn nil\n}") {
		t.Fatalf("jobs.go after generate:\n%s", after)
	}
	var out bytes.Buffer
	if err := destroyJob(root, "Cleanup", &out); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, root, jobsFile); got != before {
		t.Fatalf("jobs.go after destroy:\n%s\nwant:\n%s", got, before)
	}
	for _, f := range []string{"cleanup_job.go", "cleanup_job_test.go"} {
		if _, err := os.Stat(filepath.Join(root, "app", "jobs", f)); err == nil {
			t.Errorf("destroy left app/jobs/%s", f)
		}
	}
	if !strings.Contains(out.String(), "unregister") || !strings.Contains(out.String(), "remove") {
		t.Errorf("destroy printed %q", out.String())
	}

	custom := "package jobs\n\nfunc Register(app *framework.App) error {\n\treturn registerAll(app)\n\t// done\n}\n"
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(jobsFile)), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := generateJob(root, "Cleanup", "default", false, &out); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, root, jobsFile); got != custom {
		t.Errorf("generate edited a jobs.go of another shape:\n%s", got)
	}
	if !strings.Contains(out.String(), "add RegisterCleanup(app.Jobs) to func Register") {
		t.Errorf("generate printed %q, want a note saying what to add", out.String())
	}
}

func TestGenerateJobNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, queue string
		file        string // the job file written, "" when the name is refused
		wantErr     string
	}{
		{name: "SendWelcomeEmail", queue: "default", file: "send_welcome_email_job.go"},
		{name: "send_welcome_email", queue: "default", file: "send_welcome_email_job.go"},
		{name: "CleanupJob", queue: "low", file: "cleanup_job.go"},
		{name: "2fast", queue: "default", wantErr: "invalid job name"},
		{name: "Job", queue: "default", wantErr: "invalid job name"},
		{name: "Cleanup", queue: "Low Priority", wantErr: "invalid queue name"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" on "+tt.queue, func(t *testing.T) {
			root := newTestApp(t)
			jobsBefore := readFile(t, root, jobsFile)
			err := generateJob(root, tt.name, tt.queue, false, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if entries, _ := os.ReadDir(filepath.Join(root, "app", "jobs")); len(entries) != 1 {
					t.Fatalf("a refused name wrote into app/jobs: %d files", len(entries))
				}
				if readFile(t, root, jobsFile) != jobsBefore {
					t.Fatal("a refused name edited app/jobs/jobs.go")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			readFile(t, root, "app/jobs/"+tt.file)
		})
	}
}

func TestGenerateJobKeepsAChangedFile(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	if err := generateJob(root, "Cleanup", "default", false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "app", "jobs", "cleanup_job.go")
	if err := os.WriteFile(p, []byte("package jobs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generateJob(root, "Cleanup", "default", false, &bytes.Buffer{}); err == nil {
		t.Fatal("generate over a changed file succeeded without --force")
	}
	if err := generateJob(root, "Cleanup", "default", true, &bytes.Buffer{}); err != nil {
		t.Fatalf("with --force: %v", err)
	}
}
