// Package jobs holds the blog application's background jobs. Add one
// with `gorails generate job NAME`; run them with `gorails jobs` (in
// development `gorails server` runs them too).
package jobs

import "github.com/gorails/gorails/framework"

// Register registers the app's jobs on app.Jobs at boot (config/application.go
// passes it as RegisterJobs). `gorails generate job` adds a line here. Give
// a job its dependencies where you register it, and add recurring jobs:
//
//	report := RegisterDailyReport(app.Jobs)
//	every, err := job.Every("daily report", "0 6 * * *", report, DailyReportArgs{})
//	if err != nil {
//		return err
//	}
//	app.RecurringJobs = append(app.RecurringJobs, every)
//
// Enqueue a job from a controller with
// job.For[jobs.DailyReportArgs](c.Jobs()).PerformLater(ctx, jobs.DailyReportArgs{}).
func Register(app *framework.App) error {
	return nil
}
