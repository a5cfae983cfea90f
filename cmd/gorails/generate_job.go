package main

import (
	"fmt"
	"io"
	"regexp"
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
app/jobs/NAME_job_test.go, which runs it with the inline backend.`,
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

// generateJob writes app/jobs/NAME_job.go and its test. Nothing is written
// when a file exists and differs (without force).
func generateJob(root, name, queue string, force bool, out io.Writer) error {
	d, err := newJobData(root, name, queue)
	if err != nil {
		return err
	}
	files, err := renderGo("job", d)
	if err != nil {
		return err
	}
	return generator.Write(root, files, force, out)
}
