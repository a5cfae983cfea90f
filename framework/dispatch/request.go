package dispatch

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Request is what a controller sees of one request: the *http.Request, the
// matched route's path params and action, the merged params (parsed lazily,
// once), the format and the URL helpers.
//
// A Request is pooled by its RouteSet: it is valid only until the action
// returns, and must not be kept or used from other goroutines after that.
// It is not safe for concurrent use.
type Request struct {
	req                 *http.Request
	rs                  *RouteSet
	route               *route
	m                   matcher
	path                string
	escaped             bool
	bodyDone, queryDone bool
	query, body, merged Params
	queryErr, bodyErr   error
	files               []*File
}

func (r *Request) reset(rs *RouteSet, hr *http.Request) {
	r.rs, r.req = rs, hr
	r.m.method, r.m.req = hr.Method, hr
}

func (r *Request) clear() {
	for _, f := range r.files {
		if f.path != "" {
			_ = os.Remove(f.path)
		}
	}
	vals := r.m.vals[:0]
	clear(vals[:cap(vals)])
	*r = Request{m: matcher{vals: vals}}
}

// HTTP returns the underlying *http.Request.
func (r *Request) HTTP() *http.Request { return r.req }

// Context returns the request's context.
func (r *Request) Context() context.Context { return r.req.Context() }

// Action returns the matched action ("posts", "show"); zero for a route to
// a handler.
func (r *Request) Action() Action { return r.route.action }

// RouteName returns the matched route's name, or "".
func (r *Request) RouteName() string { return r.route.name }

// Routes returns the RouteSet that matched the request.
func (r *Request) Routes() *RouteSet { return r.rs }

// PathParam returns the path param name (unescaped), or "" if the route has
// none by that name. "format" returns the format suffix, if any.
func (r *Request) PathParam(name string) string {
	for i, n := range r.route.params {
		if n == name {
			return r.paramAt(i)
		}
	}
	if name == "format" {
		return r.pathFormat()
	}
	for _, d := range r.route.defaults {
		if d.name == name {
			return d.value
		}
	}
	return ""
}

// PathParams returns the path params, with "format" when the path had one.
func (r *Request) PathParams() Params {
	p := make(Params, len(r.route.params)+len(r.route.defaults)+1)
	for _, d := range r.route.defaults {
		p[d.name] = d.value
	}
	for i, n := range r.route.params {
		p[n] = r.paramAt(i)
	}
	if f := r.pathFormat(); f != "" {
		p["format"] = f
	}
	return p
}

func (r *Request) paramAt(i int) string {
	v := r.m.vals[i]
	if r.escaped && strings.IndexByte(v, '%') >= 0 {
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
	}
	return v
}

func (r *Request) rawParamAt(i int) string {
	v := r.m.vals[i]
	if r.escaped {
		return v
	}
	return escapeSegment(v, r.route.segs[len(r.route.segs)-1].kind == segGlob && i == len(r.route.params)-1)
}

func (r *Request) pathFormat() string {
	if r.m.format != "" {
		return r.m.format
	}
	return r.route.defFormat
}

// Params returns the request's params merged as Rails does: body params,
// then query params over them, then path params (with "controller",
// "action" and "format") over both. The body is parsed on the first call;
// later calls return the same Params. A malformed or over-limit query or
// body gives a *ParamError: return it from the action to answer 400.
func (r *Request) Params() (Params, error) {
	if r.merged != nil {
		return r.merged, nil
	}
	// A request without a typed body or a query string (most GETs) has no
	// params but its path's: their parsers are not run for nothing.
	var body, query Params
	if r.bodyDone || r.mayHaveBody() {
		var err error
		if body, err = r.BodyParams(); err != nil {
			return nil, err
		}
	}
	if r.queryDone || r.req.URL.RawQuery != "" {
		var err error
		if query, err = r.QueryParams(); err != nil {
			return nil, err
		}
	}
	m := make(Params, len(body)+len(query)+len(r.route.params)+3)
	for k, v := range body {
		m[k] = v
	}
	for k, v := range query {
		m[k] = v
	}
	for _, d := range r.route.defaults { // Rails' path_parameters: defaults, then the path
		m[d.name] = d.value
	}
	for i, n := range r.route.params {
		m[n] = r.paramAt(i)
	}
	if f := r.pathFormat(); f != "" {
		m["format"] = formatValue(f)
	}
	if a := r.route.action; a.Name != "" {
		if v := r.route.actionVals; v[1] != nil {
			m["controller"], m["action"] = v[0], v[1]
		} else {
			m["controller"], m["action"] = a.Controller, a.Name
		}
	}
	r.merged = m
	return m, nil
}

// formatValue is f as a Params value: the common formats are constants,
// which box without allocating.
func formatValue(f string) any {
	switch f {
	case "json":
		return "json"
	case "html":
		return "html"
	case "xml":
		return "xml"
	case "js":
		return "js"
	case "text":
		return "text"
	case "csv":
		return "csv"
	case "rss":
		return "rss"
	case "atom":
		return "atom"
	}
	return f
}

// MayHaveParams reports whether Params may hold anything but the route's
// "controller" and "action": false for a request without a query string,
// without a typed body and whose route has no path params, defaults or
// format (most GETs of a page), which a caller can skip building Params
// for. It parses nothing.
func (r *Request) MayHaveParams() bool {
	return r.merged != nil || r.bodyDone || r.queryDone || r.req.URL.RawQuery != "" || r.mayHaveBody() ||
		len(r.route.params) > 0 || len(r.route.defaults) > 0 || r.pathFormat() != ""
}

// OnlyPathParams reports whether Params would hold nothing but the route's
// own values (path params, defaults, "format", "controller", "action"):
// no query string and no typed body, so that Params cannot fail and
// PathParam answers for it. It parses nothing.
func (r *Request) OnlyPathParams() bool {
	return !r.bodyDone && !r.queryDone && r.req.URL.RawQuery == "" && !r.mayHaveBody()
}

// mayHaveBody reports whether the request has a body Params would parse.
func (r *Request) mayHaveBody() bool {
	req := r.req
	return req.Body != nil && req.Body != http.NoBody && req.Header.Get("Content-Type") != ""
}

// Param returns the merged param key as a string, or "" when it is missing,
// not a string, or the params are malformed (call Params to see the error).
func (r *Request) Param(key string) string {
	for i, n := range r.route.params {
		if n == key {
			return r.paramAt(i)
		}
	}
	p, err := r.Params()
	if err != nil {
		return ""
	}
	return p.String(key)
}

// ParamSource says where the merged param key came from.
func (r *Request) ParamSource(key string) Source {
	if _, ok := r.PathParams()[key]; ok {
		return SourcePath
	}
	if key == "controller" || key == "action" {
		return SourcePath
	}
	if q, _ := r.QueryParams(); q != nil {
		if _, ok := q[key]; ok {
			return SourceQuery
		}
	}
	if b, _ := r.BodyParams(); b != nil {
		if _, ok := b[key]; ok {
			return SourceBody
		}
	}
	return SourceNone
}

// QueryParams returns the params of the query string alone, with nils
// removed from arrays as Rails' deep_munge removes them (a[] gives []).
func (r *Request) QueryParams() (Params, error) {
	if !r.queryDone {
		r.queryDone = true
		p := &parser{lim: r.rs.limits(), src: SourceQuery}
		r.query = Params{}
		if err := p.query(r.req.URL.RawQuery, r.query); err != nil {
			r.query, r.queryErr = nil, err
		} else {
			deepMunge(r.query)
		}
	}
	return r.query, r.queryErr
}

// BodyParams returns the params of the body alone (urlencoded, multipart or
// JSON; empty for other content types), with nils removed from arrays as
// Rails' deep_munge removes them (JSON [null, 1] gives [1]).
func (r *Request) BodyParams() (Params, error) {
	if !r.bodyDone {
		r.bodyDone = true
		r.body, r.files, r.bodyErr = r.rs.parseBody(r.req)
		if r.bodyErr != nil {
			r.body = nil
		} else {
			deepMunge(r.body)
		}
	}
	return r.body, r.bodyErr
}

func (rs *RouteSet) limits() limits {
	return limits{depth: rs.cfg.MaxParamDepth, params: rs.cfg.MaxParams}
}

// Path generates the path of the named route; see [RouteSet.Path].
func (r *Request) Path(name string, args ...any) (string, error) {
	return r.rs.Path(name, args...)
}

// PathFor returns the path of model (Rails' polymorphic_path); see
// [RouteSet.PathFor].
func (r *Request) PathFor(model any, query ...Params) (string, error) {
	return r.rs.PathFor(model, query...)
}

// URL generates the full URL of the named route on the request's
// [Request.BaseURL].
func (r *Request) URL(name string, args ...any) (string, error) {
	return r.rs.URL(r.BaseURL(), name, args...)
}

// BaseURL is the request's scheme and host, "https://example.com", the
// base of the URL helpers (X-Forwarded-Proto is not trusted; put a
// proxy-aware middleware in front to rewrite r.URL.Scheme or r.TLS if
// needed).
func (r *Request) BaseURL() string {
	scheme := "http"
	if r.req.TLS != nil || r.req.URL.Scheme == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.req.Host
}
