package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
)

// destroyAuthenticationCommand is `gorails destroy authentication`.
func destroyAuthenticationCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "authentication",
		Short: "Remove what generate authentication created and undo its edits",
		Long: `Remove what gorails generate authentication wrote: the User and Session
models, their create_users and create_sessions migrations, the sessions,
passwords and registrations controllers with their views and tests, the
passwords mailer and its views, and the system tests; and undo its edits to
app/controllers/application_controller.go, config/application.go,
config/routes.go, app/mailers/mailers.go, the layout,
app/controllers/welcome_controller.go and the scaffolds' tests (signedIn(tc)
becomes tc.Session() again). Then the route helpers are regenerated.

Every change is planned before one is written: if a line generate
authentication added was changed since, nothing is written and each changed
line is listed (file:line), to put back or undo by hand. The app's own code
that still refers to what is removed (models.User, CurrentUser,
new_session_path...) is listed as warnings: it stops the build until changed.

The users and sessions tables are not dropped. If the migrations were
applied, roll them back BEFORE destroying (gorails db:rollback --step 2,
while they are the last two applied; gorails db:migrate:status shows them):
once their files are gone they cannot be rolled back.`,
		Example: "  gorails db:rollback --step 2\n  gorails destroy authentication",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			broken, err := destroyAuthentication(root, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			if err := regenerateAfter("authentication was removed", cmd, root); err != nil {
				if !broken {
					return err
				}
				// It needs the app's code to build, which the warnings said
				// it does not.
				generator.Status(cmd.OutOrStdout(), "note", helpersFile+" is regenerated once the app builds: change the lines the warnings list, then run gorails generate routes")
			}
			return nil
		},
	}
}

var (
	// errAuthNotGenerated: there is no authentication to destroy.
	errAuthNotGenerated = errors.New("authentication was not generated in this app")
	// errAuthChanged: lines generate authentication added were changed.
	errAuthChanged = errors.New("lines generate authentication added were changed")
)

// A spot is a line of an app file that is not as generate authentication
// wrote it.
type spot struct {
	path string
	line int    // 1-based
	got  string // the line now, trimmed ("" when a line is missing)
	want string // the line generate wrote, trimmed
}

func (s spot) String() string {
	if s.got == "" {
		return fmt.Sprintf("%s:%d: a line generate authentication wrote is missing: %s", s.path, s.line, s.want)
	}
	return fmt.Sprintf("%s:%d: %s (generate authentication wrote: %s)", s.path, s.line, s.got, s.want)
}

// An authBlock is lines generate authentication inserted together. keys
// tell each line apart when it was changed: the part a change likely keeps
// ("" for a line without one, such as a comment).
type authBlock struct {
	lines, keys []string
}

// normalize compares lines as gofmt leaves them: the spaces aligning a
// field's comment depend on the other fields.
func normalize(l string) string { return strings.Join(strings.Fields(l), " ") }

// remove returns lines without the block, and orig, the lines' numbers
// in the file as it was, without them too. A block no longer there is
// nothing to undo; one there but not as written gives the spots.
func (b authBlock) remove(p string, lines []string, orig []int) ([]string, []int, []spot) {
	same := func(a, b string) bool { return normalize(a) == normalize(b) }
	for i := 0; i+len(b.lines) <= len(lines); i++ {
		if slices.EqualFunc(lines[i:i+len(b.lines)], b.lines, same) {
			return slices.Delete(slices.Clone(lines), i, i+len(b.lines)), slices.Delete(slices.Clone(orig), i, i+len(b.lines)), nil
		}
	}
	var spots []spot
	base := -1 // where the block starts, by its first key line as written
	for i, l := range lines {
		for j, k := range b.keys {
			if k == "" || !strings.Contains(l, k) {
				continue
			}
			if !same(l, b.lines[j]) {
				spots = append(spots, spot{path: p, line: orig[i], got: strings.TrimSpace(l), want: strings.TrimSpace(b.lines[j])})
			} else if base < 0 {
				base = i - j
			}
		}
	}
	if len(spots) == 0 && base >= 0 { // each as written, but not together
		for k, want := range b.lines {
			i := base + k
			if i < 0 || i >= len(lines) {
				spots = append(spots, spot{path: p, line: orig[min(max(i, 0), len(lines)-1)], want: strings.TrimSpace(want)})
				break
			}
			if !same(lines[i], want) {
				spots = append(spots, spot{path: p, line: orig[i], got: strings.TrimSpace(lines[i]), want: strings.TrimSpace(want)})
				break
			}
		}
	}
	return lines, orig, spots
}

// authRevert undoes one edit of generate authentication to a file's text.
type authRevert struct {
	path string
	note string
	undo func(p, src string, d authData) (string, []spot, error)
}

// removeBlocks is an undo that removes blocks, then the import of each
// package its code no longer names (generate added it with the block).
func removeBlocks(blocks []authBlock, imports map[string]string) func(p, src string, d authData) (string, []spot, error) {
	return func(p, src string, d authData) (string, []spot, error) {
		lines := strings.Split(src, "\n")
		orig := make([]int, len(lines))
		for i := range orig {
			orig[i] = i + 1
		}
		var spots []spot
		for _, b := range blocks {
			var s []spot
			lines, orig, s = b.remove(p, lines, orig)
			spots = append(spots, s...)
		}
		out := strings.Join(lines, "\n")
		for name, imp := range imports {
			imp = strings.ReplaceAll(imp, "MODULE", d.Module)
			if !packageUsed(out, name) {
				out = removeImport(out, imp)
			}
		}
		return out, spots, nil
	}
}

// packageUsed reports whether Go source names package name (name.X
// outside comments and strings).
func packageUsed(src, name string) bool {
	var s scanner.Scanner
	s.Init(token.NewFileSet().AddFile("", -1, len(src)), []byte(src), nil, 0)
	prev := ""
	for {
		_, tok, lit := s.Scan()
		switch {
		case tok == token.EOF:
			return false
		case tok == token.PERIOD && prev == name:
			return true
		case tok == token.IDENT:
			prev = lit
		default:
			prev = ""
		}
	}
}

// removeImport undoes addImport: the import line goes, with the blank line
// addImport put before it, and a block left with one import becomes the
// single import it was.
func removeImport(src, imp string) string {
	lines := strings.Split(src, "\n")
	i := slices.Index(lines, "\t"+strconv.Quote(imp))
	if i < 0 {
		return src
	}
	lines = slices.Delete(lines, i, i+1)
	if i > 0 && i < len(lines) && lines[i-1] == "" && lines[i] == ")" {
		lines = slices.Delete(lines, i-1, i)
	}
	if start := slices.Index(lines, "import ("); start >= 0 && start+2 < len(lines) && lines[start+2] == ")" && strings.HasPrefix(lines[start+1], "\t\"") {
		lines = slices.Replace(lines, start, start+3, "import "+strings.TrimSpace(lines[start+1]))
	}
	return strings.Join(lines, "\n")
}

// authReverts undo the edits of generate authentication, in the order
// generate made them.
func authReverts() []authRevert {
	var routes []authBlock
	for i, r := range authRoutes {
		routes = append(routes, authBlock{lines: []string{r}, keys: []string{authRouteKeys[i]}})
	}
	return []authRevert{
		{"app/controllers/application_controller.go", "authentication required by default", removeBlocks([]authBlock{
			{lines: []string{authEmbedLine}, keys: []string{"\tAuthentication"}},
			{lines: authCallbackLines, keys: []string{"", "", "resumeSession", "requireAuthentication"}},
		}, nil)},
		{"config/application.go", "the authentication boot step", removeBlocks([]authBlock{
			{lines: authBootLines, keys: []string{"", "", "InstallAuthentication", "", ""}},
		}, map[string]string{"controllers": "MODULE/app/controllers"})},
		{routesFile, "session, passwords and registration routes", removeBlocks(routes, nil)},
		{"app/views/layouts/application.html.tmpl", "sign in, sign up and sign out links", removeBlocks([]authBlock{
			{lines: []string{sessionNav}, keys: []string{`id="session_nav"`}},
		}, nil)},
		{"app/controllers/welcome_controller.go", "the welcome page stays public", removeBlocks([]authBlock{
			{lines: strings.Split(strings.TrimSuffix(welcomeCallbacks, "\n"), "\n"), keys: []string{"", "", "", "allowUnauthenticatedAccess", ""}},
		}, map[string]string{"controller": "github.com/gorails/gorails/framework/controller"})},
		{mailersFile, "register the passwords mailer", removeBlocks([]authBlock{
			{lines: []string{mailerRegisterLine(passwordsMailer)}, keys: []string{"RegisterPasswordsMailer"}},
		}, nil)},
	}
}

// authRouteKeys tell the authRoutes apart when one was changed.
var authRouteKeys = []string{`r.Resource("session"`, `"session/all"`, `r.Resources("passwords"`, `r.Resource("registration"`}

// authRouteNames are the named routes of authRoutes: their helpers
// (new_session_path, routes.NewSessionPath) go with them.
var authRouteNames = []string{
	"new_session", "edit_session", "session", "all_sessions",
	"passwords", "new_password", "edit_password", "password",
	"new_registration", "edit_registration", "registration",
}

// undoSignedIn undoes useSignedIn in a test of the app: signedIn(tc) is
// tc.Session() again, and a system test no longer signs its browser in.
func undoSignedIn(p, src string) (string, []spot) {
	out := strings.ReplaceAll(src, "signedIn(tc)", "tc.Session()")
	out = strings.Replace(out, browserLine+signInLine, browserLine, 1)
	var spots []spot
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if i > 0 && lines[i-1]+"\n" == browserLine && strings.Contains(l, "signIn(b)") {
			spots = append(spots, spot{path: p, line: i + 1, got: strings.TrimSpace(l), want: strings.TrimSpace(signInLine)})
		}
	}
	return out, spots
}

// authPlan is everything destroy authentication will do, planned before
// anything is written.
type authPlan struct {
	reverts  []edit   // the edited files as they were
	remove   []string // the generated files
	spots    []spot   // lines changed since: nothing is done
	warnings []string // the app's code that still refers to what goes
}

// destroyAuthentication removes what generateAuthentication created and
// undoes its edits. Nothing is written when a line it added was changed.
// broken tells that the app's own Go code still refers to what went (the
// warnings say where): it does not build until changed.
func destroyAuthentication(root string, out io.Writer) (broken bool, err error) {
	plan, migrations, err := planDestroyAuthentication(root)
	if err != nil {
		return false, err
	}
	if len(plan.spots) > 0 {
		var b strings.Builder
		for _, s := range plan.spots {
			b.WriteString("\n  " + s.String())
		}
		return false, fmt.Errorf("%w, so nothing was removed:%s\nput them back as generate authentication wrote them (or undo authentication by hand, see docs/guides/authentication.md), then run it again", errAuthChanged, b.String())
	}
	for _, e := range plan.reverts {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(e.path)), e.data, 0o644); err != nil {
			return false, err
		}
		generator.Status(out, "revoke", e.path+" ("+e.note+")")
	}
	if err := generator.Remove(root, plan.remove, out); err != nil {
		return false, err
	}
	var dirs []string // emptied directories, deepest first
	for _, p := range plan.remove {
		for d := path.Dir(p); d != "." && !slices.Contains(dirs, d); d = path.Dir(d) {
			dirs = append(dirs, d)
		}
	}
	slices.SortFunc(dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range dirs {
		if os.Remove(filepath.Join(root, filepath.FromSlash(d))) == nil { // only when empty
			generator.Status(out, "remove", d)
		}
	}
	for _, w := range plan.warnings {
		generator.Status(out, "warning", w)
		broken = broken || strings.Contains(w, "does not build")
	}
	generator.Status(out, "note", migrationNote(root, migrations))
	return broken, nil
}

// planDestroyAuthentication plans destroyAuthentication, returning the
// migrations it removes too.
func planDestroyAuthentication(root string) (authPlan, []string, error) {
	var plan authPlan
	module, err := appModule(root)
	if err != nil {
		return plan, nil, err
	}
	d := authData{Module: module, Name: filepath.Base(module)}
	const authFile = "app/controllers/authentication.go"
	if !exists(root, authFile) && !exists(root, signedInHelper) {
		return plan, nil, fmt.Errorf("%w: it has neither %s nor %s, which gorails generate authentication writes", errAuthNotGenerated, authFile, signedInHelper)
	}
	files, err := renderGo("authentication", d)
	if err != nil {
		return plan, nil, err
	}
	var migrations []string
	names, err := migrationFiles(root)
	if err != nil {
		return plan, nil, err
	}
	for _, f := range names {
		if _, n, err := migrate.ParseFileName(f); err == nil && (n == "create_users" || n == "create_sessions") {
			migrations = append(migrations, migrateDir+"/"+f)
		}
	}
	// The system tests' shared setup goes with the last of them.
	const systemApp = "test/system/app_test.go"
	keepSystemApp := false
	if entries, err := os.ReadDir(filepath.Join(root, "test", "system")); err == nil {
		for _, e := range entries {
			p := "test/system/" + e.Name()
			if p != systemApp && !slices.ContainsFunc(files, func(f generator.File) bool { return f.Path == p }) {
				keepSystemApp = true
			}
		}
	}
	var removed []generator.File // the Go files removed, for the references left
	for _, f := range slices.Backward(files) {
		if f.Path == systemApp && keepSystemApp {
			continue
		}
		plan.remove = append(plan.remove, f.Path)
		if strings.HasSuffix(f.Path, ".go") {
			removed = append(removed, f)
		}
	}
	for _, m := range slices.Backward(migrations) {
		plan.remove = append(plan.remove, m)
	}

	edited := map[string]string{} // path: its text once reverted
	for _, r := range authReverts() {
		src, err := readAppFile(root, r.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return plan, nil, err
		}
		reverted, spots, err := r.undo(r.path, src, d)
		if err != nil {
			return plan, nil, err
		}
		plan.spots = append(plan.spots, spots...)
		if err := planRevert(&plan, edited, r.path, src, reverted, r.note); err != nil {
			return plan, nil, err
		}
	}
	tests, err := appTests(root)
	if err != nil {
		return plan, nil, err
	}
	for _, p := range tests {
		if slices.Contains(plan.remove, p) {
			continue
		}
		src, err := readAppFile(root, p)
		if err != nil {
			return plan, nil, err
		}
		reverted, spots := undoSignedIn(p, src)
		plan.spots = append(plan.spots, spots...)
		if err := planRevert(&plan, edited, p, src, reverted, "its pages need no signed-in user"); err != nil {
			return plan, nil, err
		}
	}
	slices.Reverse(plan.reverts) // undone in the reverse order of generate's
	if len(plan.spots) > 0 {
		return plan, migrations, nil
	}
	plan.warnings, err = authReferences(root, removed, plan.remove, edited)
	return plan, migrations, err
}

// planRevert adds the revert of a file when it changes it, formatting Go
// as generate did.
func planRevert(plan *authPlan, edited map[string]string, p, src, reverted, note string) error {
	if reverted == src {
		return nil
	}
	if strings.HasSuffix(p, ".go") {
		b, err := format.Source([]byte(reverted))
		if err != nil {
			return fmt.Errorf("%s: without the authentication lines it does not parse: %w", p, err)
		}
		reverted = string(b)
	}
	edited[p] = reverted
	plan.reverts = append(plan.reverts, edit{path: p, data: []byte(reverted), note: note})
	return nil
}

// appTests are the controller and system tests generate authentication
// makes sign in (editControllerTests), and scaffolds generated after it.
func appTests(root string) ([]string, error) {
	var out []string
	for _, pattern := range []string{"app/controllers/*_controller_test.go", "test/system/*_test.go"} {
		paths, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil {
			return nil, err
		}
		for _, full := range paths {
			rel, err := filepath.Rel(root, full)
			if err != nil {
				return nil, err
			}
			out = append(out, filepath.ToSlash(rel))
		}
	}
	return out, nil
}

func exists(root, p string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
	return err == nil
}

// migrationNote says what becomes of the tables: the migrations are
// removed, not rolled back, which needs them.
func migrationNote(root string, migrations []string) string {
	schema, err := readAppFile(root, "db/schema.sql")
	applied := migrate.SchemaVersions(schema)
	var ran []string
	for _, m := range migrations {
		if v, n, err := migrate.ParseFileName(path.Base(m)); err == nil && applied[v] {
			ran = append(ran, n)
		}
	}
	if err != nil || len(ran) == 0 {
		return "migrations are removed, not rolled back: if db:migrate applied create_users and create_sessions, " +
			"the users and sessions tables stay; roll them back before destroying (gorails db:rollback --step 2 " +
			"while they are the last two applied), or drop the tables by hand"
	}
	return "db/schema.sql records " + strings.Join(ran, " and ") + " as applied: the users and sessions tables stay; " +
		"restore the removed files (git checkout), run gorails db:rollback --step 2 (while they are the last two applied: " +
		"gorails db:migrate:status), then destroy again; or drop the tables by hand"
}

// authReferences lists the lines of the app's own code (its Go files and
// views, as they will be) that still name what destroy authentication
// removes: they stop the build, or break a page, until changed.
func authReferences(root string, removed []generator.File, removing []string, edited map[string]string) ([]string, error) {
	decls, selectors, err := authDecls(removed)
	if err != nil {
		return nil, err
	}
	module, err := appModule(root)
	if err != nil {
		return nil, err
	}
	var helpers []string
	var views []string
	for _, n := range authRouteNames {
		helpers = append(helpers, inflect.Camelize(n)+"Path", inflect.Camelize(n)+"URL")
		views = append(views, n)
	}
	decls["app/routes"] = helpers
	viewRE := regexp.MustCompile(`\b(CurrentUser|(` + strings.Join(views, "|") + `)_(path|url))\b`)
	var warnings []string
	err = filepath.WalkDir(root, func(full string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		p := filepath.ToSlash(rel)
		if e.IsDir() {
			if p != "." && (strings.HasPrefix(e.Name(), ".") || slices.Contains([]string{"tmp", "log", "storage", "public", "node_modules", "vendor"}, p)) {
				return filepath.SkipDir
			}
			return nil
		}
		if slices.Contains(removing, p) || p == helpersFile {
			return nil
		}
		isGo, isView := strings.HasSuffix(p, ".go"), strings.HasSuffix(p, ".tmpl")
		if !isGo && !isView {
			return nil
		}
		src, ok := edited[p]
		if !ok {
			b, err := os.ReadFile(full)
			if err != nil {
				return err
			}
			src = string(b)
		}
		if isView {
			for i, l := range strings.Split(src, "\n") {
				if m := viewRE.FindString(l); m != "" {
					warnings = append(warnings, fmt.Sprintf("%s:%d still refers to %s; change it: the page fails without authentication", p, i+1, m))
				}
			}
			return nil
		}
		for _, r := range goReferences(p, src, module, decls, selectors) {
			warnings = append(warnings, fmt.Sprintf("%s still refers to %s; change it: the app does not build until then", r[0], r[1]))
		}
		return nil
	})
	return warnings, err
}

// authDecls returns the names the removed Go files declare, by package
// folder, and the fields and methods they give ApplicationController
// (c.CurrentUser, c.Auth()): those of a type they do not declare, and the
// fields of the Authentication it embeds.
func authDecls(files []generator.File) (map[string][]string, []string, error) {
	decls := map[string][]string{}
	var selectors []string
	var methods []*ast.FuncDecl
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f.Path, f.Data, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		dir := path.Dir(f.Path)
		for _, decl := range file.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv != nil {
					methods = append(methods, decl)
				} else {
					decls[dir] = append(decls[dir], decl.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						decls[dir] = append(decls[dir], spec.Name.Name)
						if st, ok := spec.Type.(*ast.StructType); ok && spec.Name.Name == "Authentication" {
							for _, field := range st.Fields.List {
								for _, n := range field.Names {
									selectors = append(selectors, n.Name)
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							decls[dir] = append(decls[dir], n.Name)
						}
					}
				}
			}
		}
	}
	for _, m := range methods {
		recv := m.Recv.List[0].Type
		if star, ok := recv.(*ast.StarExpr); ok {
			recv = star.X
		}
		if id, ok := recv.(*ast.Ident); ok && !slices.ContainsFunc(files, func(f generator.File) bool {
			return slices.Contains(decls[path.Dir(f.Path)], id.Name)
		}) {
			selectors = append(selectors, m.Name.Name)
		}
	}
	return decls, selectors, nil
}

// goReferences scans Go source for pkg.Name (pkg imported from a folder of
// the app with decls), a bare Name in a file of such a folder, and
// .Selector in app/controllers; it returns "file:line" and what is named,
// once a line.
func goReferences(p, src, module string, decls map[string][]string, selectors []string) [][2]string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
	if err != nil {
		return nil // not Go the compiler takes: not ours to judge
	}
	pkgs := map[string]string{} // local name: app folder
	for _, imp := range file.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		dir, ok := strings.CutPrefix(ip, module+"/")
		if !ok {
			continue
		}
		name := path.Base(dir)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		pkgs[name] = dir
	}
	here := path.Dir(p)
	var s scanner.Scanner
	tf := fset.AddFile(p, -1, len(src))
	s.Init(tf, []byte(src), nil, 0)
	var out [][2]string
	lastLine := 0
	var prev, prev2 token.Token
	var prevLit string
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		line := tf.Line(pos)
		if tok == token.IDENT && line != lastLine {
			what := ""
			switch {
			case prev == token.PERIOD && prev2 == token.IDENT && slices.Contains(decls[pkgs[prevLit]], lit):
				what = prevLit + "." + lit
			case prev == token.PERIOD && here == "app/controllers" && slices.Contains(selectors, lit):
				what = "." + lit
			case prev != token.PERIOD && slices.Contains(decls[here], lit):
				what = lit
			}
			if what != "" {
				out = append(out, [2]string{fmt.Sprintf("%s:%d", p, line), what})
				lastLine = line
			}
		}
		if tok == token.IDENT && prev != token.PERIOD {
			prevLit = lit
		}
		prev2, prev = prev, tok
	}
	return out
}
