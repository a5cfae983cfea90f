package dispatch

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

type scopeLevel uint8

const (
	levelNone scopeLevel = iota
	levelResources
	levelResource
	levelNested
	levelMember
	levelCollection
	levelNew
	levelRoot
)

// scope is one frame of Rails' Mapper scope stack; children copy their
// parent and change what they set.
type scope struct {
	parent        *scope
	level         scopeLevel
	path          string
	as            string
	module        string
	shallowPath   string
	shallowPrefix string
	shallow       bool
	res           *resource // the innermost resource (Rails' scope_level_resource)
	ownsRes       bool      // this frame opened res
	cons          []paramConstraint
	host          string
	subdomain     string
	when          []func(*http.Request) bool
	format        formatMode
	defaultFormat string
	defaults      []paramDefault
	pathNames     map[string]string
	ctrl          *Target // the controller [Action] targets name (Rails' scope controller)
}

func (s *scope) child(level scopeLevel) *scope {
	c := *s
	c.parent, c.level, c.ownsRes = s, level, false
	return &c
}

// with applies the scope options of o (Rails' scope(options)).
func (s *scope) with(o *options) *scope {
	c := s.child(s.level)
	if o.asSet {
		c.as = mergeAs(c.as, o.as)
	}
	if o.moduleSet {
		c.module = mergeModule(c.module, o.module)
	}
	if o.shallowPath != "" {
		c.shallowPath = joinPath(c.shallowPath, o.shallowPath)
	}
	if o.shallowPrefix != "" {
		c.shallowPrefix = mergeAs(c.shallowPrefix, o.shallowPrefix)
	}
	c.cons = append(append([]paramConstraint(nil), s.cons...), o.cons...)
	if o.host != "" {
		c.host = o.host
	}
	if o.subdomain != "" {
		c.subdomain = o.subdomain
	}
	c.when = append(append([]func(*http.Request) bool(nil), s.when...), o.when...)
	if o.formatSet {
		c.format = o.format
	}
	if o.defaultFormat != "" {
		c.defaultFormat = o.defaultFormat
	}
	if len(o.defaults) > 0 {
		c.defaults = slices.Clone(s.defaults)
		for _, d := range o.defaults {
			if i := slices.IndexFunc(c.defaults, func(e paramDefault) bool { return e.name == d.name }); i >= 0 {
				c.defaults[i] = d
			} else {
				c.defaults = append(c.defaults, d)
			}
		}
	}
	if len(o.pathNames) > 0 {
		c.pathNames = maps.Clone(s.pathNames)
		if c.pathNames == nil {
			c.pathNames = map[string]string{}
		}
		maps.Copy(c.pathNames, o.pathNames)
	}
	return c
}

// actionPath is Rails' action_path: the path segment of an action,
// renamed by PathNames.
func (s *scope) actionPath(action string) string {
	if p, ok := s.pathNames[action]; ok {
		return p
	}
	return action
}

// shallowScope is Rails' shallow_scope: path and name restart from the
// shallow path and prefix.
func (s *scope) shallowScope() *scope {
	c := s.child(s.level)
	c.path, c.as = s.shallowPath, s.shallowPrefix
	return c
}

// isShallow is Rails' shallow?.
func (s *scope) isShallow() bool { return s.res != nil && !s.res.singleton && s.shallow }

// shallowNestingDepth counts the shallow resources opened above.
func (s *scope) shallowNestingDepth() int {
	n := 0
	for f := s; f != nil; f = f.parent {
		if f.ownsRes && f.res.shallow {
			n++
		}
	}
	return n
}

func (s *scope) resourceScope() bool { return s.level == levelResources || s.level == levelResource }

func (s *scope) resourceMethodScope() bool {
	return s.level == levelCollection || s.level == levelMember || s.level == levelNew
}

func (s *scope) canonical(action string) bool {
	if !s.resourceMethodScope() {
		return false
	}
	switch action {
	case "index", "create", "new", "show", "update", "destroy":
		return true
	}
	return false
}

func (s *scope) constraint(name string) string {
	for i := len(s.cons) - 1; i >= 0; i-- {
		if s.cons[i].name == name {
			return s.cons[i].pattern
		}
	}
	return ""
}

func mergeAs(parent, child string) string {
	if parent == "" {
		return child
	}
	if child == "" {
		return parent
	}
	return parent + "_" + child
}

func mergeModule(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "/" + child
}

// joinPath joins and normalizes like Rails' Mapper.normalize_path: one
// leading slash, no trailing or doubled slashes ("" stays "").
func joinPath(parent, child string) string {
	p := parent + "/" + child
	var b strings.Builder
	b.Grow(len(p) + 1)
	for _, part := range strings.Split(p, "/") {
		if part != "" {
			b.WriteByte('/')
			b.WriteString(part)
		}
	}
	return b.String()
}
