package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/gorails/gorails"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
	"github.com/spf13/cobra"
)

// appData is what the application templates are rendered with.
type appData struct {
	Name      string // "blog"
	Module    string // the Go module path, "blog"
	Title     string // "Blog"
	GoVersion string // "1.26.8"
	GoMod     string // the require/replace blocks for the framework
	Database  string // sqlite3 (default), postgresql or mysql
}

// databases are the adapters `gorails new --database` accepts, with aliases.
var databases = map[string]string{
	"sqlite3": "sqlite3", "sqlite": "sqlite3",
	"postgresql": "postgresql", "postgres": "postgresql", "pg": "postgresql",
	"mysql": "mysql", "mariadb": "mysql",
}

func newCommand() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a new gorails application in the directory NAME",
		Long: `Create a new gorails application in the directory NAME (a path; its last
element is the app's name and Go module path).

When this gorails binary was built from a source checkout, the app's go.mod
points at that checkout with a replace directive, so the app builds offline.
Otherwise it requires the released gorails version this binary reports; run
'go mod tidy' in the app once to fetch it.`,
		Example: "  gorails new blog\n  gorails new shop --database postgresql\n  cd blog && gorails server",
		Args:    exactArgs(1, "give the new application's name, e.g. gorails new blog"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return newApp(cmd, args[0], database)
		},
	}
	cmd.Flags().StringVarP(&database, "database", "d", "sqlite3", "the database: sqlite3, postgresql or mysql")
	return cmd
}

var appNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// reservedNames cannot be app names: the module path would shadow a standard
// library package or the framework itself.
var reservedNames = strings.Fields(`gorails main test app framework vendor internal
	archive bufio builtin bytes cmp compress container context crypto database debug embed
	encoding errors expvar flag fmt go hash html image index io iter log maps math mime net
	os path plugin reflect regexp runtime slices sort strconv strings structs sync syscall
	testing text time unicode unique unsafe weak`)

func validateAppName(name string) error {
	if !appNameRE.MatchString(name) {
		return fmt.Errorf("invalid application name %q: use lowercase letters, digits, '-' and '_', starting with a letter", name)
	}
	for _, r := range reservedNames {
		if name == r {
			return fmt.Errorf("invalid application name %q: it is reserved (a Go standard library package or a gorails name); choose another", name)
		}
	}
	return nil
}

func newApp(cmd *cobra.Command, dir, database string) error {
	dst, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	name := filepath.Base(dst)
	if err := validateAppName(name); err != nil {
		return err
	}
	adapter, ok := databases[strings.ToLower(database)]
	if !ok {
		return fmt.Errorf("unknown database %q: use sqlite3, postgresql or mysql", database)
	}
	gomod, err := frameworkRequirement()
	if err != nil {
		return err
	}
	data := appData{
		Name:      name,
		Module:    name,
		Title:     camelize(name),
		GoVersion: goVersion(),
		GoMod:     gomod,
		Database:  adapter,
	}
	files, err := renderApp(data)
	if err != nil {
		return err
	}
	files = append(files, generator.File{Path: "go.sum", Data: []byte(gorails.GoSum), Mode: 0o644})
	slices.SortFunc(files, func(a, b generator.File) int { return strings.Compare(a.Path, b.Path) })
	if err := generator.WriteTree(dst, files, cmd.OutOrStdout()); err != nil {
		if errors.Is(err, generator.ErrNotEmpty) {
			return fmt.Errorf("cannot create the application: %s exists and is not empty; choose a new directory", dir)
		}
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\nYour application is ready:\n  cd %s\n  gorails server\n", dir)
	return nil
}

// initialRoutes are the routes a new app's config/routes.go draws, as
// dispatch.Describe lists them: the welcome page at the root.
var initialRoutes = []dispatch.RouteInfo{{Name: "root", Verb: "GET", Path: "/", Endpoint: "welcome#index"}}

// renderApp renders a new app's files: the templates (its first migration,
// the jobs table, among them) and the route helpers of its first routes, written by the code that regenerates them
// later (the app's tests check they match config/routes.go).
func renderApp(data appData) ([]generator.File, error) {
	files, err := generator.Render(templates.FS, "app", data, nil)
	if err != nil {
		return nil, err
	}
	helpers, err := helpersSource(initialRoutes)
	if err != nil {
		return nil, err
	}
	files = append(files, generator.File{Path: helpersFile, Data: helpers, Mode: 0o644})
	slices.SortFunc(files, func(a, b generator.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// frameworkRequirement writes the go.mod lines that make the app require
// gorails: a replace to the source checkout this binary was built from when
// there is one, the released version otherwise; plus the framework's own
// requirements, so that go.sum (a copy of the framework's) covers the build.
func frameworkRequirement() (string, error) {
	var b strings.Builder
	src := sourceCheckout()
	version := gorails.Version()
	if src == "" && version == "devel" {
		return "", errors.New("cannot find the gorails source this binary was built from (it was built with -trimpath or the checkout moved); rebuild gorails with 'make build' in a checkout, or install a released version")
	}
	if src != "" {
		version = "v0.0.0-00010101000000-000000000000"
	}
	fmt.Fprintf(&b, "require %s %s\n", gorails.ModulePath, version)
	if reqs := requirements(gorails.GoMod); len(reqs) > 0 {
		b.WriteString("\nrequire (\n")
		for _, r := range reqs {
			fmt.Fprintf(&b, "\t%s // indirect\n", r)
		}
		b.WriteString(")\n")
	}
	if src != "" {
		fmt.Fprintf(&b, "\nreplace %s => %s\n", gorails.ModulePath, src)
	}
	return b.String(), nil
}

// requirements lists the "path version" requirements of a go.mod file.
func requirements(gomod string) []string {
	var reqs []string
	inBlock := false
	sc := bufio.NewScanner(strings.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "require (":
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock && line != "":
			reqs = append(reqs, line)
		case strings.HasPrefix(line, "require "):
			reqs = append(reqs, strings.TrimSpace(strings.TrimPrefix(line, "require ")))
		}
	}
	return reqs
}

// sourceCheckout returns the directory of the gorails checkout this binary
// was compiled from, or "" when there is none (a -trimpath or moved build).
func sourceCheckout() string {
	if dir := os.Getenv("GORAILS_SOURCE"); dir != "" {
		return dir
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // cmd/gorails/new.go -> checkout
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module "+gorails.ModulePath+"\n") {
		return ""
	}
	return root
}

// goVersion is the go directive for new apps: the framework's own.
func goVersion() string {
	for _, line := range strings.Split(gorails.GoMod, "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	return strings.TrimPrefix(runtime.Version(), "go")
}

// camelize turns "my_blog" or "my-blog" into "MyBlog".
func camelize(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '_' || r == '-':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("expected %d argument(s), got %d: %s", n, len(args), hint)
		}
		return nil
	}
}
