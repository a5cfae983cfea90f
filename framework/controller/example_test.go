package controller_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/view"
)

// ApplicationController is what every controller of the example app embeds.
type ApplicationController struct {
	controller.Base
	CurrentUser string
}

func (c *ApplicationController) Callbacks(cb *controller.Chain[ApplicationController]) {
	cb.Before((*ApplicationController).requireLogin)
	cb.RescueFrom(errNoArticle, (*ApplicationController).notFound)
}

func (c *ApplicationController) requireLogin() error {
	user := c.Request().HTTP().Header.Get("X-User")
	if user == "" {
		return c.Redirect("/login", http.StatusSeeOther) // halts the chain
	}
	c.CurrentUser = user
	return nil
}

func (c *ApplicationController) notFound(error) error {
	return c.Text(http.StatusNotFound, "no such article")
}

var errNoArticle = errors.New("no such article")

// ArticlesController inherits the login check, skips it for index, and
// loads the article before show and update.
type ArticlesController struct {
	ApplicationController
	Title string
}

func (c *ArticlesController) Callbacks(cb *controller.Chain[ArticlesController]) {
	cb.SkipBefore((*ApplicationController).requireLogin, controller.Only("index"))
	cb.Before((*ArticlesController).setArticle, controller.Only("show", "update"))
}

func (c *ArticlesController) setArticle() error {
	if c.Request().PathParam("id") != "1" {
		return errNoArticle
	}
	c.Title = "Hello"
	return nil
}

func (c *ArticlesController) Index() error { return c.Text(http.StatusOK, "public index") }

func (c *ArticlesController) Show() error { return nil } // renders articles/show

func (c *ArticlesController) Update() error {
	attrs, err := c.Params().Require("article").Permit("title")
	if err != nil {
		return err
	}
	title, err := attrs.String("title")
	if err != nil {
		return err
	}
	return c.Text(http.StatusOK, c.CurrentUser+" renamed "+c.Title+" to "+title)
}

func Example() {
	views, _ := view.New(view.Config{FS: fstest.MapFS{
		"articles/show.html.tmpl": {Data: []byte(`<h1>{{.Data.Title}}</h1> for {{.Data.CurrentUser}}`)},
	}})
	routes := dispatch.NewRouteSet(dispatch.Config{
		Invoker: &controller.Env{Views: views},
		ErrorHandler: func(w http.ResponseWriter, _ *dispatch.Request, err error) {
			http.Error(w, err.Error(), http.StatusBadRequest)
		},
	})
	err := routes.Draw(func(r *dispatch.Mapper) {
		r.Resources("articles", dispatch.For[ArticlesController]())
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	do := func(method, path, user, body string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.Header.Set("X-User", user)
		}
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, req)
		out := strings.TrimSpace(rec.Body.String())
		if loc := rec.Header().Get("Location"); loc != "" {
			out = "-> " + loc
		}
		fmt.Printf("%s %s: %d %s\n", method, path, rec.Code, out)
	}
	do("GET", "/articles", "", "")
	do("GET", "/articles/1", "", "")
	do("GET", "/articles/1", "ann", "")
	do("GET", "/articles/2", "ann", "")
	do("PATCH", "/articles/1", "ann", "article[title]=Bye&article[admin]=1")
	do("PATCH", "/articles/1", "ann", "title=Bye")
	// Output:
	// GET /articles: 200 public index
	// GET /articles/1: 303 -> /login
	// GET /articles/1: 200 <h1>Hello</h1> for ann
	// GET /articles/2: 404 no such article
	// PATCH /articles/1: 200 ann renamed Hello to Bye
	// PATCH /articles/1: 400 param is missing or the value is empty: article
}
