package dispatch

import (
	"net"
	"net/http"
	"strings"
)

// node is one path segment of the route tree. Matching prefers, at each
// segment, a static child, then a param, then a glob, then a mount, and
// backtracks when a branch has no route for the request.
type node struct {
	statics []staticKid
	index   map[string]*node // built when statics is large
	comps   []compositeKid   // segments with several params, tried before param
	param   *node
	glob    *node
	routes  []*route // routes ending here, in definition order
	mounts  []*route
}

const indexThreshold = 8

// compositeKid is a child for a segment with several params (":id-:slug"),
// keyed by its regexp.
type compositeKid struct {
	seg *segment
	n   *node
}

// staticKid is a static child under one key; a segment whose escaped form
// differs from its text is reachable under both.
type staticKid struct {
	key string
	n   *node
}

func (n *node) insert(rt *route) *node {
	cur := n
	for _, s := range rt.segs {
		switch s.kind {
		case segStatic:
			cur = cur.staticChild(s.text, s.esc)
		case segParam:
			if cur.param == nil {
				cur.param = &node{}
			}
			cur = cur.param
		case segGlob:
			if cur.glob == nil {
				cur.glob = &node{}
			}
			cur = cur.glob
		case segComposite:
			cur = cur.compositeChild(&s)
		}
	}
	if rt.mount != nil {
		cur.mounts = append(cur.mounts, rt)
	} else {
		cur.routes = append(cur.routes, rt)
	}
	return cur
}

func (n *node) compositeChild(s *segment) *node {
	for _, k := range n.comps {
		if k.seg.re.String() == s.re.String() {
			return k.n
		}
	}
	c := &node{}
	n.comps = append(n.comps, compositeKid{s, c})
	return c
}

func (n *node) staticChild(text, esc string) *node {
	if c := n.child(text); c != nil {
		return c
	}
	c := &node{}
	n.addKid(text, c)
	if esc != text {
		n.addKid(esc, c)
	}
	return c
}

func (n *node) addKid(key string, c *node) {
	n.statics = append(n.statics, staticKid{key, c})
	if len(n.statics) <= indexThreshold {
		return
	}
	if n.index == nil {
		n.index = make(map[string]*node, len(n.statics))
		for _, k := range n.statics {
			n.index[k.key] = k.n
		}
	}
	n.index[key] = c
}

func (n *node) child(seg string) *node {
	if n.index != nil {
		return n.index[seg]
	}
	for _, k := range n.statics {
		if k.key == seg {
			return k.n
		}
	}
	return nil
}

// matcher is the state of one lookup; it lives in the pooled Request.
type matcher struct {
	method    string
	req       *http.Request
	vals      []string
	format    string
	pathFound bool // a route matched the path but not the method
}

func (n *node) find(rest string, m *matcher) *route {
	for rest != "" && rest[0] == '/' { // squeeze doubled slashes as Rails' normalize_path
		rest = rest[1:]
	}
	if rest == "" {
		if rt := n.pick(m, false); rt != nil {
			return rt
		}
		return n.pickMount(m)
	}
	seg, tail, last := rest, "", true
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg, tail, last = rest[:i], rest[i+1:], false
	}
	if c := n.child(seg); c != nil {
		if rt := c.find(tail, m); rt != nil {
			return rt
		}
	}
	dot := -1
	if last {
		dot = strings.LastIndexByte(seg, '.')
	}
	if dot > 0 {
		if c := n.child(seg[:dot]); c != nil {
			if rt := c.pickFormat(seg[dot+1:], m); rt != nil {
				return rt
			}
		}
	}
	for _, k := range n.comps {
		if rt := k.find(seg, tail, dot, m); rt != nil {
			return rt
		}
	}
	if n.param != nil && seg != "" {
		if rt := n.findParam(seg, tail, dot, m); rt != nil {
			return rt
		}
	}
	if n.glob != nil {
		if rt := n.findGlob(rest, m); rt != nil {
			return rt
		}
	}
	return n.pickMount(m)
}

func (n *node) findParam(seg, tail string, dot int, m *matcher) *route {
	m.vals = append(m.vals, seg)
	if rt := n.param.find(tail, m); rt != nil {
		return rt
	}
	if dot > 0 {
		m.vals[len(m.vals)-1] = seg[:dot]
		if rt := n.param.pickFormat(seg[dot+1:], m); rt != nil {
			return rt
		}
	}
	m.vals = m.vals[:len(m.vals)-1]
	return nil
}

func (k compositeKid) find(seg, tail string, dot int, m *matcher) *route {
	base := len(m.vals)
	if vals, ok := k.seg.matchComposite(seg, m.vals); ok {
		m.vals = vals
		if rt := k.n.find(tail, m); rt != nil {
			return rt
		}
		m.vals = m.vals[:base]
	}
	if dot > 0 {
		if vals, ok := k.seg.matchComposite(seg[:dot], m.vals); ok {
			m.vals = vals
			if rt := k.n.pickFormat(seg[dot+1:], m); rt != nil {
				return rt
			}
			m.vals = m.vals[:base]
		}
	}
	return nil
}

// findGlob gives the rest of the path to a glob, preferring a format split
// off the last segment as Rails' non-greedy glob does.
func (n *node) findGlob(rest string, m *matcher) *route {
	lastSeg := rest[strings.LastIndexByte(rest, '/')+1:]
	if d := strings.LastIndexByte(lastSeg, '.'); d > 0 {
		cut := len(rest) - len(lastSeg) + d
		m.vals = append(m.vals, rest[:cut])
		if rt := n.glob.pickFormat(rest[cut+1:], m); rt != nil {
			return rt
		}
		m.vals = m.vals[:len(m.vals)-1]
	}
	m.vals = append(m.vals, rest)
	if rt := n.glob.pick(m, false); rt != nil {
		return rt
	}
	m.vals = m.vals[:len(m.vals)-1]
	return nil
}

func (n *node) pickFormat(format string, m *matcher) *route {
	if format == "" {
		return nil
	}
	m.format = format
	if rt := n.pick(m, true); rt != nil {
		return rt
	}
	m.format = ""
	return nil
}

// pick returns the first route ending here that accepts the request; a GET
// route answers HEAD when no HEAD route does.
func (n *node) pick(m *matcher, withFormat bool) *route {
	var get *route
	for _, rt := range n.routes {
		if !rt.accepts(m, withFormat) {
			continue
		}
		if rt.allows(m.method) {
			return rt
		}
		if get == nil && m.method == http.MethodHead && rt.allows(http.MethodGet) {
			get = rt
			continue
		}
		m.pathFound = true
	}
	return get
}

func (n *node) pickMount(m *matcher) *route {
	for _, rt := range n.mounts {
		if rt.acceptsRequest(m.req) {
			return rt
		}
	}
	return nil
}

func (rt *route) accepts(m *matcher, withFormat bool) bool {
	switch {
	case withFormat && rt.format == formatNone:
		return false
	case withFormat && rt.formatRe != nil && !rt.formatRe.MatchString(m.format):
		return false
	case !withFormat && rt.format == formatRequired:
		return false
	}
	for i, re := range rt.paramRes {
		v := m.vals[i]
		if re != nil {
			if !re.MatchString(v) {
				return false
			}
			continue
		}
		// Rails' default segment requirement [^/.?]+: a dot starts the format.
		if rt.plain[i] && strings.IndexByte(v, '.') >= 0 {
			return false
		}
	}
	return rt.acceptsRequest(m.req)
}

func (rt *route) acceptsRequest(r *http.Request) bool {
	if rt.host != "" && !strings.EqualFold(hostname(r.Host), rt.host) {
		return false
	}
	if rt.subdomain != "" && !strings.EqualFold(subdomain(r.Host), rt.subdomain) {
		return false
	}
	for _, fn := range rt.when {
		if !fn(r) {
			return false
		}
	}
	return true
}

func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// subdomain is Rails' request.subdomain with tld_length 1: all labels but
// the last two.
func subdomain(hostport string) string {
	h := hostname(hostport)
	if net.ParseIP(h) != nil {
		return ""
	}
	i := strings.LastIndexByte(h, '.')
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(h[:i], '.')
	if j < 0 {
		return ""
	}
	return h[:j]
}
