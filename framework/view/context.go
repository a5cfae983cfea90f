package view

import "context"

// URLHelper turns a route name and its arguments into a path, such as
// Path("post", 12) -> "/posts/12", for form_with's default URL. The
// request (dispatch.Request) implements it; view never imports dispatch.
// Templates link through the app's route helpers ({{post_path .ID}}),
// installed as Config.Funcs.
type URLHelper interface {
	Path(name string, args ...any) (string, error)
}

// Helpers are the request-scoped values the templates' helpers read. The
// controller fills them per request; every field is optional.
type Helpers struct {
	// CSRFToken returns the authenticity token for this request's forms. It
	// is called only when a template needs it (csrf_meta_tags, button_to,
	// form_with). nil: no token is rendered.
	CSRFToken func() string
	// CSRFParam is the form field carrying the token; "" means
	// "authenticity_token".
	CSRFParam string
	// URLs resolves route names for form_with; when it also has a
	// BaseURL() string method (as dispatch.Request does), that is the
	// context's BaseURL, the base of the URL helpers.
	URLs URLHelper
	// Flash holds this request's flash messages ("notice", "alert", ...),
	// read in templates as {{.Flash.notice}}.
	Flash map[string]string
	// RequestPath is the path of the current request, for current_page.
	RequestPath string
	// RequestContext is the request's context, for the fragment cache's
	// reads and writes; nil: context.Background().
	RequestContext context.Context
}

func (h *Helpers) csrfParam() string {
	if h.CSRFParam == "" {
		return "authenticity_token"
	}
	return h.CSRFParam
}

func (h *Helpers) csrfToken() string {
	if h.CSRFToken == nil {
		return ""
	}
	return h.CSRFToken()
}

// Context is the data every template executes with: dot in a view, its
// layout and its blocks, and in a partial. Data holds the controller's
// assigns ({{.Data.Posts}}), Locals a partial's locals ({{.Locals.post}}),
// and the embedded Helpers the request's values ({{.Flash.notice}}).
// Helpers that need the request take the Context as their first argument:
// {{csrf_meta_tags .}}, or {{post_url $ .ID}} inside range and with.
//
// A Context lives for one Render and is not safe for concurrent use.
type Context struct {
	Data   any
	Locals map[string]any
	Helpers

	set        *Set
	u          *unit
	controller string
	ctx        context.Context // the render's (RenderContext), for events; nil for Render
}

// Local returns the partial local named name, or nil.
func (c *Context) Local(name string) any { return c.Locals[name] }

// BaseURL is the request's scheme and host, "https://example.com": what a
// URL helper given the context builds on ({{post_url $ .ID}}). It is ""
// when the render's URLHelper does not know it.
func (c *Context) BaseURL() string {
	if b, ok := c.URLs.(interface{ BaseURL() string }); ok {
		return b.BaseURL()
	}
	return ""
}
