package controllers

import (
	"net/http"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/record"

	"github.com/gorails/gorails/bench/blog/gorailsapp/app/models"
)

// PostsController handles the posts pages.
type PostsController struct {
	ApplicationController
	// Exported fields are what the views see, as {{.Data.Field}}.
	Posts []models.Post
	Post  models.Post
}

// Index lists the 20 newest posts (app/views/posts/index.html.tmpl).
func (c *PostsController) Index() error {
	posts, err := record.Query[models.Post](c.DB()).Order("created_at DESC", "id DESC").Limit(20).All(c.Request().Context())
	if err != nil {
		return err
	}
	c.Posts = posts
	return nil
}

// Show shows one post: app/views/posts/show.html.tmpl, or JSON for
// /posts/1.json.
func (c *PostsController) Show() error {
	id, err := c.Params().Int64("id")
	if err != nil {
		return err
	}
	if c.Post, err = record.Query[models.Post](c.DB()).Find(c.Request().Context(), id); err != nil {
		return err
	}
	return c.RespondTo(controller.Formats{
		HTML: func() error { return nil },
		JSON: func() error { return c.JSON(http.StatusOK, c.Post.AsJSON()) },
	})
}
