package view

import (
	"errors"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	"text/template/parse"
)

// Check parses and compiles every template under the FS: each view inside
// its conventional layout, each layout and each partial, and runs
// html/template's escaper over them. It returns nil or the errors joined,
// each a *TemplateError reading "file:line: message". Call it at boot or
// from a test; it does not need a request. The views it compiles stay
// cached (when the Set caches), so first requests do not compile them.
func (s *Set) Check() error {
	var files []string
	err := fs.WalkDir(s.cfg.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tmpl") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return errors.Join(ErrInvalidTemplate, err)
	}
	s.mu.RLock()
	gen := s.gen
	s.mu.RUnlock()
	c := &checker{seen: make(map[string]bool)}
	for _, p := range files {
		pf, err := s.file(p)
		if err != nil {
			c.add(err)
			continue
		}
		dir, base := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		format := fileFormat(base)
		switch {
		case strings.HasPrefix(base, "_"):
			b := s.newBuilder(dir, format, pf.path)
			b.addFile(pf, pf.path, false)
			c.unit(b.u, b.resolve())
		case dir == "layouts" || strings.HasPrefix(dir, "layouts/"):
			empty := &parsedFile{path: p, body: &parse.Tree{Name: p, ParseName: p, Root: &parse.ListNode{NodeType: parse.NodeList}}}
			u, err := s.compilePair(strings.TrimPrefix(strings.TrimPrefix(dir, "layouts"), "/"), format, empty, pf, nil)
			c.unit(u, err)
		default:
			lay, err := s.findLayout(dir, "", false, format)
			if err != nil {
				c.add(err)
				continue
			}
			u, err := s.compilePair(dir, format, pf, lay, nil)
			if c.unit(u, err) {
				s.remember(pairKey(dir, format, pf, lay, nil), u, gen)
			}
		}
	}
	return errors.Join(c.errs...)
}

// fileFormat is the format of "index.html.tmpl" ("html"); a file without
// one ("index.tmpl") is checked as html.
func fileFormat(base string) string {
	stem := strings.TrimSuffix(base, ".tmpl")
	if i := strings.LastIndexByte(stem, '.'); i >= 0 {
		return stem[i+1:]
	}
	return "html"
}

type checker struct {
	errs []error
	seen map[string]bool
}

func (c *checker) add(err error) {
	if err == nil || c.seen[err.Error()] {
		return
	}
	c.seen[err.Error()] = true
	c.errs = append(c.errs, err)
}

// unit runs html/template's escaper over u's templates (html only). The
// escaper only runs on execution, so each template is executed with nil
// data into a writer that fails on the first write: execution stops at once
// (at the first output or field access) and its errors are ignored;
// escaping errors, which come before it, are reported.
func (c *checker) unit(u *unit, err error) (ok bool) {
	if err != nil {
		c.add(err)
		return false
	}
	if u.format != "html" {
		return true
	}
	ok = true
	names := []string{u.root}
	for _, t := range u.partials {
		names = append(names, t)
	}
	for _, name := range names {
		err := u.exec(failWriter{}, name, nil)
		var he *htmltemplate.Error
		if errors.As(err, &he) {
			c.add(escapeError(he, u))
			ok = false
		}
	}
	return ok
}

// failWriter stops a Check execution at its first output.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("check: no output") }

func escapeError(he *htmltemplate.Error, u *unit) *TemplateError {
	if he.Node != nil {
		loc, _ := (*parse.Tree)(nil).ErrorContext(he.Node)
		te := parseLocated(loc+": "+he.Description, u.file)
		return te
	}
	file := u.names[he.Name]
	if file == "" {
		file = he.Name
	}
	return &TemplateError{File: file, Line: he.Line, Msg: he.Description}
}
