package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
	"github.com/gorails/gorails/templates"
	"github.com/spf13/cobra"
)

// scaffoldData is what templates/scaffold and templates/resource render:
// the model's data plus the resource's names.
type scaffoldData struct {
	modelData
	Singular       string   // "blog_post", "admin_post": the param key, the partial, the helpers' stem
	Plural         string   // "blog_posts", "admin_posts": the table, the controller's file
	Modules        []string // the namespace: ["admin"] for admin/post
	Resource       string   // "blog_posts", "posts": r.Resources' name inside the namespace block
	ViewDir        string   // "blog_posts", "admin/posts": the views' folder, the controller's path
	URL            string   // "/blog_posts", "/admin/posts": the list's path
	PluralType     string   // "BlogPosts": routes.BlogPostsPath, the controller's list field
	Controller     string   // "BlogPostsController"
	Var, VarPlural string   // "blogPost", "blogPosts": Go variables
	Human          string   // "blog post"
	HumanCap       string   // "Blog post"
	HumanPlural    string   // "blog posts"
	HumanPluralCap string   // "Blog posts"
	Permit         string   // `"title", "body"`: the Permit arguments
	FormFields     []scaffoldField
	ShowFields     []scaffoldField
	Refs           []columnArg // references, all with a RefType
	HasUnique      bool        // some form field has a unique index
	// RouteType and RoutePluralType name the route helpers in app/routes,
	// which use Go's initialisms as every route helper does: the scaffold
	// UniqueUuid has the helpers UniqueUUIDPath and UniqueUuidsPath.
	RouteType, RoutePluralType string
}

// scaffoldField is a field as the form and the record partial show it.
type scaffoldField struct {
	columnArg
	Human    string // "Published at"
	FormCall string // {{.TextField "title"}}
	ShowCall string // {{.Title}}
	Sample   string // a valid form value, for the generated test
	// UpdateSample is, for a unique field, another valid value the update
	// test sets (the created record holds Sample, the fixtures theirs); ""
	// where the type has no third value (boolean, references): the update
	// test leaves the field out.
	UpdateSample string
}

// scaffoldCommand is `gorails generate scaffold` (full) or `generate resource`.
func scaffoldCommand(full bool) *cobra.Command {
	var force bool
	use, short, long := "scaffold", "Generate a model, its migration, a controller with the seven actions (HTML and JSON), views, routes and tests",
		`Generate a complete resource, as Rails' scaffold: the model and its migration
(as generate model), app/controllers/PLURAL_controller.go with index, show,
new, edit, create, update and destroy answering HTML and JSON (201, 422 with
the errors, 204), strong params, views (index, show, new, edit, _form and the
record partial, with an error summary and per-field errors), a controller
test, a system test in headless Chromium (test/system/PLURAL_test.go), and
r.Resources("PLURAL", ...) in config/routes.go; then the route
helpers are regenerated. A references field (author:references) needs its
model first: it becomes a required BelongsTo, an index, a foreign key and a
select in the form. Run gorails db:migrate next.

`+namespaceHelp+`

Types: `+typeNames+`.`
	example := "  gorails generate scaffold Post title:string body:text published:boolean\n  gorails g scaffold Comment body:text post:references\n  gorails g scaffold admin/post title:string"
	if !full {
		use, short = "resource", "Generate a model, its migration, an empty controller and its resources route"
		long = `Generate the model and its migration (as generate model), an empty
app/controllers/PLURAL_controller.go and r.Resources("PLURAL", ...) in
config/routes.go, which draws a route for each of Rails' seven actions the
controller gets. Then the route helpers are regenerated.

` + namespaceHelp + `

Types: ` + typeNames + `.`
		example = "  gorails generate resource Tag name:string:uniq\n  gorails g resource Admin::Tag name:string"
	}
	cmd := &cobra.Command{
		Use:     use + " NAME [field[:type][:index|:uniq]...]",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    minArgs(1, "give the model's name, e.g. gorails generate "+use+" Post title:string body:text"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			if err := generateScaffold(root, args[0], args[1:], full, time.Now(), force, cmd.OutOrStdout()); err != nil {
				return err
			}
			return regenerateAfter("the "+use+" was generated", cmd, root)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	return cmd
}

// destroyScaffoldCommand is `gorails destroy scaffold|resource NAME`.
func destroyScaffoldCommand(full bool) *cobra.Command {
	use := "scaffold"
	if !full {
		use = "resource"
	}
	return &cobra.Command{
		Use:   use + " NAME",
		Short: "Remove what generate " + use + " created",
		Long: `Remove the model, its test, fixtures and create migration, the controller and its
tests (the system test too), the views, and the resources line in config/routes.go, then regenerate
the route helpers. A migration that was applied should be rolled back first
(gorails db:rollback). Files shared with the app (public/assets) stay.
A namespaced NAME (admin/post) also removes its line from the namespace
block of config/routes.go, and the block once it is empty.`,
		Example: "  gorails destroy " + use + " Post\n  gorails destroy " + use + " admin/post",
		Args:    exactArgs(1, "give the model's name, e.g. gorails destroy "+use+" Post"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			changed, err := destroyScaffold(root, args[0], full, cmd.OutOrStdout())
			if err != nil || !changed {
				return err
			}
			return regenerateAfter("the "+use+" was removed", cmd, root)
		},
	}
}

// namespaceHelp is what the scaffold and resource help say of namespaced names.
const namespaceHelp = `NAME may be namespaced, as Rails' admin/post or Admin::Post: the model is
models.AdminPost (app/models/admin_post.go, table admin_posts), the
controller controllers.AdminPostsController
(app/controllers/admin_posts_controller.go), the views app/views/admin/posts,
and the route r.Resources("posts", ...) goes inside
r.Namespace("admin", ...) in config/routes.go (one block per namespace), so
the paths are /admin/posts and the helpers AdminPostsPath, AdminPostPath.`

var errPluralIsSingular = errors.New("its plural is the same word")

// newScaffoldData checks the name and fields and derives every name.
func newScaffoldData(root, name string, args []string, full bool) (scaffoldData, error) {
	ns, err := splitName("model", name)
	if err != nil {
		return scaffoldData{}, err
	}
	md, err := newModelData(root, name, args)
	if err != nil {
		return scaffoldData{}, err
	}
	if md.Table == md.File {
		return scaffoldData{}, fmt.Errorf("invalid model name %q: %w (%s), so the list and the record would share their routes; choose a countable name", name, errPluralIsSingular, md.Table)
	}
	d := scaffoldNames(ns)
	d.modelData = md
	reserved := reservedActions()
	for _, n := range []string{md.Type, d.PluralType} {
		if slices.Contains(reserved, n) || n == "ApplicationController" {
			return scaffoldData{}, fmt.Errorf("invalid model name %q: the controller's field %s would hide a method of controller.Base; choose another name", name, n)
		}
	}
	var permit []string
	for _, f := range md.Fields {
		if f.Type == "references" {
			if f.RefType == "" {
				return scaffoldData{}, fmt.Errorf("field %q: there is no model %s in app/models; generate it first (gorails generate model %s name:string), then the %s", f.Ref+":references", camelize(f.Ref), camelize(f.Ref), commandName(full))
			}
			d.Refs = append(d.Refs, f)
		}
		sf := scaffoldField{columnArg: f, Human: inflect.Humanize(f.Name), ShowCall: "{{." + f.GoName + "}}"}
		if f.GoType == "[]byte" {
			sf.ShowCall = "{{len ." + f.GoName + "}} bytes"
		}
		d.ShowFields = append(d.ShowFields, sf)
		ft := fieldTypes[f.Type]
		if ft.input == "" {
			continue
		}
		permit = append(permit, fmt.Sprintf("%q", f.Name))
		switch f.Type {
		case "references":
			sf.FormCall = fmt.Sprintf(`{{.Select %q $.Locals.%s_options "include_blank" true}}`, f.Name, f.Ref)
		case "float", "decimal":
			sf.FormCall = fmt.Sprintf(`{{.%s %q "step" "any"}}`, ft.input, f.Name)
		case "text", "json":
			sf.FormCall = fmt.Sprintf(`{{.%s %q "rows" 4}}`, ft.input, f.Name)
		default:
			sf.FormCall = fmt.Sprintf(`{{.%s %q}}`, ft.input, f.Name)
		}
		sf.Sample = sampleValue(f)
		if f.Unique {
			sf.Sample, sf.UpdateSample = uniqueSamples(f, sf.Sample)
		}
		d.HasUnique = d.HasUnique || f.Unique
		d.FormFields = append(d.FormFields, sf)
	}
	d.Permit = strings.Join(permit, ", ")
	return d, nil
}

// scaffoldNames derives the resource's names from its (maybe namespaced)
// name: admin/post is the model AdminPost, the controller
// AdminPostsController, r.Resources("posts", ...) inside
// r.Namespace("admin", ...) and the views in app/views/admin/posts. Humans
// read the last part: "post", as Rails' human_name.
func scaffoldNames(ns nsName) scaffoldData {
	file := ns.Flat()
	base := inflect.Underscore(ns.Base)
	d := scaffoldData{modelData: modelData{File: file, Type: camelize(file), Table: inflect.Pluralize(file)},
		Singular: file, Plural: inflect.Pluralize(file), Modules: ns.Modules, Resource: inflect.Pluralize(base)}
	d.ViewDir = d.Resource
	if len(ns.Modules) > 0 {
		d.ViewDir = ns.Path() + "/" + d.Resource
	}
	d.URL = "/" + d.ViewDir
	d.PluralType = camelize(d.Plural)
	d.RouteType, d.RoutePluralType = inflect.Camelize(d.Singular), inflect.Camelize(d.Plural)
	d.Controller = d.PluralType + "Controller"
	d.Var, d.VarPlural = lowerFirst(d.Type), lowerFirst(d.PluralType)
	d.Human = strings.ReplaceAll(base, "_", " ")
	d.HumanPlural = strings.ReplaceAll(d.Resource, "_", " ")
	d.HumanCap, d.HumanPluralCap = upperFirst(d.Human), upperFirst(d.HumanPlural)
	return d
}

func commandName(full bool) string {
	if full {
		return "scaffold"
	}
	return "resource"
}

// sampleValue is a form value of f's type, for the generated test.
func sampleValue(f columnArg) string {
	switch f.Type {
	case "integer", "bigint":
		return "1"
	case "float", "decimal":
		return "1.5"
	case "boolean":
		return "1"
	case "date":
		return "2026-01-02"
	case "datetime":
		return "2026-01-02T15:04"
	case "time":
		return "15:04"
	case "json":
		return `{"key":"value"}`
	case "uuid":
		return "0b4f8d8e-5f0a-4c3e-9a53-2f1f7c1d9e10"
	case "text":
		return "My" + f.GoName + " text"
	}
	return "My" + f.GoName
}

// uniqueSamples are the create and update test values of a unique field:
// neither equals the other nor a fixture's value (FixtureValue writes 1 and
// 2, "2026-01-01" and "2026-01-02", ...), so the unique index refuses
// neither. Boolean and references fields have no third value to give; their
// update value is "".
func uniqueSamples(f columnArg, sample string) (create, update string) {
	switch f.Type {
	case "integer", "bigint":
		return "3", "4"
	case "float", "decimal":
		return "3.5", "4.5"
	case "date":
		return "2026-01-03", "2026-01-04"
	case "datetime":
		return "2026-01-03T15:04", "2026-01-04T15:04"
	case "time":
		return "15:04", "16:04"
	case "json":
		return `{"key":"value"}`, `{"key":"other value"}`
	case "uuid":
		return sample, "5a0c4a8e-2d4b-4f7e-8b1a-6c3d2e1f0a99"
	case "boolean", "references":
		return sample, ""
	}
	return sample, sample + " updated"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resourcesLine is the route generate scaffold/resource adds, without its
// indentation (it goes in the namespace block of d.Modules).
func resourcesLine(d scaffoldData) string {
	return fmt.Sprintf("r.Resources(%q, dispatch.For[controllers.%s]())", d.Resource, d.Controller)
}

// Assets a scaffold's pages use; an app from before they were part of
// gorails new gets them with its first scaffold.
var scaffoldAssets = []string{"public/assets/application.css", "public/assets/application.js"}

// generateScaffold writes the model, migration, controller, views and test,
// and adds the resources route. Nothing is written when an argument is
// invalid, a file exists and differs (without force), a migration is
// already named create_TABLE, or routes.go cannot be edited.
func generateScaffold(root, name string, args []string, full bool, now time.Time, force bool, out io.Writer) error {
	d, err := newScaffoldData(root, name, args, full)
	if err != nil {
		return err
	}
	files, err := renderGo("model", d.modelData)
	if err != nil {
		return err
	}
	snake := "create_" + d.Table
	mfiles, err := newMigrationFiles(root, snake, camelize(snake), guessSteps(snake, d.Fields), now)
	if err != nil {
		return err
	}
	dir := "resource"
	if full {
		dir = "scaffold"
	}
	cfiles, err := renderGo(dir, d)
	if err != nil {
		return err
	}
	if hasAuthentication(root) { // the pages need a signed-in user
		for i, f := range cfiles {
			if strings.HasSuffix(f.Path, "_controller_test.go") || (strings.HasPrefix(f.Path, "test/system/") && strings.HasSuffix(f.Path, "_test.go")) {
				cfiles[i].Data = []byte(useSignedIn(string(f.Data)))
			}
		}
	}
	files = slices.Concat(mfiles, files, cfiles)
	if full {
		for _, p := range scaffoldAssets {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
				continue
			}
			data, err := fs.ReadFile(templates.FS, "app/"+p)
			if err != nil {
				return err
			}
			files = append(files, generator.File{Path: p, Data: data})
		}
	}
	routesPath := filepath.Join(root, filepath.FromSlash(routesFile))
	src, err := os.ReadFile(routesPath)
	if err != nil {
		return err
	}
	routes, added, err := addResources(src, d)
	if err != nil {
		return err
	}
	if err := generator.Write(root, files, force, out); err != nil {
		return err
	}
	if !added {
		return nil
	}
	if err := os.WriteFile(routesPath, routes, 0o644); err != nil {
		return err
	}
	generator.Status(out, "route", nsPrefix(d.Modules)+resourcesLine(d))
	return nil
}

// addResources inserts the resources line at the end of func Routes, once.
func addResources(src []byte, d scaffoldData) ([]byte, bool, error) {
	if !strings.Contains(string(src), `"github.com/gorails/gorails/framework/dispatch"`) || !strings.Contains(string(src), `/app/controllers"`) {
		return nil, false, fmt.Errorf("%w: it must import framework/dispatch and the app's controllers package", errRoutes)
	}
	lines, end, err := routesBody(src)
	if err != nil {
		return nil, false, err
	}
	out, added, err := addRouteLines(lines, end, d.Modules, []string{resourcesLine(d)})
	if err != nil || len(added) == 0 {
		return src, false, err
	}
	return []byte(strings.Join(out, "\n")), true, nil
}

// scaffoldPaths are the files generate scaffold/resource creates for a
// model (its migration is found by name).
func scaffoldPaths(d scaffoldData, full bool) []string {
	paths := []string{
		"app/models/" + d.File + ".go",
		"app/models/" + d.File + "_test.go",
		"test/fixtures/" + d.Table + ".yml",
		"app/controllers/" + d.Plural + "_controller.go",
	}
	if full {
		paths = append(paths, "app/controllers/"+d.Plural+"_controller_test.go", "test/system/"+d.Plural+"_test.go")
		for _, v := range []string{"index", "show", "new", "edit", "_form", "_" + d.Singular} {
			paths = append(paths, "app/views/"+d.ViewDir+"/"+v+".html.tmpl")
		}
	}
	return paths
}

// destroyScaffold removes what generateScaffold created and its resources
// route, reporting whether config/routes.go changed. It only needs the
// name: the files are found by their conventional paths.
func destroyScaffold(root, name string, full bool, out io.Writer) (bool, error) {
	ns, err := splitName("model", name)
	if err != nil {
		return false, err
	}
	d := scaffoldNames(ns)
	paths := scaffoldPaths(d, full)
	files, err := migrationFiles(root)
	if err != nil {
		return false, err
	}
	for _, f := range files {
		if _, n, err := migrate.ParseFileName(f); err == nil && n == "create_"+d.Table {
			paths = append(paths, migrateDir+"/"+f)
		}
	}
	changed, err := removeResources(root, d, out)
	if err != nil {
		return false, err
	}
	if err := generator.Remove(root, paths, out); err != nil {
		return false, err
	}
	removeEmptyDirs(root, "app/views/"+d.ViewDir, len(d.Modules), out)
	if full {
		// test/system/app_test.go is the system tests' shared setup: it goes
		// with the last of them.
		sys := filepath.Join(root, "test", "system")
		if entries, err := os.ReadDir(sys); err == nil && len(entries) == 1 && entries[0].Name() == "app_test.go" {
			if err := generator.Remove(root, []string{"test/system/app_test.go"}, out); err != nil {
				return false, err
			}
			if err := os.Remove(sys); err == nil {
				generator.Status(out, "remove", "test/system")
			}
		}
	}
	return changed, nil
}

// removeResources deletes the resources line generate added, warning
// about other lines that still name the controller.
func removeResources(root string, d scaffoldData, out io.Writer) (bool, error) {
	routesPath := filepath.Join(root, filepath.FromSlash(routesFile))
	src, err := os.ReadFile(routesPath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	generated := regexp.MustCompile(`^` + tabs(len(d.Modules)+1) + `r\.Resources\("` + regexp.QuoteMeta(d.Resource) + `", dispatch\.For\[controllers\.` + regexp.QuoteMeta(d.Controller) + `\]\(\)\)$`)
	lines := strings.Split(string(src), "\n")
	kept := lines[:0:0]
	removed := false
	for i, l := range lines {
		switch {
		case generated.MatchString(l):
			removed = true
			continue
		case strings.Contains(l, "controllers."+d.Controller+")") || strings.Contains(l, "controllers."+d.Controller+"]"):
			fmt.Fprintf(out, "%12s  %s:%d still refers to %s; remove it by hand\n", "warning", routesFile, i+1, d.Controller)
		}
		kept = append(kept, l)
	}
	if !removed {
		return false, nil
	}
	kept = pruneNamespaces(kept, d.Modules)
	if err := os.WriteFile(routesPath, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		return false, err
	}
	generator.Status(out, "route", "remove "+nsPrefix(d.Modules)+resourcesLine(d))
	return true, nil
}
