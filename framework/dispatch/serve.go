package dispatch

import (
	"net/http"
	"net/url"
	"strings"
)

// ServeHTTP routes r: 404 through Config.NotFound when no route matches the
// path, 405 with an Allow header when routes match the path but not the
// method, otherwise the route's target. GET routes answer HEAD without a
// body.
func (rs *RouteSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := rs.table.Load()
	if t == nil {
		rs.cfg.NotFound.ServeHTTP(w, r)
		return
	}
	req := rs.pool.Get().(*Request)
	req.reset(rs, r)
	defer rs.release(req)
	rt := t.lookup(req)
	switch {
	case rt != nil:
		req.route = rt
		rs.serve(w, req, rt)
	case req.m.pathFound:
		w.Header().Set("Allow", strings.Join(t.allowed(r, req.path), ", "))
		rs.cfg.MethodNotAllowed.ServeHTTP(w, r)
	default:
		rs.cfg.NotFound.ServeHTTP(w, r)
	}
}

func (rs *RouteSet) release(req *Request) {
	req.clear()
	rs.pool.Put(req)
}

func (t *table) lookup(req *Request) *route {
	u := req.req.URL
	path := u.Path
	if u.RawPath != "" {
		path, req.escaped = u.RawPath, true
	}
	req.path = path
	if len(path) < len(t.staticLens) && t.staticLens[len(path)] {
		if n := t.static[path]; n != nil {
			if rt := n.pick(&req.m, false); rt != nil {
				return rt
			}
		}
	}
	if path == "" || path[0] != '/' {
		return nil
	}
	return t.root.find(path[1:], &req.m)
}

// allowed lists the methods some route answers for path, for Allow.
func (t *table) allowed(r *http.Request, path string) []string {
	var out []string
	for _, method := range t.methods {
		m := matcher{method: method, req: r}
		if path != "" && path[0] == '/' && t.root.find(path[1:], &m) != nil {
			out = append(out, method)
			if method == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

func (rs *RouteSet) serve(w http.ResponseWriter, req *Request, rt *route) {
	if rt.mount != nil {
		rt.mount.ServeHTTP(w, req.req)
		return
	}
	if req.req.Method == http.MethodHead && !rt.allows(http.MethodHead) {
		w = &headWriter{ResponseWriter: w}
	}
	switch rt.target.kind {
	case kindAction:
		// Rails parses the params of every action it runs: a malformed
		// query string is a 400 whether or not the action reads params.
		if req.req.URL.RawQuery != "" {
			if _, err := req.QueryParams(); err != nil {
				rs.cfg.ErrorHandler(w, req, err) // the client's error: the action did not fail, it did not run
				return
			}
		}
		if err := rt.serve(w, req); err != nil {
			rs.handleError(w, req, err)
		}
	case kindHandler:
		r := req.req
		for i, name := range rt.params {
			r.SetPathValue(name, req.paramAt(i))
		}
		rt.target.handler.ServeHTTP(w, r)
	case kindRedirect:
		req.redirect(w, rt.target)
	}
}

func (rs *RouteSet) handleError(w http.ResponseWriter, req *Request, err error) {
	if l := rs.cfg.Logger; l != nil {
		l.ErrorContext(req.req.Context(), "action failed", "action", req.route.action.String(), "error", err)
	}
	rs.cfg.ErrorHandler(w, req, err)
}

// redirect answers a Redirect route as Rails' routing redirect does: the
// Location is a full URL, a path target taking the request's scheme and
// host (with its port), and the body is empty.
func (r *Request) redirect(w http.ResponseWriter, t Target) {
	to := r.interpolate(t.redirect)
	if u, err := url.Parse(to); err != nil || u.Host == "" {
		if !strings.HasPrefix(to, "/") {
			to = "/" + to
		}
		to = r.BaseURL() + to
	}
	h := w.Header()
	h.Set("Location", to)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", "0")
	w.WriteHeader(t.status)
}

// interpolate replaces %{name} in a redirect target with the escaped path
// param.
func (r *Request) interpolate(to string) string {
	if !strings.Contains(to, "%{") {
		return to
	}
	for i, name := range r.route.params {
		to = strings.ReplaceAll(to, "%{"+name+"}", r.rawParamAt(i))
	}
	if r.m.format != "" {
		to = strings.ReplaceAll(to, "%{format}", url.PathEscape(r.m.format))
	}
	return to
}

// headWriter discards the body of a GET route answering HEAD.
type headWriter struct{ http.ResponseWriter }

func (h *headWriter) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *headWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }
