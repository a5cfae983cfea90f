package view

import (
	"fmt"
	"html/template"
)

// funcMap builds the Set's helpers. They are bound once, at parse time;
// request-scoped ones take the *Context as first argument.
func (s *Set) funcMap() (template.FuncMap, error) {
	m := template.FuncMap{
		// partials and blocks
		"render":                   renderPartial,
		"render_collection":        renderCollection,
		"render_cached":            renderCached,
		"render_collection_cached": renderCollectionCached,
		"locals":                   withLocals,
		"provided":                 provided,
	}
	s.addHelpers(m)
	for name, fn := range s.cfg.Funcs {
		if _, clash := m[name]; clash {
			return nil, fmt.Errorf("%w: Funcs[%q] redefines a gorails helper", ErrInvalidConfig, name)
		}
		m[name] = fn
	}
	return m, nil
}
