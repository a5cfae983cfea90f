package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
	"github.com/spf13/cobra"

	"github.com/gorails/gorails/internal/inflect"
)

func generateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "generate GENERATOR NAME [args]",
		Aliases: []string{"g"},
		Short:   "Generate code inside an application (scaffold, resource, controller, model, migration, job, mailer, routes, authentication)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	var force bool
	ctrl := &cobra.Command{
		Use:   "controller NAME [action...]",
		Short: "Generate a controller, a view per action, its routes and a test",
		Long: `Generate a controller: app/controllers/NAME_controller.go with one method per
action, app/views/NAME/ACTION.html.tmpl per action, a GET route per action in
config/routes.go (r.Get("NAME/ACTION", ...)) and a test that requests each,
then regenerate the route helpers (app/routes/routes.go: NameActionPath()).
A namespaced NAME (admin/dashboard or Admin::Dashboard) gives
AdminDashboardController in app/controllers/admin_dashboard_controller.go,
views in app/views/admin/dashboard and r.Get("dashboard/ACTION", ...) inside
r.Namespace("admin", ...): the path /admin/dashboard/ACTION, the helper
AdminDashboardActionPath().
Existing files are not overwritten unless --force is given.`,
		Example: "  gorails generate controller posts index show\n  gorails g controller admin_users index\n  gorails g controller admin/dashboard index",
		Args:    minArgs(1, "give the controller's name, e.g. gorails generate controller posts index show"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			changed, err := generateController(root, args[0], args[1:], force, cmd.OutOrStdout())
			if err != nil || !changed {
				return err
			}
			return regenerateAfter("the controller was generated", cmd, root)
		},
	}
	ctrl.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	cmd.AddCommand(ctrl, generateModelCommand(), generateMigrationCommand(), scaffoldCommand(true), scaffoldCommand(false), generateJobCommand(), generateMailerCommand(), generateRoutesCommand(), generateAuthenticationCommand())
	return cmd
}

func destroyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "destroy GENERATOR NAME [args]",
		Aliases: []string{"d"},
		Short:   "Remove what generate created (scaffold, resource, controller, model, migration, job, mailer, authentication)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "controller NAME [action...]",
		Short: "Remove a generated controller, its views, its generated routes and its test",
		Long: `Remove app/controllers/NAME_controller.go and its test, the views of its
actions (the actions given, or else the methods the controller file declares)
and the route lines generate added to config/routes.go, then regenerate the
route helpers (code still linking to a removed route stops compiling). Other
references to the controller in config/routes.go are reported, not edited.
A namespaced NAME (admin/dashboard) also removes its namespace block once
it is empty.`,
		Example: "  gorails destroy controller posts\n  gorails destroy controller admin/dashboard",
		Args:    minArgs(1, "give the controller's name, e.g. gorails destroy controller posts"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			changed, err := destroyController(root, args[0], args[1:], cmd.OutOrStdout())
			if err != nil || !changed {
				return err
			}
			return regenerateAfter("the controller was removed", cmd, root)
		},
	})
	cmd.AddCommand(destroyModelCommand(), destroyMigrationCommand(), destroyScaffoldCommand(true), destroyScaffoldCommand(false), destroyJobCommand(), destroyMailerCommand(), destroyAuthenticationCommand())
	return cmd
}

// regenerateAfter regenerates the route helpers after a generator changed
// config/routes.go, saying what was already done if that fails.
func regenerateAfter(done string, cmd *cobra.Command, root string) error {
	if err := generateRoutes(cmd.Context(), root, cmd.OutOrStdout()); err != nil {
		return fmt.Errorf("%s, but %s was not regenerated: %w", done, helpersFile, err)
	}
	return nil
}

func minArgs(n int, hint string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return errors.New(hint)
		}
		return nil
	}
}

// controllerData is what the controller templates are rendered with.
type controllerData struct {
	Module  string   // the app's Go module path, "blog"
	File    string   // "posts" -> app/controllers/posts_controller.go; "admin_dashboard" for admin/dashboard
	Path    string   // controller path, the views folder: "posts", "admin/dashboard"
	Route   string   // its routes' stem inside its namespace block: "posts", "dashboard"
	Modules []string // the namespace: ["admin"] for admin/dashboard
	Type    string   // "PostsController", "AdminDashboardController"
	Actions []actionData
}

type actionData struct {
	controllerData
	Name   string // "show_all"
	Method string // "ShowAll"
	Helper string // its route's path helper in app/routes: "PostsShowAllPath"
}

var (
	controllerNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	actionNameRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// reservedActions are the methods of controller.Base (and Callbacks, and
// the DB and Jobs of a generated ApplicationController): an action by one
// of these names would hide the framework's method.
func reservedActions() []string {
	t := reflect.TypeFor[*controller.Base]()
	out := []string{"Callbacks", "DB", "Jobs"}
	for i := range t.NumMethod() {
		out = append(out, t.Method(i).Name)
	}
	return out
}

// newControllerData checks the name and actions and derives the names:
// "posts", "Posts" and "PostsController" all give posts_controller.go,
// PostsController and app/views/posts.
func newControllerData(root, name string, actions []string) (controllerData, error) {
	ns, err := splitName("controller", name)
	if err != nil {
		return controllerData{}, err
	}
	if !controllerNameRE.MatchString(ns.Base) {
		return controllerData{}, fmt.Errorf("invalid controller name %q: use letters, digits and '_', starting with a letter (posts, admin/users)", name)
	}
	route := inflect.Underscore(strings.TrimSuffix(strings.TrimSuffix(ns.Base, "Controller"), "_controller"))
	if route == "" || (route == "application" && len(ns.Modules) == 0) {
		return controllerData{}, fmt.Errorf("invalid controller name %q: choose another name", name)
	}
	module, err := appModule(root)
	if err != nil {
		return controllerData{}, err
	}
	base := nsName{Modules: ns.Modules, Base: route}.Flat()
	path := route
	if len(ns.Modules) > 0 {
		path = ns.Path() + "/" + route
	}
	d := controllerData{Module: module, File: base, Path: path, Route: route, Modules: ns.Modules, Type: camelize(base) + "Controller"}
	reserved := reservedActions()
	for _, a := range actions {
		if !actionNameRE.MatchString(a) {
			return controllerData{}, fmt.Errorf("invalid action name %q: use lowercase letters, digits and '_', starting with a letter (index, show_all)", a)
		}
		method := camelize(a)
		if slices.Contains(reserved, method) {
			return controllerData{}, fmt.Errorf("invalid action name %q: %s is a method of controller.Base; choose another name", a, method)
		}
		for _, prev := range d.Actions {
			if prev.Name == a {
				return controllerData{}, fmt.Errorf("action %q is given twice", a)
			}
		}
		d.Actions = append(d.Actions, actionData{Name: a, Method: method, Helper: inflect.Camelize(base+"_"+a) + "Path"})
	}
	for i := range d.Actions {
		d.Actions[i].controllerData = d
	}
	return d, nil
}

// appModule reads the module path from the app's go.mod.
func appModule(root string) (string, error) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`), nil
		}
	}
	return "", fmt.Errorf("%s has no module line", filepath.Join(root, "go.mod"))
}

// renderController renders the controller, its test and one view per action.
func renderController(d controllerData) ([]generator.File, error) {
	files, err := generator.Render(templates.FS, "controller/files", d, nil)
	if err != nil {
		return nil, err
	}
	for _, a := range d.Actions {
		views, err := generator.Render(templates.FS, "controller/view", a, nil)
		if err != nil {
			return nil, err
		}
		files = append(files, views...)
	}
	return files, nil
}

// routeLine is the route generate adds for an action, without its
// indentation (it goes in the namespace block of d.Modules).
func routeLine(d controllerData, a actionData) string {
	return fmt.Sprintf("r.Get(%q, dispatch.To((*controllers.%s).%s))", d.Route+"/"+a.Name, d.Type, a.Method)
}

const routesFile = "config/routes.go"

// errRoutes is returned when config/routes.go is not in the shape generate
// can edit.
var errRoutes = errors.New("cannot edit " + routesFile)

// routesBody returns the lines of routes.go and the index of the closing
// brace of func Routes.
func routesBody(src []byte) ([]string, int, error) {
	lines := strings.Split(string(src), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "func Routes(") })
	if start < 0 {
		return nil, 0, fmt.Errorf("%w: it has no func Routes(r *dispatch.Mapper)", errRoutes)
	}
	for i := start + 1; i < len(lines); i++ {
		if lines[i] == "}" {
			return lines, i, nil
		}
	}
	return nil, 0, fmt.Errorf("%w: func Routes has no closing brace at the start of a line", errRoutes)
}

// addRoutes returns routes.go with a route line per action inserted at the
// end of func Routes, and the lines it added (those already there are kept
// once).
func addRoutes(src []byte, d controllerData) ([]byte, []string, error) {
	if !bytes.Contains(src, []byte(`"github.com/gorails/gorails/framework/dispatch"`)) || !bytes.Contains(src, []byte(`/app/controllers"`)) {
		return nil, nil, fmt.Errorf("%w: it must import framework/dispatch and the app's controllers package", errRoutes)
	}
	lines, end, err := routesBody(src)
	if err != nil {
		return nil, nil, err
	}
	var want []string
	for _, a := range d.Actions {
		want = append(want, routeLine(d, a))
	}
	out, added, err := addRouteLines(lines, end, d.Modules, want)
	if err != nil {
		return nil, nil, err
	}
	return []byte(strings.Join(out, "\n")), added, nil
}

// generateController writes the controller, its views and its test under
// root and adds its routes, reporting whether config/routes.go changed (so
// the route helpers must be regenerated). Nothing is written when a file
// exists and differs (without force) or routes.go cannot be edited.
func generateController(root, name string, actions []string, force bool, out io.Writer) (routesChanged bool, err error) {
	d, err := newControllerData(root, name, actions)
	if err != nil {
		return false, err
	}
	files, err := renderController(d)
	if err != nil {
		return false, err
	}
	routesPath := filepath.Join(root, filepath.FromSlash(routesFile))
	src, err := os.ReadFile(routesPath)
	if err != nil {
		return false, err
	}
	routes, added, err := addRoutes(src, d)
	if err != nil {
		return false, err
	}
	if err := generator.Write(root, files, force, out); err != nil {
		return false, err
	}
	if len(added) == 0 {
		return false, nil
	}
	if err := os.WriteFile(routesPath, routes, 0o644); err != nil {
		return false, err
	}
	for _, l := range added {
		generator.Status(out, "route", nsPrefix(d.Modules)+l)
	}
	return true, nil
}

// methodRE finds the actions a generated controller file declares.
func methodRE(typ string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^func \(c \*` + regexp.QuoteMeta(typ) + `\) ([A-Z][A-Za-z0-9]*)\(\) error \{`)
}

// destroyController removes what generateController created, reporting
// whether config/routes.go changed.
func destroyController(root, name string, actions []string, out io.Writer) (routesChanged bool, err error) {
	d, err := newControllerData(root, name, actions)
	if err != nil {
		return false, err
	}
	ctrlFile := filepath.Join(root, "app", "controllers", d.File+"_controller.go")
	if len(d.Actions) == 0 {
		src, err := os.ReadFile(ctrlFile)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		for _, m := range methodRE(d.Type).FindAllStringSubmatch(string(src), -1) {
			d.Actions = append(d.Actions, actionData{controllerData: d, Name: inflect.Underscore(m[1]), Method: m[1]})
		}
	}
	paths := []string{
		"app/controllers/" + d.File + "_controller.go",
		"app/controllers/" + d.File + "_controller_test.go",
	}
	for _, a := range d.Actions {
		paths = append(paths, "app/views/"+d.Path+"/"+a.Name+".html.tmpl")
	}
	changed, err := removeRoutes(root, d, out)
	if err != nil {
		return false, err
	}
	if err := generator.Remove(root, paths, out); err != nil {
		return false, err
	}
	removeEmptyDirs(root, "app/views/"+d.Path, len(d.Modules), out)
	return changed, nil
}

// removeRoutes deletes the route lines generate adds for the controller,
// reports other lines that still name it, and tells whether it removed any.
func removeRoutes(root string, d controllerData, out io.Writer) (bool, error) {
	routesPath := filepath.Join(root, filepath.FromSlash(routesFile))
	src, err := os.ReadFile(routesPath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	generated := regexp.MustCompile(`^` + tabs(len(d.Modules)+1) + `r\.Get\("` + regexp.QuoteMeta(d.Route) + `/[a-z0-9_]+", dispatch\.To\(\(\*controllers\.` + regexp.QuoteMeta(d.Type) + `\)\.[A-Za-z0-9]+\)\)$`)
	lines := strings.Split(string(src), "\n")
	kept := lines[:0:0]
	var removed []string
	for i, l := range lines {
		switch {
		case generated.MatchString(l):
			removed = append(removed, strings.TrimSpace(l))
			continue
		case strings.Contains(l, "controllers."+d.Type+")") || strings.Contains(l, "controllers."+d.Type+"]"):
			fmt.Fprintf(out, "%12s  %s:%d still refers to %s; remove it by hand\n", "warning", routesFile, i+1, d.Type)
		}
		kept = append(kept, l)
	}
	if len(removed) == 0 {
		return false, nil
	}
	kept = pruneNamespaces(kept, d.Modules)
	if err := os.WriteFile(routesPath, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		return false, err
	}
	for _, l := range removed {
		generator.Status(out, "route", "remove "+nsPrefix(d.Modules)+l)
	}
	return true, nil
}
