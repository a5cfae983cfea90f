// Package controllers holds the blog application's controllers.
package controllers

import "github.com/gorails/gorails/framework/controller"

// ApplicationController is embedded by every controller of the app: what it
// holds, they all share.
type ApplicationController struct {
	controller.Base
}
