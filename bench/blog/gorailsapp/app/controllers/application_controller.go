// Package controllers holds the blog application's controllers.
package controllers

import (
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
)

// ApplicationController is embedded by every controller of the app: what it
// holds and declares, they all share. Exported fields, here and in the
// controllers, are what views read ({{.Data.Field}}); the app's services
// are unexported, so no view sees them.
type ApplicationController struct {
	controller.Base
	db   *record.DB
	jobs *job.Client
}

// Callbacks declares what runs around every action of every controller
// (cb.Before, cb.After, cb.Around, RescueFrom). Here: each controller
// receives the app's services, by type, before its action.
func (c *ApplicationController) Callbacks(cb *controller.Chain[ApplicationController]) {
	controller.Use(cb, func(c *ApplicationController, db *record.DB) { c.db = db })
	controller.Use(cb, func(c *ApplicationController, jobs *job.Client) { c.jobs = jobs })
}

// DB is the app's database: record.Query[models.Post](c.DB()).
func (c *ApplicationController) DB() *record.DB { return c.db }

// Jobs is the app's job client, to enqueue background jobs:
// job.For[jobs.WelcomeArgs](c.Jobs()).PerformLater(ctx, args).
func (c *ApplicationController) Jobs() *job.Client { return c.jobs }
