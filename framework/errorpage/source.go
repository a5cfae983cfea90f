package errorpage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// debugLine is one line of a source excerpt.
type debugLine struct {
	N    int
	Text string
	Bad  bool // the line the excerpt is about
}

// excerpt returns lines from..to of src (1-based, clamped), marking mark.
func excerpt(src []byte, from, to, mark int) []debugLine {
	lines := strings.Split(string(src), "\n")
	var out []debugLine
	for n := max(from, 1); n <= min(to, len(lines)); n++ {
		out = append(out, debugLine{N: n, Text: strings.TrimRight(lines[n-1], "\r"), Bad: n == mark})
	}
	return out
}

// around is the excerpt of line with context lines either side.
func around(src []byte, line, context int) []debugLine {
	return excerpt(src, line-context, line+context, line)
}

// appFile reads file when it lies inside root, the app's directory, and
// returns its path relative to root. Files outside (the framework, the
// standard library, modules) are not read: the page shows the app's code.
func appFile(root, file string) (src []byte, rel string, ok bool) {
	if root == "" || !filepath.IsAbs(file) {
		return nil, "", false
	}
	rel, err := filepath.Rel(root, filepath.FromSlash(file))
	if err != nil || !filepath.IsLocal(rel) {
		return nil, "", false
	}
	src, err = os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, "", false
	}
	return src, filepath.ToSlash(rel), true
}

// sourceFromFS returns the lines around line of file in fsys, or nil.
func sourceFromFS(fsys fs.FS, file string, line int) []debugLine {
	if fsys == nil || line < 1 {
		return nil
	}
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil
	}
	return around(src, line, 3)
}

// actionSource is where an action is declared in the app's code.
type actionSource struct {
	Type       string // "PostsController"
	Method     string // "Show"
	File       string // absolute
	Start, End int    // the lines of its func and of its closing brace
}

// locateAction finds the method that serves action ("show") of the
// controller at path ("posts", "admin/users") among the Go files under
// root/app/controllers: a method whose snake_case name is action, of a type
// whose name without "Controller", snake_cased, is the path's last segment
// or the whole path joined with "_" (admin/users: UsersController or
// AdminUsersController). Dispatch derives the names the same way.
func locateAction(root, path, action string) (actionSource, bool) {
	if root == "" || path == "" || action == "" {
		return actionSource{}, false
	}
	last := path[strings.LastIndexByte(path, '/')+1:]
	joined := strings.ReplaceAll(path, "/", "_")
	var found actionSource
	dir := filepath.Join(root, "app", "controllers")
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || found.File != "" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 || inflect.Underscore(fn.Name.Name) != action {
				continue
			}
			typ := receiverType(fn.Recv.List[0].Type)
			if name := inflect.Underscore(strings.TrimSuffix(typ, "Controller")); name != last && name != joined {
				continue
			}
			found = actionSource{Type: typ, Method: fn.Name.Name, File: p,
				Start: fset.Position(fn.Pos()).Line, End: fset.Position(fn.End()).Line}
			return fs.SkipAll
		}
		return nil
	})
	return found, found.File != ""
}

func receiverType(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// controllerTitle is an action as a Rails developer reads it:
// ("posts", "show") -> "PostsController#show", ("admin/users", "index") ->
// "admin/UsersController#index".
func controllerTitle(path, action string) string {
	ns, last := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		ns, last = path[:i+1], path[i+1:]
	}
	return ns + inflect.Camelize(last) + "Controller#" + action
}
