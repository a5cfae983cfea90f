package controller_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// RenderController has one action per renderer; the "do" query param picks
// the variant.
type RenderController struct {
	controller.Base
	Title string
}

func (c *RenderController) q(name string) string { return c.Request().HTTP().URL.Query().Get(name) }

func (c *RenderController) Show() error {
	c.Title = "Hi <there>"
	switch c.q("do") {
	case "default":
		return c.Render()
	case "template":
		return c.Render(controller.Template("edit"))
	case "other-folder":
		return c.Render(controller.Template("posts/edit"), controller.Status(http.StatusUnprocessableEntity))
	case "layout":
		return c.Render(controller.Layout("plain"))
	case "no-layout":
		return c.Render(controller.NoLayout())
	case "data":
		return c.Render(controller.Data(map[string]string{"Title": "from data"}))
	case "json":
		return c.JSON(http.StatusCreated, map[string]any{"title": c.Title})
	case "json-times":
		at := time.Date(2026, 12, 5, 10, 31, 2, 123456789, time.UTC)
		return c.JSON(http.StatusOK, struct {
			CreatedAt time.Time  `json:"created_at"`
			Local     time.Time  `json:"local"`
			Missing   *time.Time `json:"missing"`
		}{at, at.In(time.FixedZone("", -5*3600)), nil})
	case "text":
		return c.Text(http.StatusOK, "plain <text>")
	case "html":
		return c.HTML(http.StatusOK, "<b>trusted</b>")
	case "head":
		return c.Head(http.StatusNoContent)
	case "redirect":
		return c.Redirect("/elsewhere")
	case "redirect-303":
		return c.Redirect("/elsewhere", http.StatusSeeOther)
	case "redirect-to":
		return c.Redirect(postRoute.Path(nil, 7))
	case "data-controller":
		return c.Render(controller.Data(c))
	case "back":
		return c.RedirectBack("/fallback")
	case "double":
		if err := c.Text(http.StatusOK, "first"); err != nil {
			return err
		}
		return c.Redirect("/second")
	case "respond":
		return c.RespondTo(controller.Formats{
			HTML: func() error { return nil },
			JSON: func() error { return c.JSON(http.StatusOK, map[string]string{"title": c.Title}) },
		})
	case "respond-render":
		return c.RespondTo(controller.Formats{
			HTML: func() error { return c.Text(200, "html answer") },
			Other: map[string]func() error{
				"csv": func() error { return c.Text(200, "title\n") },
			},
		})
	}
	return nil // implicit render
}

// PagesController has actions without templates.
type PagesController struct{ controller.Base }

func (c *PagesController) About() error  { return nil }
func (c *PagesController) Empty() error  { return nil }
func (c *PagesController) Broken() error { return nil }

func renderRoutes(r *dispatch.Mapper) {
	r.Get("posts/:id", dispatch.To((*RenderController).Show), dispatch.As("post"))
	r.Get("pages/about", dispatch.To((*PagesController).About), dispatch.As("page_about"))
	r.Get("pages/:id", dispatch.To((*PagesController).About), dispatch.As("page"))
	r.Get("empty", dispatch.To((*PagesController).Empty))
	r.Post("empty", dispatch.To((*PagesController).Empty))
	r.Get("broken", dispatch.To((*PagesController).Broken))
}

func TestRenderers(t *testing.T) {
	t.Parallel()
	a := newApp(t, renderRoutes)
	tests := []struct {
		name, target string
		header       []string
		status       int
		contentType  string
		location     string
		body         string
	}{
		{name: "an action that renders nothing renders its view in the layout, with the controller's fields as data",
			target: "/posts/1", status: 200, contentType: "text/html; charset=utf-8",
			body: "<main><h1>Hi &lt;there&gt;</h1></main>"},
		{name: "Render renders the action's view", target: "/posts/1?do=default", status: 200,
			body: "<main><h1>Hi &lt;there&gt;</h1></main>"},
		{name: "Render with Template renders another view of the controller", target: "/posts/1?do=template", status: 200,
			body: "<main><form>Hi &lt;there&gt;</form></main>"},
		{name: "Render with a folder and a Status renders another controller's view", target: "/posts/1?do=other-folder", status: 422,
			body: "<main><form>Hi &lt;there&gt;</form></main>"},
		{name: "Render with Layout picks another layout", target: "/posts/1?do=layout", status: 200,
			body: "<plain><h1>Hi &lt;there&gt;</h1></plain>"},
		{name: "Render with NoLayout renders the view alone", target: "/posts/1?do=no-layout", status: 200,
			body: "<h1>Hi &lt;there&gt;</h1>"},
		{name: "Render with Data renders other data", target: "/posts/1?do=data", status: 200,
			body: "<main><h1>from data</h1></main>"},
		{name: "the format suffix picks the view's format", target: "/posts/1.json", status: 200,
			contentType: "application/json; charset=utf-8", body: `{"title": "Hi <there>"}`},
		{name: "JSON encodes with its status", target: "/posts/1?do=json", status: 201,
			contentType: "application/json; charset=utf-8", body: `{"title":"Hi \u003cthere\u003e"}`},
		{name: "JSON writes times as Rails does: milliseconds and the zone", target: "/posts/1?do=json-times", status: 200,
			contentType: "application/json; charset=utf-8",
			body:        `{"created_at":"2026-12-05T10:31:02.123Z","local":"2026-12-05T05:31:02.123-05:00","missing":null}`},
		{name: "Text writes plain text unescaped", target: "/posts/1?do=text", status: 200,
			contentType: "text/plain; charset=utf-8", body: "plain <text>"},
		{name: "HTML writes trusted markup", target: "/posts/1?do=html", status: 200,
			contentType: "text/html; charset=utf-8", body: "<b>trusted</b>"},
		{name: "Head answers a status without a body", target: "/posts/1?do=head", status: 204},
		{name: "Redirect answers 302 Found by default", target: "/posts/1?do=redirect", status: 302, location: "/elsewhere"},
		{name: "Redirect takes 303 See Other", target: "/posts/1?do=redirect-303", status: 303, location: "/elsewhere"},
		{name: "Redirect goes to a route helper's path", target: "/posts/1?do=redirect-to", status: 302, location: "/posts/7"},
		{name: "Render refuses the controller as a view's data", target: "/posts/1?do=data-controller", status: 500,
			body: "error: render#show: render with Data(*controller_test.RenderController): " + controller.ErrControllerAsData.Error() + "\n"},
		{name: "RedirectBack goes to a same-host referer", target: "/posts/1?do=back", header: []string{"Referer", "http://example.com/from?x=1"},
			status: 302, location: "http://example.com/from?x=1"},
		{name: "RedirectBack refuses another host's referer", target: "/posts/1?do=back", header: []string{"Referer", "http://evil.test/phish"},
			status: 302, location: "/fallback"},
		{name: "RedirectBack refuses a protocol-relative referer", target: "/posts/1?do=back", header: []string{"Referer", "//evil.test/phish"},
			status: 302, location: "/fallback"},
		{name: "RedirectBack without a referer uses the fallback", target: "/posts/1?do=back", status: 302, location: "/fallback"},
		{name: "rendering twice is an error that reaches the error handler", target: "/posts/1?do=double", status: 200,
			body: "firsterror: render#show: " + controller.ErrDoubleRender.Error() + "\n"},
		{name: "RespondTo runs the answer for the format suffix", target: "/posts/1.json?do=respond", status: 200,
			contentType: "application/json; charset=utf-8", body: `{"title":"Hi \u003cthere\u003e"}`},
		{name: "RespondTo's html answer may render by convention", target: "/posts/1?do=respond", status: 200,
			body: "<main><h1>Hi &lt;there&gt;</h1></main>"},
		{name: "RespondTo follows the Accept header", target: "/posts/1?do=respond", header: []string{"Accept", "application/json"},
			status: 200, contentType: "application/json; charset=utf-8"},
		{name: "RespondTo answers 406 for a format it does not serve", target: "/posts/1?do=respond", header: []string{"Accept", "text/csv"},
			status: 406},
		{name: "RespondTo serves formats named in Other", target: "/posts/1?do=respond-render", header: []string{"Accept", "text/csv"},
			status: 200, body: "title\n"},
		{name: "a view sees the route helpers and the request's path", target: "/pages/about", status: 200,
			body: "<main>about /pages/about http://example.com/pages/about at /pages/about</main>"},
		{name: "a GET for HTML of an action without a template is an error", target: "/empty", status: 500},
		{name: "a POST to an action without a template answers 204", target: "/empty", status: 204},
		{name: "a template error becomes an error, with nothing written", target: "/broken", status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := http.MethodGet
			if strings.HasPrefix(tt.name, "a POST") {
				method = http.MethodPost
			}
			rec := a.do(t, method, tt.target, nil, tt.header...)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tt.status, rec.Body)
			}
			if tt.contentType != "" && rec.Header().Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", rec.Header().Get("Content-Type"), tt.contentType)
			}
			if tt.location != "" && rec.Header().Get("Location") != tt.location {
				t.Errorf("Location = %q, want %q", rec.Header().Get("Location"), tt.location)
			}
			if tt.body != "" && rec.Body.String() != tt.body {
				t.Errorf("body = %q, want %q", rec.Body, tt.body)
			}
		})
	}
}

// DoubleController reports the error of a second render in its body.
type DoubleController struct{ controller.Base }

func (c *DoubleController) Index() error {
	if err := c.Text(http.StatusOK, "first;"); err != nil {
		return err
	}
	err := c.Redirect("/again")
	if !errors.Is(err, controller.ErrDoubleRender) {
		_, _ = c.Response().Write([]byte("no ErrDoubleRender"))
		return nil
	}
	_, _ = c.Response().Write([]byte("ErrDoubleRender"))
	return nil
}

func TestDoubleRenderIsAnError(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) { r.Get("double", dispatch.To((*DoubleController).Index)) })
	rec := a.get(t, "/double")
	if rec.Body.String() != "first;ErrDoubleRender" {
		t.Errorf("body = %q, want the first render then ErrDoubleRender", rec.Body)
	}
}

// TestSharedContentTypesStayUnchanged: the renderers set Content-Type from
// values shared by every response of an action; a middleware that adds to
// or replaces one response's header afterwards changes that response only.
func TestSharedContentTypesStayUnchanged(t *testing.T) {
	t.Parallel()
	a := newApp(t, renderRoutes)
	for _, tt := range []struct{ target, want string }{
		{"/posts/1?do=text", "text/plain; charset=utf-8"},
		{"/posts/1?do=html", "text/html; charset=utf-8"},
		{"/posts/1?do=json", "application/json; charset=utf-8"},
		{"/posts/1?do=default", "text/html; charset=utf-8"},
		{"/posts/1.json", "application/json; charset=utf-8"},
	} {
		first := a.get(t, tt.target)
		h := first.Result().Header // the recorder's copy: no shared slice
		if got := h.Values("Content-Type"); len(got) != 1 || got[0] != tt.want {
			t.Fatalf("%s: Content-Type %q, want %q", tt.target, got, tt.want)
		}
		// Two responses each add a value: with a shared slice of spare
		// capacity the second Add would write over the first's.
		second := a.get(t, tt.target)
		first.Header().Add("Content-Type", "x/first")
		second.Header().Add("Content-Type", "x/second")
		if got := first.Header().Values("Content-Type"); len(got) != 2 || got[1] != "x/first" {
			t.Fatalf("%s: the first response's Content-Type became %q", tt.target, got)
		}
		second.Header().Set("Content-Type", "x/replaced")
		again := a.get(t, tt.target)
		if got := again.Header().Values("Content-Type"); len(got) != 1 || got[0] != tt.want {
			t.Fatalf("%s after changes to earlier responses' headers: Content-Type %q, want %q", tt.target, got, tt.want)
		}
	}
}
