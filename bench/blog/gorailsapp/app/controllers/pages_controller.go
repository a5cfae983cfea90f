package controllers

import "net/http"

// PagesController serves pages that need no model.
type PagesController struct {
	ApplicationController
}

// Hello answers with plain text.
func (c *PagesController) Hello() error {
	return c.Text(http.StatusOK, "Hello, World!")
}
