package migrate

import (
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record/migrate"
)

// CreateGorailsJobs creates the gorails_jobs table, where the database job
// backend keeps the app's background jobs.
func CreateGorailsJobs() migrate.Migration { return job.Migration() }
