package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
)

// helpersFile holds an app's typed route helpers, generated from the routes
// config/routes.go draws.
const helpersFile = "app/routes/routes.go"

// helpersPackage is where helpersFile lives, relative to the app's module.
const helpersPackage = "app/routes"

func generateRoutesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "routes",
		Short: "Regenerate app/routes/routes.go, the typed route helpers, from config/routes.go",
		Long: `Regenerate app/routes/routes.go: one Go function per named route, such as
EditPostPath(id) and PostURL(base, id), so that a link to a route that does not
exist does not compile. Views get the same helpers as edit_post_path and
post_url; a direct route (r.Direct) gets only its views' helpers
(homepage_url), which call its func. It reads the routes by running the
app's func Routes (it builds the app's packages); run it after editing
config/routes.go, or let 'go generate ./...' run it. generate and destroy controller run it
themselves. An app whose helpers are stale does not boot in test or
production.`,
		Example: "  gorails generate routes\n  go generate ./...",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			return generateRoutes(cmd.Context(), root, cmd.OutOrStdout())
		},
	}
}

// routesGenerator regenerates an app's route helpers; the controller
// generators take one so that their unit tests need not build an app.
type routesGenerator func(ctx context.Context, root string, out io.Writer) error

// generateRoutes reads the routes the app draws and writes their helpers.
func generateRoutes(ctx context.Context, root string, out io.Writer) error {
	module, err := appModule(root)
	if err != nil {
		return err
	}
	routes, directs, err := readRoutes(ctx, root, module)
	if err != nil {
		return err
	}
	src, err := helpersSource(routes, directs...)
	if err != nil {
		return err
	}
	return writeGenerated(root, helpersFile, src, out)
}

// writeGenerated writes a generated file, printing create, update or
// identical.
func writeGenerated(root, rel string, data []byte, out io.Writer) error {
	dst := filepath.Join(root, filepath.FromSlash(rel))
	old, err := os.ReadFile(dst)
	verb := "update"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		verb = "create"
	case err != nil:
		return err
	case bytes.Equal(old, data):
		generator.Status(out, "identical", rel)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	generator.Status(out, verb, rel)
	return nil
}

// readRoutes runs the app's config.Routes through dispatch.Describe in a
// small program built inside the app's module, and returns what it drew.
//
// The program imports the app's config package, which imports its
// controllers, which call the helpers: helpers that do not exist yet (a
// route just added and already linked to) or no longer exist would keep it
// from compiling. So it is built with -overlay giving app/routes a stand-in
// that defines every helper the app names (func X(...any) string) and
// nothing of the real file: the helpers never run while routes are drawn.
// Nothing is written into the app.
func readRoutes(ctx context.Context, root, module string) ([]dispatch.RouteInfo, []string, error) {
	names, err := helperNames(root, module)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "gorails-routes-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	mainDir := filepath.Join(root, "tmp", "gorails-routes")
	overlay := map[string]string{
		filepath.Join(mainDir, "main.go"):                    filepath.Join(dir, "main.go"),
		filepath.Join(root, filepath.FromSlash(helpersFile)): filepath.Join(dir, "routes.go"),
	}
	files := map[string][]byte{
		"main.go":   []byte(fmt.Sprintf(readRoutesMain, module+"/config")),
		"routes.go": stubHelpers(names),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, nil, err
		}
	}
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		return nil, nil, err
	}
	ovFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovFile, ov, 0o644); err != nil {
		return nil, nil, err
	}
	var stdout, stderr bytes.Buffer
	run := exec.CommandContext(ctx, "go", "run", "-overlay", ovFile, "./tmp/gorails-routes")
	run.Dir = root
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, nil, fmt.Errorf("reading the routes: %w (is Go installed and on PATH?)", err)
		}
		return nil, nil, fmt.Errorf("reading the routes of config/routes.go failed; fix this and run gorails generate routes:\n%s", strings.TrimSpace(stderr.String()))
	}
	var drawn struct {
		Routes  []dispatch.RouteInfo
		Directs []string
	}
	if err := json.Unmarshal(stdout.Bytes(), &drawn); err != nil {
		return nil, nil, fmt.Errorf("reading the routes: %w", err)
	}
	return drawn.Routes, drawn.Directs, nil
}

// readRoutesMain is the program readRoutes runs; %s is the app's config
// package.
const readRoutesMain = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gorails/gorails/framework/dispatch"

	app %q
)

func main() {
	routes, err := dispatch.Describe(app.Routes)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	directs, err := dispatch.DescribeDirects(app.Routes)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	drawn := map[string]any{"Routes": routes, "Directs": directs}
	if err := json.NewEncoder(os.Stdout).Encode(drawn); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// stubHelpers is the stand-in for app/routes while the routes are read.
func stubHelpers(names []string) []byte {
	var b strings.Builder
	b.WriteString("package routes\n\nimport \"github.com/gorails/gorails/framework/dispatch\"\n\n")
	b.WriteString("func Helpers() dispatch.RouteHelpers { return nil }\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\nfunc %s(...any) string { panic(\"gorails: a route helper was called while the routes were drawn\") }\n", n)
	}
	return []byte(b.String())
}

// helperNames lists the exported names the app's Go files (tests aside)
// use from its app/routes package, Helpers aside.
func helperNames(root, module string) ([]string, error) {
	pkg := module + "/" + helpersPackage
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "tmp" || name == "vendor" || name == "node_modules" || name == "testdata" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || isFile(filepath.Join(p, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil // the build reports it
		}
		local := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == pkg {
				local = "routes"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" || local == "_" || local == "." {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == local && sel.Sel.IsExported() && sel.Sel.Name != "Helpers" {
					seen[sel.Sel.Name] = true
				}
			}
			return true
		})
		return nil
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, err
}

// helper is one named route as helpersSource writes it.
type helper struct {
	route    dispatch.RouteInfo
	v        string   // the package variable: "editPostRoute"
	fn       string   // "EditPost": EditPostPath, EditPostURL
	params   []string // Go parameter names, in path order
	optional []string // the params of optional groups, given by name
	reqs     []string // the requirements as NewRouteHelper takes them
}

// helpersSource renders app/routes/routes.go for routes (as
// dispatch.Describe lists them): a helper per named route, in the order the
// routes are drawn, then one per direct route (dispatch.DescribeDirects),
// which views call as homepage_url but Go code has no function for: its
// URL is built by the func in config/routes.go, through the app's routes.
func helpersSource(routes []dispatch.RouteInfo, directs ...string) ([]byte, error) {
	var hs []helper
	fns := map[string]string{}
	for _, r := range routes {
		if r.Name == "" {
			continue
		}
		h := helper{route: r, fn: inflect.Camelize(r.Name)}
		if h.fn == "" || !token.IsIdentifier(h.fn) || !ast.IsExported(h.fn) {
			return nil, fmt.Errorf("route %s: its name makes no Go function name; rename it with dispatch.As", r.Name)
		}
		if other, ok := fns[h.fn]; ok {
			return nil, fmt.Errorf("routes %s and %s both make the helper %sPath; rename one with dispatch.As", other, r.Name, h.fn)
		}
		fns[h.fn] = r.Name
		h.v = lowerFirst(h.fn) + "Route"
		rh := dispatch.NewRouteHelper(r.Name, r.Path)
		h.optional = rh.Optional()
		for _, p := range h.optional {
			if re, ok := r.Requirements[p]; ok {
				h.reqs = append(h.reqs, p, re)
			}
		}
		for _, p := range rh.Params() {
			h.params = append(h.params, paramIdent(p))
			if re, ok := r.Requirements[p]; ok {
				h.reqs = append(h.reqs, p, re)
			}
		}
		hs = append(hs, h)
	}
	var dvs []string // the direct routes' variables
	for _, d := range directs {
		fn := inflect.Camelize(d)
		if fn == "" || !token.IsIdentifier(fn) || !ast.IsExported(fn) {
			return nil, fmt.Errorf("direct route %s: its name makes no Go name; rename it", d)
		}
		if other, ok := fns[fn]; ok {
			return nil, fmt.Errorf("routes %s and %s both make the helper %sPath; rename one", other, d, fn)
		}
		fns[fn] = d
		dvs = append(dvs, lowerFirst(fn)+"Route")
	}
	var b strings.Builder
	b.WriteString(helpersHeader)
	if len(hs)+len(dvs) > 0 {
		b.WriteString("\nvar (\n")
		for _, h := range hs {
			fmt.Fprintf(&b, "\t%s = dispatch.NewRouteHelper(%s, %s", h.v, goString(h.route.Name), goString(h.route.Path))
			for _, r := range h.reqs {
				fmt.Fprintf(&b, ", %s", goString(r))
			}
			b.WriteString(")\n")
		}
		for i, d := range directs {
			fmt.Fprintf(&b, "\t%s = dispatch.NewDirectHelper(%s) // direct route: views' %s_path and %s_url\n", dvs[i], goString(d), d, d)
		}
		b.WriteString(")\n")
	}
	for _, h := range hs {
		args := strings.Join(h.params, ", ")
		decl := ""
		if len(h.params) > 0 {
			decl = strings.Join(h.params, ", ") + " any, "
			args = ", " + args
		}
		what := h.route.Path
		if h.route.Verb != "" {
			what = h.route.Verb + " " + what
		}
		fmt.Fprintf(&b, "\n// %sPath is the path of the route %s: %s (%s).\n", h.fn, h.route.Name, what, h.route.Endpoint)
		if len(h.optional) > 0 {
			fmt.Fprintf(&b, "// Its optional params are given by name in query: %s.\n", strings.Join(h.optional, ", "))
		}
		fmt.Fprintf(&b, "func %sPath(%squery ...dispatch.Params) string { return %s.Path(query%s) }\n", h.fn, decl, h.v, args)
		fmt.Fprintf(&b, "\n// %sURL is %sPath on base, such as \"https://example.com\".\n", h.fn, h.fn)
		fmt.Fprintf(&b, "func %sURL(base string, %squery ...dispatch.Params) string { return %s.URL(base, query%s) }\n", h.fn, decl, h.v, args)
	}
	b.WriteString(helpersFooter)
	vars := make([]string, 0, len(hs)+len(dvs))
	for _, h := range hs {
		vars = append(vars, h.v)
	}
	b.WriteString(strings.Join(append(vars, dvs...), ", "))
	b.WriteString("}\n}\n")
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("generating %s: %w", helpersFile, err)
	}
	return src, nil
}

const helpersHeader = `// Code generated by gorails generate routes from config/routes.go; DO NOT EDIT.

// Package routes has a typed helper for each named route of the app, so
// that a link to a route that does not exist does not compile:
// PostPath(12) is "/posts/12", PostURL(base, 12) the same on base
// ("https://example.com"); a last dispatch.Params adds the format and query
// values. Views call them as post_path and post_url ({{post_url $ .ID}}).
// A direct route (m.Direct in config/routes.go) has only its views'
// helpers (homepage_url), which call its func in config/routes.go.
//
// Regenerate it after changing config/routes.go: go generate ./... (gorails
// generate and destroy controller do it themselves). The app does not boot
// in test or production, so its tests fail, while it is stale.
package routes

import "github.com/gorails/gorails/framework/dispatch"
`

const helpersFooter = `
// Helpers are all the helpers, for framework.Config.RouteHelpers: the
// views' template functions and the boot check against config/routes.go.
func Helpers() dispatch.RouteHelpers {
	return dispatch.RouteHelpers{`

// paramIdent is the Go parameter name of a path param: "post_id" -> postID;
// one that is a Go keyword or predeclared name, or the helpers' own
// parameter names, gets a Param suffix.
func paramIdent(p string) string {
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '_' })
	if len(parts) == 0 {
		return "param"
	}
	id := strings.ToLower(parts[0]) + inflect.Camelize(strings.Join(parts[1:], "_"))
	if !token.IsIdentifier(id) || token.IsKeyword(id) || predeclared[id] {
		id += "Param"
	}
	return id
}

var predeclared = map[string]bool{
	"query": true, "base": true, "dispatch": true, "any": true, "string": true, "int": true, "len": true, "new": true,
	"make": true, "nil": true, "true": true, "false": true, "error": true, "byte": true, "rune": true, "bool": true,
	"append": true, "copy": true, "cap": true, "close": true, "delete": true, "panic": true, "print": true, "min": true, "max": true,
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// An initialism starts it ("APIPosts"): lower all of it but the letter
	// that starts the next word.
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i <= 1:
		return strings.ToLower(s[:1]) + s[1:]
	case i == len(s):
		return strings.ToLower(s)
	default:
		return strings.ToLower(s[:i-1]) + s[i-1:]
	}
}

// goString quotes s for Go source: raw when it has backslashes (a
// regexp) and can be.
func goString(s string) string {
	if strings.Contains(s, `\`) && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
