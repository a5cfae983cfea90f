package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
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
	"time"

	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
	"github.com/spf13/cobra"

	"github.com/gorails/gorails/internal/inflect"
)

// migrateDir is where an app keeps its migrations; migrationsFile lists them.
const (
	migrateDir     = "db/migrate"
	migrationsFile = "db/migrate/migrations.go"
)

// generateModelCommand is `gorails generate model NAME [field[:type][:index|:uniq]...]`.
func generateModelCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "model NAME [field[:type][:index|:uniq]...]",
		Short: "Generate a model, its migration and a test",
		Long: `Generate app/models/NAME.go (a struct embedding record.Model with a field per
column), a migration db/migrate/VERSION_create_TABLE.go that creates the
table with timestamps, and app/models/NAME_test.go; then regenerate
db/migrate/migrations.go. Types: string (default), text, integer, bigint,
float, decimal, boolean, date, datetime, binary, json, uuid, references.
Append :index or :uniq to index a column.`,
		Example: "  gorails generate model Post title:string body:text user:references\n  gorails g model Tag name:string:uniq",
		Args:    minArgs(1, "give the model's name, e.g. gorails generate model Post title:string"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			return generateModel(root, args[0], args[1:], time.Now(), force, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	return cmd
}

// generateMigrationCommand is `gorails generate migration NAME [field[:type][:index]...]`.
func generateMigrationCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migration NAME [field[:type][:index|:uniq]...]",
		Short: "Generate a migration and regenerate db/migrate/migrations.go",
		Long: `Generate db/migrate/VERSION_NAME.go. As in Rails, the name says what it does:
CreateTABLE creates a table with the fields, AddXToTABLE adds them as
columns, RemoveXFromTABLE removes them; any other name gives an empty
migration to fill in. db/migrate/migrations.go is regenerated.`,
		Example: "  gorails generate migration AddPublishedToPosts published:boolean\n  gorails g migration RemoveBodyFromPosts body:text",
		Args:    minArgs(1, "give the migration's name, e.g. gorails generate migration AddPublishedToPosts published:boolean"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			return generateMigration(root, args[0], args[1:], time.Now(), cmd.OutOrStdout())
		},
	}
}

// destroyModelCommand is `gorails destroy model NAME`.
func destroyModelCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "model NAME",
		Short: "Remove a generated model, its test and its create migration",
		Long: `Remove app/models/NAME.go, its test and db/migrate/*_create_TABLE.go, then
regenerate db/migrate/migrations.go. A migration that was applied should be
rolled back first (db:rollback); other migrations that mention the table are
left alone.`,
		Example: "  gorails destroy model Post",
		Args:    exactArgs(1, "give the model's name, e.g. gorails destroy model Post"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			return destroyModel(root, args[0], cmd.OutOrStdout())
		},
	}
}

// columnArg is one NAME[:TYPE][:index|:uniq] argument of generate model/migration.
type columnArg struct {
	Name   string // column: "title", "user_id"
	Ref    string // references: "user"
	Type   string // DSL type: "string", ...; "references"
	GoName string // "Title", "UserID"
	GoType string // "string", "int64", "time.Time"
	Index  bool
	Unique bool
}

var fieldTypes = map[string]struct{ dsl, goType string }{
	"string": {"String", "string"}, "text": {"Text", "string"}, "integer": {"Integer", "int"},
	"bigint": {"BigInt", "int64"}, "float": {"Float", "float64"}, "decimal": {"Decimal", "float64"},
	"boolean": {"Boolean", "bool"}, "date": {"Date", "time.Time"}, "datetime": {"DateTime", "time.Time"},
	"binary": {"Binary", "[]byte"}, "json": {"JSON", "string"}, "uuid": {"UUID", "string"},
	"references": {"References", "int64"},
}

var (
	fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	modelNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// typeAliases are Rails' other spellings.
var typeAliases = map[string]string{"timestamp": "datetime", "belongs_to": "references", "bool": "boolean", "int": "integer"}

// parseColumnArgs parses NAME[:TYPE][:index|:uniq] arguments.
func parseColumnArgs(args []string) ([]columnArg, error) {
	var out []columnArg
	for _, a := range args {
		parts := strings.Split(a, ":")
		f := columnArg{Name: parts[0], Type: "string"}
		if !fieldNameRE.MatchString(f.Name) || strings.HasSuffix(f.Name, "_") {
			return nil, fmt.Errorf("invalid field %q: the name must be snake_case (title, published_at)", a)
		}
		for _, p := range parts[1:] {
			switch {
			case p == "index":
				f.Index = true
			case p == "uniq" || p == "unique":
				f.Index, f.Unique = true, true
			case typeAliases[p] != "":
				f.Type = typeAliases[p]
			case fieldTypes[p].dsl != "":
				f.Type = p
			default:
				return nil, fmt.Errorf("invalid field %q: unknown type or option %q (types: string, text, integer, bigint, float, decimal, boolean, date, datetime, binary, json, uuid, references; options: index, uniq)", a, p)
			}
		}
		if f.Type == "references" {
			f.Ref, f.Name = f.Name, f.Name+"_id"
		}
		f.GoName = goFieldName(f.Name)
		f.GoType = fieldTypes[f.Type].goType
		if slices.ContainsFunc(out, func(o columnArg) bool { return o.Name == f.Name }) {
			return nil, fmt.Errorf("field %q is given twice", f.Name)
		}
		if slices.Contains([]string{"id", "created_at", "updated_at"}, f.Name) {
			return nil, fmt.Errorf("invalid field %q: record.Model already has %s", a, f.Name)
		}
		out = append(out, f)
	}
	return out, nil
}

// goFieldName turns a column into a Go field name with the usual initialisms:
// "user_id" -> "UserID", "api_url" -> "APIURL".
func goFieldName(col string) string {
	var b strings.Builder
	for _, p := range strings.Split(col, "_") {
		if p == "" {
			continue
		}
		switch up := strings.ToUpper(p); up {
		case "ID", "URL", "HTTP", "UUID", "API", "JSON", "SQL", "IP", "HTML":
			b.WriteString(up)
		default:
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// columnLine is the Table method call that declares f in CreateTable.
func columnLine(f columnArg) string {
	if f.Type == "references" {
		return fmt.Sprintf("t.References(%q, migrate.Null(false), migrate.ForeignKey)", f.Ref)
	}
	opt := ""
	if f.Unique {
		opt = ", migrate.UniqueIndex"
	} else if f.Index {
		opt = ", migrate.Index"
	}
	return fmt.Sprintf("t.%s(%q%s)", fieldTypes[f.Type].dsl, f.Name, opt)
}

// migrationData is what templates/migration renders.
type migrationData struct {
	File  string   // "20261123085000_create_posts"
	Func  string   // "CreatePosts"
	Steps []string // DSL lines inside Change, e.g. `s.AddColumn("posts", "published", migrate.Boolean)`
}

// modelData is what templates/model renders.
type modelData struct {
	Module, File, Type, Table string
	Fields                    []columnArg
	NeedsTime, HasReferences  bool
}

// migrationName checks a migration name (CamelCase or snake_case) and
// returns its snake_case and CamelCase forms.
func migrationName(name string) (snake, camel string, err error) {
	if !modelNameRE.MatchString(name) {
		return "", "", fmt.Errorf("invalid migration name %q: use letters, digits and '_', starting with a letter (AddPublishedToPosts)", name)
	}
	snake = inflect.Underscore(name)
	snake = regexp.MustCompile(`_+`).ReplaceAllString(snake, "_")
	snake = strings.Trim(snake, "_")
	if _, _, err := migrate.ParseFileName("20000101000000_" + snake + ".go"); err != nil {
		return "", "", fmt.Errorf("invalid migration name %q", name)
	}
	return snake, camelize(snake), nil
}

// guessSteps derives a migration's body from its name, as Rails does.
func guessSteps(snake string, fields []columnArg) []string {
	var steps []string
	add := func(format string, a ...any) { steps = append(steps, fmt.Sprintf(format, a...)) }
	if table, ok := strings.CutPrefix(snake, "create_"); ok {
		var lines []string
		for _, f := range fields {
			lines = append(lines, "\t"+columnLine(f))
		}
		lines = append(lines, "\tt.Timestamps()")
		add("s.CreateTable(%q, func(t *migrate.Table) {\n%s\n})", table, strings.Join(lines, "\n"))
		return steps
	}
	if m := regexp.MustCompile(`^add_.+_to_([a-z0-9_]+)$`).FindStringSubmatch(snake); m != nil {
		for _, f := range fields {
			if f.Type == "references" {
				add("s.AddReference(%q, %q, migrate.ForeignKey)", m[1], f.Ref)
				continue
			}
			add("s.AddColumn(%q, %q, migrate.%s)", m[1], f.Name, fieldTypes[f.Type].dsl)
			if f.Index {
				opt := ""
				if f.Unique {
					opt = ", migrate.Unique"
				}
				add("s.AddIndex(%q, []string{%q}%s)", m[1], f.Name, opt)
			}
		}
		return steps
	}
	if m := regexp.MustCompile(`^remove_.+_from_([a-z0-9_]+)$`).FindStringSubmatch(snake); m != nil {
		for _, f := range fields {
			add("s.RemoveColumn(%q, %q, migrate.%s)", m[1], f.Name, fieldTypes[f.Type].dsl)
		}
		return steps
	}
	return nil
}

// nextVersion returns now as a version, moved past the newest existing
// migration so that versions stay unique and ordered.
func nextVersion(root string, now time.Time) (int64, error) {
	v, _ := strconv.ParseInt(now.UTC().Format("20060102150405"), 10, 64)
	files, err := migrationFiles(root)
	if err != nil {
		return 0, err
	}
	for _, f := range files {
		if fv, _, err := migrate.ParseFileName(f); err == nil && fv >= v {
			t, err := time.Parse("20060102150405", strconv.FormatInt(fv, 10))
			if err != nil {
				v = fv + 1
				continue
			}
			v, _ = strconv.ParseInt(t.Add(time.Second).Format("20060102150405"), 10, 64)
		}
	}
	return v, nil
}

// migrationFiles lists db/migrate's migration files (not migrations.go or tests).
func migrationFiles(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(migrateDir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == filepath.Base(migrationsFile) {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// renderGo renders a template directory and gofmts the Go files.
func renderGo(dir string, data any) ([]generator.File, error) {
	files, err := generator.Render(templates.FS, dir, data, nil)
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		if strings.HasSuffix(f.Path, ".go") {
			src, err := format.Source(f.Data)
			if err != nil {
				return nil, fmt.Errorf("%s: generated code does not parse: %w", f.Path, err)
			}
			files[i].Data = src
		}
	}
	return files, nil
}

// newMigrationFiles renders one migration.
func newMigrationFiles(root, snake, camel string, steps []string, now time.Time) ([]generator.File, error) {
	files, err := migrationFiles(root)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, n, err := migrate.ParseFileName(f); err == nil && n == snake {
			return nil, fmt.Errorf("another migration is already named %s: %s", snake, filepath.ToSlash(filepath.Join(migrateDir, f)))
		}
	}
	v, err := nextVersion(root, now)
	if err != nil {
		return nil, err
	}
	return renderGo("migration", migrationData{File: fmt.Sprintf("%014d_%s", v, snake), Func: camel, Steps: steps})
}

// generateMigration writes db/migrate/VERSION_NAME.go and regenerates migrations.go.
func generateMigration(root, name string, args []string, now time.Time, out io.Writer) error {
	snake, camel, err := migrationName(name)
	if err != nil {
		return err
	}
	fields, err := parseColumnArgs(args)
	if err != nil {
		return err
	}
	files, err := newMigrationFiles(root, snake, camel, guessSteps(snake, fields), now)
	if err != nil {
		return err
	}
	if err := generator.Write(root, files, false, out); err != nil {
		return err
	}
	return writeMigrationsList(root, out)
}

// newModelData checks a model's name and fields.
func newModelData(root, name string, args []string) (modelData, error) {
	if !modelNameRE.MatchString(name) {
		return modelData{}, fmt.Errorf("invalid model name %q: use letters, digits and '_', starting with a letter (Post, BlogPost)", name)
	}
	file := inflect.Underscore(name)
	fields, err := parseColumnArgs(args)
	if err != nil {
		return modelData{}, err
	}
	module, err := appModule(root)
	if err != nil {
		return modelData{}, err
	}
	d := modelData{Module: module, File: file, Type: camelize(file), Table: inflect.Pluralize(file), Fields: fields}
	for _, f := range fields {
		d.NeedsTime = d.NeedsTime || f.GoType == "time.Time"
		d.HasReferences = d.HasReferences || f.Type == "references"
	}
	return d, nil
}

// generateModel writes the model, its test and its create migration, and
// regenerates migrations.go. Nothing is written when a file exists and
// differs (without force) or a migration is already named create_TABLE.
func generateModel(root, name string, args []string, now time.Time, force bool, out io.Writer) error {
	d, err := newModelData(root, name, args)
	if err != nil {
		return err
	}
	files, err := renderGo("model", d)
	if err != nil {
		return err
	}
	snake := "create_" + d.Table
	mfiles, err := newMigrationFiles(root, snake, camelize(snake), guessSteps(snake, d.Fields), now)
	if err != nil {
		return err
	}
	if err := generator.Write(root, append(mfiles, files...), force, out); err != nil {
		return err
	}
	return writeMigrationsList(root, out)
}

// destroyModel removes what generateModel created and regenerates migrations.go.
func destroyModel(root, name string, out io.Writer) error {
	if !modelNameRE.MatchString(name) {
		return fmt.Errorf("invalid model name %q", name)
	}
	file := inflect.Underscore(name)
	paths := []string{"app/models/" + file + ".go", "app/models/" + file + "_test.go"}
	files, err := migrationFiles(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, n, err := migrate.ParseFileName(f); err == nil && n == "create_"+inflect.Pluralize(file) {
			paths = append(paths, migrateDir+"/"+f)
		}
	}
	if err := generator.Remove(root, paths, out); err != nil {
		return err
	}
	return writeMigrationsList(root, out)
}

// migrationFunc finds the function a migration file declares: a top-level
// func with no parameters returning migrate.Migration. src is the file's
// text, or nil to read path.
func migrationFunc(path string, src []byte) (string, error) {
	var text any // a nil []byte would parse as an empty file
	if src != nil {
		text = src
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, text, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Type.Params.NumFields() != 0 || fn.Type.Results.NumFields() != 1 {
			continue
		}
		if sel, ok := fn.Type.Results.List[0].Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Migration" {
			return fn.Name.Name, nil
		}
	}
	return "", errors.New("it declares no func NAME() migrate.Migration")
}

// renderMigrationsList is the text of db/migrate/migrations.go for the
// migration files in root. Every file must be well named, with a unique
// version, and declare its function; errors name the file.
func renderMigrationsList(root string) ([]byte, error) {
	files, err := migrationFiles(root)
	if err != nil {
		return nil, err
	}
	return migrationsList(files, func(p string) (string, error) {
		return migrationFunc(filepath.Join(root, filepath.FromSlash(p)), nil)
	})
}

// migrationsList renders migrations.go for the migration files (names in
// db/migrate, sorted); funcOf returns the function a file (by its path from
// the app root) declares.
func migrationsList(files []string, funcOf func(path string) (string, error)) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by gorails from the files in db/migrate; DO NOT EDIT.\n" +
		"// `gorails generate migration` and `gorails generate model` rewrite it.\n\n" +
		"package migrate\n\nimport \"github.com/gorails/gorails/framework/record/migrate\"\n\n" +
		"// All returns the app's migrations in version order, for migrate.New.\n" +
		"func All() []migrate.Migration {\n\treturn []migrate.Migration{\n")
	seen := map[int64]string{}
	for _, f := range files {
		p := migrateDir + "/" + f
		v, _, err := migrate.ParseFileName(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("%s and %s: version %d: %w", other, p, v, migrate.ErrDuplicateVersion)
		}
		seen[v] = p
		fn, err := funcOf(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(&b, "\t\tmigrate.File(%q, %s()),\n", f, fn)
	}
	b.WriteString("\t}\n}\n")
	return format.Source(b.Bytes())
}

// writeMigrationsList regenerates db/migrate/migrations.go.
func writeMigrationsList(root string, out io.Writer) error {
	f, err := migrationsListFile(root)
	if err != nil {
		return fmt.Errorf("regenerate %s: %w", migrationsFile, err)
	}
	return generator.Write(root, []generator.File{f}, true, out)
}

// migrationsListFile is db/migrate/migrations.go for the migrations under
// root.
func migrationsListFile(root string) (generator.File, error) {
	src, err := renderMigrationsList(root)
	if err != nil {
		return generator.File{}, err
	}
	return generator.File{Path: migrationsFile, Data: src, Mode: 0o644}, nil
}

// migrationsListOf is db/migrate/migrations.go for the migrations among
// files, which are not on disk yet: `gorails new` adds it to a new app.
func migrationsListOf(files []generator.File) (generator.File, error) {
	srcs := map[string][]byte{}
	var names []string
	for _, f := range files {
		dir, name := path.Split(f.Path)
		if dir == migrateDir+"/" && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && f.Path != migrationsFile {
			srcs[f.Path] = f.Data
			names = append(names, name)
		}
	}
	slices.Sort(names)
	src, err := migrationsList(names, func(p string) (string, error) { return migrationFunc(p, srcs[p]) })
	if err != nil {
		return generator.File{}, err
	}
	return generator.File{Path: migrationsFile, Data: src, Mode: 0o644}, nil
}
