package config

import (
	"github.com/gorails/gorails/framework/dispatch"

	"github.com/gorails/gorails/bench/blog/gorailsapp/app/controllers"
)

// Routes draws the application's routes. See them with `gorails routes`.
func Routes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*controllers.PostsController).Index))
	r.Get("hello", dispatch.To((*controllers.PagesController).Hello))
	r.Resources("posts", dispatch.For[controllers.PostsController](), dispatch.Only("index", "show"))
}
