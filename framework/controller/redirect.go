package controller

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorails/gorails/framework/event"
)

// ErrUnsafeRedirect: Redirect was given a target it refuses (another host
// without RedirectOtherHost, a javascript: or data: URL, a
// protocol-relative or backslash trick). The error is an
// *UnsafeRedirectError, answered with 400 Bad Request: the usual cause is a
// return_to param a client made up.
var ErrUnsafeRedirect = errors.New("unsafe redirect")

// UnsafeRedirectError is a refused redirect target (Rails'
// ActionController::Redirecting::UnsafeRedirectError). It matches
// ErrUnsafeRedirect.
type UnsafeRedirectError struct {
	URL    string
	Reason string
}

func (e *UnsafeRedirectError) Error() string {
	u := e.URL
	if len(u) > 100 {
		u = u[:100] + "..."
	}
	return fmt.Sprintf("unsafe redirect to %q: %s", u, e.Reason)
}

// Unwrap returns ErrUnsafeRedirect.
func (e *UnsafeRedirectError) Unwrap() error { return ErrUnsafeRedirect }

// StatusCode is 400 Bad Request.
func (e *UnsafeRedirectError) StatusCode() int { return http.StatusBadRequest }

// Redirect redirects to url with 302 Found, or with the status given (use
// 303 See Other after a non-GET form). url is a path or an absolute URL on
// the request's own host; anything else (another host, a scheme other than
// http and https, a protocol-relative //host or a backslash) is refused with
// an *UnsafeRedirectError (ErrUnsafeRedirect, 400) and nothing is written,
// so c.Redirect(c.Params().String("return_to")) cannot send users to
// another site. Use RedirectOtherHost where another host is meant. Build
// paths with the app's route helpers, so that a link to a route that does
// not exist does not compile: c.Redirect(routes.PostPath(post.ID)).
func (b *Base) Redirect(url string, status ...int) error {
	return b.redirect(url, false, status)
}

// RedirectOtherHost is Redirect allowing an absolute http or https URL on
// another host (Rails' allow_other_host: true), for a target the code
// chose: an OAuth provider, a payment page. Dangerous schemes,
// protocol-relative URLs and backslashes are refused as Redirect refuses
// them. Never hand it a URL from the request without checking its host
// against a list of your own.
func (b *Base) RedirectOtherHost(url string, status ...int) error {
	return b.redirect(url, true, status)
}

func (b *Base) redirect(url string, otherHost bool, status []int) error {
	code := http.StatusFound
	if len(status) > 0 {
		code = status[0]
	}
	if code < 300 || code > 399 {
		return fmt.Errorf("%s#%s: redirect to %q with status %d: not a 3xx status", b.action.Controller, b.action.Name, url, code)
	}
	if reason := unsafeRedirect(b.req.HTTP().Host, url, otherHost); reason != "" {
		return fmt.Errorf("%s#%s: %w", b.action.Controller, b.action.Name, &UnsafeRedirectError{URL: url, Reason: reason})
	}
	if err := b.perform(); err != nil {
		return err
	}
	http.Redirect(b.w, b.req.HTTP(), url, code)
	if bus := b.env.Events; bus.Enabled(event.KindRedirect) {
		bus.Emit(b.req.Context(), &event.Redirect{Location: b.w.Header().Get("Location"), Status: code})
	}
	return nil
}

// unsafeRedirect returns why target must not be a redirect's Location for
// a request to host, or "" when it may be. Browsers are lenient where the
// check must not be: they drop tabs and newlines, read \ as /, take
// "https:evil.com" and "///evil.com" as URLs of the host evil.com. So a
// target is a path that does not start with two slashes, or an http(s) URL
// with a host, and has no control character and no backslash before its
// query.
func unsafeRedirect(host, target string, otherHost bool) string {
	if target == "" {
		return "an empty target"
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f {
			return "a control character in the target"
		}
	}
	if target[0] == ' ' || target[len(target)-1] == ' ' {
		return "spaces around the target"
	}
	head := target
	if i := strings.IndexAny(head, "?#"); i >= 0 {
		head = head[:i]
	}
	if strings.Contains(head, `\`) {
		return "a backslash, which browsers read as a slash"
	}
	u, err := url.Parse(target)
	if err != nil {
		return "not a URL"
	}
	if u.Scheme == "" {
		if strings.HasPrefix(target, "//") || u.Host != "" {
			return "a protocol-relative URL, which leaves the site"
		}
		return "" // a path on this host
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("the scheme %q (only http and https are redirected to)", u.Scheme)
	}
	if u.Host == "" || u.Opaque != "" || strings.HasPrefix(target[len(u.Scheme)+1:], "///") {
		return "an absolute URL without a host, which browsers complete with another one"
	}
	if u.User != nil {
		return "credentials in the URL"
	}
	if !otherHost && !strings.EqualFold(u.Host, host) {
		return fmt.Sprintf("another host (%s); use RedirectOtherHost to allow it", u.Host)
	}
	return ""
}

// RedirectBack redirects to the page the request came from (its Referer),
// or to fallback when there is none or it is on another host: the Referer is
// the client's word, and an open redirect would send users anywhere.
func (b *Base) RedirectBack(fallback string, status ...int) error {
	to := fallback
	if ref := b.req.HTTP().Referer(); ref != "" && unsafeRedirect(b.req.HTTP().Host, ref, false) == "" {
		to = ref
	}
	return b.Redirect(to, status...)
}
