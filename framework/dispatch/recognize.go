package dispatch

import "net/http"

// Recognize returns the action of the route that would serve r and its
// path params, without serving it (Rails' recognize_path); ok is false
// when no route of an action matches (a redirect, a mounted or plain
// handler, no route at all). It is for what runs around the route set and
// must name the action, such as a development error page for a panic, and
// costs a lookup: keep it off the path of every request.
func (rs *RouteSet) Recognize(r *http.Request) (a Action, params Params, ok bool) {
	t := rs.table.Load()
	if t == nil {
		return Action{}, nil, false
	}
	req := rs.pool.Get().(*Request)
	req.reset(rs, r)
	defer rs.release(req)
	rt := t.lookup(req)
	if rt == nil || rt.mount != nil || rt.target.kind != kindAction {
		return Action{}, nil, false
	}
	req.route = rt
	return rt.action, req.PathParams(), true
}
