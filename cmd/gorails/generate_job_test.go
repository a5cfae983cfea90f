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
	})
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
			err := generateJob(root, tt.name, tt.queue, false, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if _, serr := os.Stat(filepath.Join(root, "app", "jobs")); serr == nil {
					t.Fatal("a refused name wrote app/jobs")
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
