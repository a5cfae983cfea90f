package controller

import (
	"fmt"
	"net/http"
	"net/url"
)

// Redirect redirects to url (a path or an absolute URL) with 302 Found, or
// with the status given (use 303 See Other after a non-GET form). Build
// paths with the app's route helpers, so that a link to a route that does
// not exist does not compile: c.Redirect(routes.PostPath(post.ID)).
func (b *Base) Redirect(url string, status ...int) error {
	code := http.StatusFound
	if len(status) > 0 {
		code = status[0]
	}
	if code < 300 || code > 399 {
		return fmt.Errorf("%s#%s: redirect to %q with status %d: not a 3xx status", b.action.Controller, b.action.Name, url, code)
	}
	if err := b.perform(); err != nil {
		return err
	}
	http.Redirect(b.w, b.req.HTTP(), url, code)
	return nil
}

// RedirectBack redirects to the page the request came from (its Referer),
// or to fallback when there is none or it is on another host: the Referer is
// the client's word, and an open redirect would send users anywhere.
func (b *Base) RedirectBack(fallback string, status ...int) error {
	to := fallback
	if ref := b.req.HTTP().Referer(); ref != "" && sameOrigin(b.req.HTTP(), ref) {
		to = ref
	}
	return b.Redirect(to, status...)
}

// sameOrigin reports whether ref points at the request's own host.
func sameOrigin(r *http.Request, ref string) bool {
	u, err := url.Parse(ref)
	if err != nil {
		return false
	}
	if u.Host == "" {
		return u.Scheme == "" && len(u.Path) > 0 && u.Path[0] == '/' && (len(u.Path) < 2 || u.Path[1] != '/' && u.Path[1] != '\\')
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host == r.Host
}
