package main

import (
	"fmt"
	"go/token"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
)

// Namespaced names (Rails' admin/post or Admin::Post) keep the app's one
// package per layer: the model is models.AdminPost (app/models/admin_post.go,
// table admin_posts, as Rails' Admin::Post with table_name_prefix "admin_"),
// the controller controllers.AdminPostsController
// (app/controllers/admin_posts_controller.go), and only the views, which are
// not Go, are nested: app/views/admin/posts. config/routes.go draws it inside
// r.Namespace("admin", ...), which makes the controller's path admin/posts
// (the type name's leading Admin is the namespace) and the route names
// admin_posts, admin_post...: the helpers routes.AdminPostsPath and the
// path form_with derives from the model's name, admin_post.

var segmentRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// nsName is a generator NAME split into its namespace and its last part.
type nsName struct {
	Modules []string // "admin", "api/v1" -> ["api", "v1"]: snake_case
	Base    string   // "post", "blog_post": snake_case
}

// Flat is the name with its namespace joined by '_': "admin_post".
func (n nsName) Flat() string {
	return strings.Join(append(slices.Clone(n.Modules), inflect.Underscore(n.Base)), "_")
}

// Path is the namespace as a path: "admin", "api/v1"; "" for none.
func (n nsName) Path() string { return strings.Join(n.Modules, "/") }

// splitName parses a NAME that may be namespaced, "admin/post" or
// "Admin::Post" (not both separators); what says what it names, for the
// error messages ("model", "controller").
func splitName(what, name string) (nsName, error) {
	sep := ""
	switch {
	case strings.Contains(name, "/") && strings.Contains(name, "::"):
		return nsName{}, fmt.Errorf("invalid %s name %q: use admin/post or Admin::Post, not both separators", what, name)
	case strings.Contains(name, "/"):
		sep = "/"
	case strings.Contains(name, "::"):
		sep = "::"
	}
	if sep == "" {
		if !segmentRE.MatchString(name) {
			return nsName{}, fmt.Errorf("invalid %s name %q: use letters, digits and '_', starting with a letter, optionally namespaced (post, admin/post, Admin::Post)", what, name)
		}
		return nsName{Base: name}, nil
	}
	parts := strings.Split(name, sep)
	var n nsName
	for i, p := range parts {
		if p == "" {
			return nsName{}, fmt.Errorf("invalid %s name %q: it has an empty part; write it as admin/post or Admin::Post", what, name)
		}
		if !segmentRE.MatchString(p) || strings.HasPrefix(p, "_") || strings.HasSuffix(p, "_") {
			return nsName{}, fmt.Errorf("invalid %s name %q: each part must be letters, digits and '_', starting and ending with a letter or digit (admin/post, Admin::Post); %q is not", what, name, p)
		}
		s := inflect.Underscore(p)
		if token.IsKeyword(s) {
			return nsName{}, fmt.Errorf("invalid %s name %q: %q is a Go keyword; choose another name", what, name, s)
		}
		if i < len(parts)-1 {
			n.Modules = append(n.Modules, s)
		} else {
			n.Base = p
		}
	}
	return n, nil
}

// tabs is the indentation of a line depth blocks deep in func Routes.
func tabs(depth int) string { return strings.Repeat("\t", depth) }

// namespaceOpen is the line that opens the namespace block of module.
func namespaceOpen(module string, depth int) string {
	return tabs(depth) + fmt.Sprintf("r.Namespace(%q, func(r *dispatch.Mapper) {", module)
}

// addRouteLines inserts route lines (without indentation) at the end of
// the namespace block of modules in func Routes, opening the blocks that
// are not there at the end of their parent, and returns the lines it
// added (those already in the block are kept once). lines and end are
// what routesBody returned.
func addRouteLines(lines []string, end int, modules []string, add []string) ([]string, []string, error) {
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "func Routes(") }) + 1
	lo, hi := start, end // the block's body: lines[lo:hi], lines[hi] closes it
	lines = slices.Clone(lines)
	for i, m := range modules {
		depth := i + 1
		open := namespaceOpen(m, depth)
		at := slices.Index(lines[lo:hi], open)
		if at < 0 {
			lines = slices.Insert(lines, hi, open, tabs(depth)+"})")
			lo, hi = hi+1, hi+1
			continue
		}
		at += lo
		closing := slices.Index(lines[at+1:hi], tabs(depth)+"})")
		if closing < 0 {
			return nil, nil, fmt.Errorf("%w: the block of %s has no closing }) indented as its opening line", errRoutes, strings.TrimSpace(open))
		}
		lo, hi = at+1, at+1+closing
	}
	indent := tabs(len(modules) + 1)
	var added []string
	for _, l := range add {
		if !slices.Contains(lines[lo:hi], indent+l) {
			added = append(added, l)
		}
	}
	for i, l := range added {
		lines = slices.Insert(lines, hi+i, indent+l)
	}
	return lines, added, nil
}

// pruneNamespaces removes the namespace blocks of modules that are empty,
// innermost first.
func pruneNamespaces(lines []string, modules []string) []string {
	for depth := len(modules); depth >= 1; depth-- {
		open, closing := namespaceOpen(modules[depth-1], depth), tabs(depth)+"})"
		for i := 0; i+1 < len(lines); i++ {
			if lines[i] == open && lines[i+1] == closing {
				lines = slices.Delete(lines, i, i+2)
				break
			}
		}
	}
	return lines
}

// nsPrefix says which namespace block a route line is in, for the
// generators' output: "namespace admin: ".
func nsPrefix(modules []string) string {
	if len(modules) == 0 {
		return ""
	}
	return "namespace " + strings.Join(modules, "/") + ": "
}

// removeEmptyDirs removes the directory rel under root if it is empty, then
// up to parents of its parents that became empty (app/views/admin after
// app/views/admin/posts).
func removeEmptyDirs(root, rel string, parents int, out io.Writer) {
	for i := 0; i <= parents && rel != "." && rel != ""; i++ {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			return
		}
		generator.Status(out, "remove", rel)
		rel = path.Dir(rel)
	}
}
