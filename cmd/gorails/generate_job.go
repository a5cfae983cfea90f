package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
)

// generateJobCommand is `gorails generate job NAME [--queue QUEUE]`.
func generateJobCommand() *cobra.Command {
	var (
		force bool
		queue string
	)
	cmd := &cobra.Command{
		Use:   "job NAME",
		Short: "Generate a background job and its test",
		Long: `Generate app/jobs/NAME_job.go (a job type with typed arguments, a Perform
method and a Register function for the app's job client) and
app/jobs/NAME_job_test.go, which enqueues and performs it with the testing
kit (framework/gorailstest), and register it in func Register of
app/jobs/jobs.go.`,
		Example: "  gorails generate job SendWelcomeEmail\n  gorails g job cleanup_sessions --queue low",
		Args:    exactArgs(1, "give the job's name, e.g. gorails generate job SendWelcomeEmail"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			return generateJob(root, args[0], queue, force, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	cmd.Flags().StringVar(&queue, "queue", "default", "the queue the job runs on")
	return cmd
}

// jobData is what templates/job renders with.
type jobData struct {
	Module string // the app's module path
	File   string // "send_welcome_email"
	Type   string // "SendWelcomeEmail"
	Queue  string
}

var (
	jobNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	queueNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

func newJobData(root, name, queue string) (jobData, error) {
	if !jobNameRE.MatchString(name) {
		return jobData{}, fmt.Errorf("invalid job name %q: use letters, digits and '_', starting with a letter (SendWelcomeEmail)", name)
	}
	if !queueNameRE.MatchString(queue) {
		return jobData{}, fmt.Errorf("invalid queue name %q: use lower-case letters, digits and '_' (default, mailers)", queue)
	}
	file := strings.TrimSuffix(inflect.Underscore(name), "_job")
	if file == "" || file == "job" {
		return jobData{}, fmt.Errorf("invalid job name %q: name what the job does (SendWelcomeEmail)", name)
	}
	module, err := appModule(root)
	if err != nil {
		return jobData{}, err
	}
	return jobData{Module: module, File: file, Type: camelize(file), Queue: queue}, nil
}

// jobsFile registers the app's jobs: func Register(app *framework.App) error.
const jobsFile = "app/jobs/jobs.go"

// readJobsFile returns the path of app/jobs/jobs.go under root and its text
// (none when an app made before jobs has no such file).
func readJobsFile(root string) (string, []byte, error) {
	p := filepath.Join(root, filepath.FromSlash(jobsFile))
	src, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, err
	}
	return p, src, nil
}

// registerLine is the line generate adds to func Register for a job.
func registerLine(d jobData) string { return "\tRegister" + d.Type + "(app.Jobs)" }

// registerFunc returns the lines of jobs.go and the index of the return
// statement that ends func Register, or -1 when the file is not in that
// shape.
func registerFunc(src []byte) ([]string, int) {
	lines := strings.Split(string(src), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "func Register(app *framework.App) error {") })
	if start < 0 {
		return lines, -1
	}
	for i := start + 1; i < len(lines); i++ {
		if lines[i] == "}" {
			if strings.HasPrefix(lines[i-1], "\treturn ") {
				return lines, i - 1
			}
			return lines, -1
		}
	}
	return lines, -1
}

// generateJob writes app/jobs/NAME_job.go and its test and registers the job
// in app/jobs/jobs.go. Nothing is written when a file exists and differs
// (without force). A jobs.go that is not in the generated shape is left
// alone, with a note saying what to add.
func generateJob(root, name, queue string, force bool, out io.Writer) error {
	d, err := newJobData(root, name, queue)
	if err != nil {
		return err
	}
	files, err := renderGo("job", d)
	if err != nil {
		return err
	}
	if err := generator.Write(root, files, force, out); err != nil {
		return err
	}
	line := registerLine(d)
	p, src, err := readJobsFile(root)
	if err != nil {
		return err
	}
	lines, at := registerFunc(src)
	switch {
	case slices.Contains(lines, line):
		return nil
	case at < 0:
		generator.Status(out, "note", fmt.Sprintf("register the job at boot: add %s to func Register(app *framework.App) error in %s", strings.TrimSpace(line), jobsFile))
		return nil
	}
	edited := slices.Concat(lines[:at], []string{line}, lines[at:])
	if err := os.WriteFile(p, []byte(strings.Join(edited, "\n")), 0o644); err != nil {
		return err
	}
	generator.Status(out, "register", strings.TrimSpace(line)+" in "+jobsFile)
	return nil
}

// destroyJob removes what generateJob created, and its line in jobs.go.
func destroyJob(root, name string, out io.Writer) error {
	d, err := newJobData(root, name, "default") // the queue does not matter here
	if err != nil {
		return err
	}
	p, src, err := readJobsFile(root)
	if err != nil {
		return err
	}
	lines := strings.Split(string(src), "\n")
	if i := slices.Index(lines, registerLine(d)); i >= 0 {
		if err := os.WriteFile(p, []byte(strings.Join(slices.Delete(lines, i, i+1), "\n")), 0o644); err != nil {
			return err
		}
		generator.Status(out, "unregister", strings.TrimSpace(registerLine(d))+" in "+jobsFile)
	}
	return generator.Remove(root, []string{"app/jobs/" + d.File + "_job.go", "app/jobs/" + d.File + "_job_test.go"}, out)
}

// destroyJobCommand is `gorails destroy job NAME`.
func destroyJobCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "job NAME",
		Short: "Remove a generated job, its test and its line in app/jobs/jobs.go",
		Long: `Remove app/jobs/NAME_job.go and its test, and the Register line generate
added to app/jobs/jobs.go. Jobs of this kind still queued will find no job
to run them: let them drain first.`,
		Example: "  gorails destroy job SendWelcomeEmail",
		Args:    exactArgs(1, "give the job's name, e.g. gorails destroy job SendWelcomeEmail"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			return destroyJob(root, args[0], cmd.OutOrStdout())
		},
	}
}
