package view

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
)

// parsedFile is one template file, parsed once per cache generation. Its
// trees are never executed: units add copies of them.
type parsedFile struct {
	path string
	body *parse.Tree
	defs map[string]*parse.Tree // {{define}} and {{block}} trees by name
}

type fileEntry struct {
	pf  *parsedFile
	err error
}

// file returns the parsed file at p. A missing file is an error wrapping
// fs.ErrNotExist; a file that does not parse is a *TemplateError.
func (s *Set) file(p string) (*parsedFile, error) {
	if s.cache {
		s.mu.RLock()
		e, ok := s.files[p]
		gen := s.gen
		s.mu.RUnlock()
		if ok {
			return e.pf, e.err
		}
		pf, err := s.parseFile(p)
		// A missing file is not remembered: names can come from requests
		// (render of a param), and remembering each would grow the cache
		// without bound.
		if !errors.Is(err, fs.ErrNotExist) {
			s.mu.Lock()
			if s.gen == gen {
				s.files[p] = &fileEntry{pf, err}
			}
			s.mu.Unlock()
		}
		return pf, err
	}
	return s.parseFile(p)
}

func (s *Set) parseFile(p string) (*parsedFile, error) {
	src, err := fs.ReadFile(s.cfg.FS, p)
	if err != nil {
		return nil, err
	}
	t := texttemplate.New(p).Funcs(texttemplate.FuncMap(s.funcs))
	if _, err := t.Parse(string(src)); err != nil {
		return nil, parseLocated(err.Error(), p)
	}
	pf := &parsedFile{path: p, defs: make(map[string]*parse.Tree)}
	for _, tt := range t.Templates() {
		switch {
		case tt.Tree == nil:
		case tt.Name() == p:
			pf.body = tt.Tree
		default:
			pf.defs[tt.Name()] = tt.Tree
		}
	}
	if pf.body == nil {
		pf.body = &parse.Tree{Name: p, ParseName: p, Root: &parse.ListNode{NodeType: parse.NodeList}}
	}
	return pf, nil
}

// first returns the first of cands that exists. Names that are not valid
// fs.FS paths ("../x") never exist.
func (s *Set) first(cands []string) (*parsedFile, error) {
	for _, c := range cands {
		if !fs.ValidPath(c) {
			continue
		}
		pf, err := s.file(c)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return pf, err
	}
	return nil, fs.ErrNotExist
}

// checkName refuses a name (of what: "template", "layout", "partial",
// "controller", "format") that is not a relative path inside the views,
// with an error matching ErrInvalidName and notFound.
func checkName(what, name string, notFound error) error {
	bad := ""
	switch {
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		bad = "holds a control character"
	case strings.Contains(name, `\`):
		bad = "holds a backslash"
	case strings.HasPrefix(name, "/"):
		bad = "is an absolute path"
	case !fs.ValidPath(name):
		bad = `is not a path inside the views (no "..", ".", empty or trailing elements)`
	}
	if bad == "" {
		return nil
	}
	return fmt.Errorf("%w: %w: %s name %q %s", notFound, ErrInvalidName, what, name, bad)
}

// checkNames checks a lookup's names (an empty one is not looked up).
func checkNames(notFound error, whatName ...string) error {
	for i := 0; i+1 < len(whatName); i += 2 {
		if name := whatName[i+1]; name != "" {
			if err := checkName(whatName[i], name, notFound); err != nil {
				return err
			}
		}
	}
	return nil
}

func withFormat(stem, format string) []string {
	return []string{stem + "." + format + ".tmpl", stem + ".tmpl"}
}

// prefixes lists where a controller's templates are looked up:
// "admin/users" -> admin/users, admin, application.
func prefixes(controller string) []string {
	var out []string
	for c := controller; c != "" && c != "."; c = path.Dir(c) {
		out = append(out, c)
		if !strings.Contains(c, "/") {
			break
		}
	}
	if len(out) == 0 || out[len(out)-1] != "application" {
		out = append(out, "application")
	}
	return out
}

// findView finds the view: <name>.<format>.tmpl, <name>.tmpl, then the
// same action in the controller's namespaces and application/.
func (s *Set) findView(controller, name, format string) (*parsedFile, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: no template name", ErrTemplateNotFound)
	}
	if err := checkNames(ErrTemplateNotFound, "template", name, "controller", controller, "format", format); err != nil {
		return nil, err
	}
	var cands []string
	if !strings.Contains(name, "/") {
		for _, p := range prefixes(controller) {
			cands = append(cands, withFormat(p+"/"+name, format)...)
		}
	} else {
		cands = withFormat(name, format)
		if dir, action := path.Split(name); strings.TrimSuffix(dir, "/") == controller {
			for _, p := range prefixes(controller)[1:] {
				cands = append(cands, withFormat(p+"/"+action, format)...)
			}
		}
	}
	pf, err := s.first(cands)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s with format %s (searched %s)", ErrTemplateNotFound, name, format, strings.Join(cands, ", "))
	}
	return pf, err
}

// findLayout returns the layout file, or nil for none.
func (s *Set) findLayout(controller, layout string, noLayout bool, format string) (*parsedFile, error) {
	if noLayout {
		return nil, nil
	}
	if err := checkNames(ErrLayoutNotFound, "layout", layout, "controller", controller, "format", format); err != nil {
		return nil, err
	}
	if layout != "" {
		name := layout
		if !strings.HasPrefix(name, "layouts/") {
			name = "layouts/" + name
		}
		cands := withFormat(name, format)
		pf, err := s.first(cands)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s with format %s (searched %s)", ErrLayoutNotFound, layout, format, strings.Join(cands, ", "))
		}
		return pf, err
	}
	for _, p := range prefixes(controller) {
		pf, err := s.first(withFormat("layouts/"+p, format))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return pf, err
	}
	return nil, nil
}

// findPartial resolves a partial name as written in a template: "form" ->
// <controller>/_form (then its namespaces, then application/_form);
// "shared/nav" -> shared/_nav.
func (s *Set) findPartial(controller, name, format string) (*parsedFile, []string, error) {
	if err := checkNames(ErrPartialNotFound, "partial", name, "controller", controller, "format", format); err != nil {
		return nil, nil, err
	}
	dir, base := path.Split(name)
	base = "_" + strings.TrimPrefix(base, "_")
	var cands []string
	if dir != "" {
		cands = withFormat(dir+base, format)
	} else {
		for _, p := range prefixes(controller) {
			cands = append(cands, withFormat(p+"/"+base, format)...)
		}
	}
	pf, err := s.first(cands)
	return pf, cands, err
}
