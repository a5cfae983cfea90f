package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
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

// migrateDir is where an app keeps its migrations; migrationsFile declares
// the Migrations type whose methods they are.
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
table with timestamps, app/models/NAME_test.go (with the testing kit,
framework/gorailstest) and its fixtures, test/fixtures/TABLE.yml.
Types: string (default), text, integer, bigint,
float, decimal, boolean, date, datetime, binary, json, uuid, references.
Append :index or :uniq to index a column.
A namespaced NAME (admin/post or Admin::Post) is the model AdminPost in
app/models/admin_post.go with the table admin_posts (Rails' Admin::Post with
table_name_prefix "admin_"): the app's models stay one Go package.`,
		Example: "  gorails generate model Post title:string body:text user:references\n  gorails g model Tag name:string:uniq\n  gorails g model admin/post title:string",
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
		Short: "Generate a migration: db/migrate/VERSION_NAME.go",
		Long: `Generate db/migrate/VERSION_NAME.go, a method of the Migrations type named
after the file. As in Rails, the name says what it does: CreateTABLE
creates a table with the fields, AddXToTABLE adds them as columns,
RemoveXFromTABLE removes them; any other name gives an empty migration to
fill in. The file is the migration: no list to update, and
` + "`gorails destroy migration NAME`" + ` (or deleting the file) removes it.`,
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
		Short: "Remove a generated model, its test and fixtures, and its create migration",
		Long: `Remove app/models/NAME.go, its test, test/fixtures/TABLE.yml and
db/migrate/*_create_TABLE.go. A
migration that was applied should be rolled back first (db:rollback); other
migrations that mention the table are left alone.`,
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
	Type   string // generator type: "string", ...; "references"
	GoName string // "Title", "UserID"
	GoType string // "string", "int64", "*time.Time"
	Index  bool
	Unique bool
	// Set for references by newModelData when app/models declares the
	// target: "User" (the BelongsTo[User] field) and its label field.
	RefType, RefLabel string
}

// fieldType is what one generator type becomes: the migration DSL's column
// method, the model's Go type and the form's input. Value types are NOT
// NULL (the model's zero value is what a blank form gives); types whose Go
// field is a pointer (or []byte) are nullable, so model and column agree.
type fieldType struct {
	dsl, goType string
	input       string // FormBuilder method; "" = not in forms
	nullable    bool
}

var fieldTypes = map[string]fieldType{
	"string":     {"String", "string", "TextField", false},
	"text":       {"Text", "string", "TextArea", false},
	"integer":    {"Integer", "int", "NumberField", false},
	"bigint":     {"BigInt", "int64", "NumberField", false},
	"float":      {"Float", "float64", "NumberField", false},
	"decimal":    {"Decimal", "float64", "NumberField", false},
	"boolean":    {"Boolean", "bool", "CheckBox", false},
	"date":       {"Date", "*time.Time", "DateField", true},
	"datetime":   {"DateTime", "*time.Time", "DatetimeField", true},
	"time":       {"String", "string", "TimeField", false}, // a time of day as "15:04": the same on every database
	"binary":     {"Binary", "[]byte", "", true},
	"json":       {"JSON", "*string", "TextArea", true},
	"uuid":       {"UUID", "*string", "TextField", true},
	"references": {"References", "int64", "Select", false},
}

// typeNames lists the types for error messages, in Rails' order.
const typeNames = "string, text, integer, bigint, float, decimal, boolean, date, datetime, time, binary, json, uuid, references"

// columnOptions are the NOT NULL and default options of f's column.
func columnOptions(f columnArg) string {
	ft := fieldTypes[f.Type]
	switch {
	case ft.nullable:
		return ""
	case f.Type == "boolean":
		return ", migrate.Null(false), migrate.Default(false)"
	}
	return ", migrate.Null(false)"
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
				return nil, fmt.Errorf("invalid field %q: unknown type or option %q (types: %s; options: index, uniq)", a, p, typeNames)
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
		if reservedField(f.GoName) {
			return nil, fmt.Errorf("invalid field %q: %s is a field or method of record.Model; choose another name", a, f.GoName)
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
	opt := columnOptions(f)
	if f.Unique {
		opt += ", migrate.UniqueIndex"
	} else if f.Index {
		opt += ", migrate.Index"
	}
	return fmt.Sprintf("t.%s(%q%s)", fieldTypes[f.Type].dsl, f.Name, opt)
}

// addColumnOptions are columnOptions for a column added to a table that
// may have rows: a NOT NULL column gets the zero value as its default.
func addColumnOptions(f columnArg) string {
	ft := fieldTypes[f.Type]
	if ft.nullable {
		return ""
	}
	var zero string
	switch ft.goType {
	case "string":
		zero = `""`
	case "bool":
		zero = "false"
	default:
		zero = "0"
	}
	return ", migrate.Null(false), migrate.Default(" + zero + ")"
}

// reservedField reports whether a Go field name would hide a method or
// field of record.Model (ID, Errors, Persisted, ...).
func reservedField(goName string) bool {
	switch goName {
	case "ID", "Model", "CreatedAt", "UpdatedAt", "Errors", "ErrorsOn", "ErrorMessages", "Persisted", "NewRecord", "Destroyed", "Associations", "Validate", "TableName":
		return true
	}
	return false
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
	BelongsTo                 bool // some field has RefType
}

// FixtureLabels are the labels of the fixtures a model is generated with
// (test/fixtures/TABLE.yml), as Rails'.
func (modelData) FixtureLabels() []string { return []string{"one", "two"} }

// FixtureKey is the field's key in a fixture: the association's name for a
// reference (user: one), so the fixture refers by label.
func (f columnArg) FixtureKey() string {
	if f.Type == "references" {
		return f.Ref
	}
	return f.Name
}

// FixtureValue is a value of the field's type for the fixture labeled
// label, different for each label (so a unique index holds).
func (f columnArg) FixtureValue(label string) string {
	n := map[string]string{"one": "1", "two": "2"}[label]
	switch f.Type {
	case "references":
		return label
	case "string", "text":
		return strconv.Quote(camelize(f.Name) + " " + label)
	case "integer", "bigint":
		return n
	case "float", "decimal":
		return n + ".5"
	case "boolean":
		return strconv.FormatBool(label == "one")
	case "date":
		return "2026-01-0" + n
	case "datetime":
		return "2026-01-0" + n + " 10:00:00"
	case "json":
		return `'{"n": ` + n + `}'`
	case "uuid":
		return "00000000-0000-4000-8000-00000000000" + n
	case "binary":
		return strconv.Quote("bytes " + label)
	}
	return strconv.Quote(label)
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
			add("s.AddColumn(%q, %q, migrate.%s%s)", m[1], f.Name, fieldTypes[f.Type].dsl, addColumnOptions(f))
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
	if err := checkMigrationName(root, camel); err != nil {
		return nil, err
	}
	v, err := nextVersion(root, now)
	if err != nil {
		return nil, err
	}
	return renderGo("migration", migrationData{File: fmt.Sprintf("%014d_%s", v, snake), Func: camel, Steps: steps})
}

// generateMigration writes db/migrate/VERSION_NAME.go.
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
	return generator.Write(root, files, false, out)
}

// newModelData checks a model's name and fields.
func newModelData(root, name string, args []string) (modelData, error) {
	ns, err := splitName("model", name)
	if err != nil {
		return modelData{}, err
	}
	file := ns.Flat()
	fields, err := parseColumnArgs(args)
	if err != nil {
		return modelData{}, err
	}
	module, err := appModule(root)
	if err != nil {
		return modelData{}, err
	}
	d := modelData{Module: module, File: file, Type: camelize(file), Table: inflect.Pluralize(file), Fields: fields}
	if reservedModel(d.Type) {
		return modelData{}, fmt.Errorf("invalid model name %q: %s is reserved (a Go keyword or a name the app already uses); choose another name", name, d.Type)
	}
	for i, f := range fields {
		d.NeedsTime = d.NeedsTime || strings.HasSuffix(f.GoType, "time.Time")
		if f.Type != "references" {
			continue
		}
		d.HasReferences = true
		if label, ok := modelLabel(root, camelize(f.Ref)); ok {
			d.Fields[i].RefType, d.Fields[i].RefLabel = camelize(f.Ref), label
			d.BelongsTo = true
		}
	}
	return d, nil
}

// generateModel writes the model, its test and its create migration.
// Nothing is written when a file exists and
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
	return generator.Write(root, append(mfiles, files...), force, out)
}

// destroyModel removes what generateModel created.
func destroyModel(root, name string, out io.Writer) error {
	ns, err := splitName("model", name)
	if err != nil {
		return err
	}
	file := ns.Flat()
	paths := []string{"app/models/" + file + ".go", "app/models/" + file + "_test.go", "test/fixtures/" + inflect.Pluralize(file) + ".yml"}
	files, err := migrationFiles(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, n, err := migrate.ParseFileName(f); err == nil && n == "create_"+inflect.Pluralize(file) {
			paths = append(paths, migrateDir+"/"+f)
		}
	}
	return generator.Remove(root, paths, out)
}

// migrationMethods lists the migrations of db/migrate, method name -> file
// name: the methods of Migrations the files declare (func (Migrations)
// Name() ...). It fails when db/migrate/migrations.go does not declare the
// Migrations type, as an app from an older gorails does.
func migrationMethods(root string) (map[string]string, error) {
	files, err := migrationFiles(root)
	if err != nil {
		return nil, err
	}
	list := filepath.Join(root, filepath.FromSlash(migrationsFile))
	if _, err := os.Stat(list); err == nil {
		files = append(files, filepath.Base(migrationsFile))
	}
	out := map[string]string{}
	hasType := false
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(migrateDir), f)
		file, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 && receiverName(d.Recv.List[0].Type) == "Migrations" {
					out[d.Name.Name] = f
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok && ts.Name.Name == "Migrations" {
						hasType = true
					}
				}
			}
		}
	}
	if !hasType {
		return nil, fmt.Errorf("%s does not declare the Migrations type that migrations are methods of; "+
			"copy db/migrate/migrations.go from a new app (gorails new) and turn each func NAME() migrate.Migration into func (Migrations) NAME() migrate.Migration", migrateDir)
	}
	return out, nil
}

func receiverName(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// destroyMigrationCommand is `gorails destroy migration NAME`.
func destroyMigrationCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migration NAME|VERSION",
		Short: "Remove a migration file",
		Long: `Remove db/migrate/VERSION_NAME.go, found by its name (AddPublishedToPosts or
add_published_to_posts) or its version. Nothing else needs changing: the
migrations are the files. A migration that was applied should be rolled
back first (gorails db:rollback): its version stays in schema_migrations.`,
		Example: "  gorails destroy migration AddPublishedToPosts\n  gorails d migration 20261123085000",
		Args:    exactArgs(1, "give the migration's name or version, e.g. gorails destroy migration AddPublishedToPosts"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			return destroyMigration(root, args[0], cmd.OutOrStdout())
		},
	}
}

// destroyMigration removes the migration file named (or versioned) name.
func destroyMigration(root, name string, out io.Writer) error {
	match := func(version int64, snake string) bool { return strconv.FormatInt(version, 10) == name }
	if !versionRE.MatchString(name) {
		want, _, err := migrationName(name)
		if err != nil {
			return err
		}
		match = func(_ int64, snake string) bool { return snake == want }
	}
	files, err := migrationFiles(root)
	if err != nil {
		return err
	}
	var paths []string
	for _, f := range files {
		if v, n, err := migrate.ParseFileName(f); err == nil && match(v, n) {
			paths = append(paths, migrateDir+"/"+f)
		}
	}
	if len(paths) == 0 {
		return fmt.Errorf("no migration %s in %s", name, migrateDir)
	}
	if err := generator.Remove(root, paths, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "%12s  if it was applied, its version stays in schema_migrations: roll back first next time (gorails db:rollback)\n", "note")
	return nil
}

var versionRE = regexp.MustCompile(`^\d{14}$`)

// checkMigrationName fails when a migration method named camel exists.
func checkMigrationName(root, camel string) error {
	methods, err := migrationMethods(root)
	if err != nil {
		return err
	}
	if f, ok := methods[camel]; ok {
		return fmt.Errorf("another migration is already called %s: %s", camel, migrateDir+"/"+f)
	}
	return nil
}

// reservedModel reports whether a model's type name is taken by the app or
// the framework (ApplicationController, the Migrations type, the tables of
// schema_migrations and jobs).
func reservedModel(typ string) bool {
	switch typ {
	case "Application", "Migration", "Migrations", "SchemaMigration", "GorailsJob", "Model", "Record":
		return true
	}
	return false
}

// modelLabel finds `type typ struct` in app/models and returns the field a
// select shows for its records: Name, else Title, else the first string
// field, else "" (the id). ok is false when app/models does not declare typ.
func modelLabel(root, typ string) (label string, ok bool) {
	files, _ := filepath.Glob(filepath.Join(root, "app", "models", "*.go"))
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			gd, isGen := decl.(*ast.GenDecl)
			if !isGen {
				continue
			}
			for _, spec := range gd.Specs {
				ts, isType := spec.(*ast.TypeSpec)
				if !isType || ts.Name.Name != typ {
					continue
				}
				st, isStruct := ts.Type.(*ast.StructType)
				if !isStruct {
					return "", false
				}
				var first string
				for _, fl := range st.Fields.List {
					id, isIdent := fl.Type.(*ast.Ident)
					if !isIdent || id.Name != "string" {
						continue
					}
					for _, n := range fl.Names {
						if n.Name == "Name" || n.Name == "Title" {
							return n.Name, true
						}
						if first == "" && n.IsExported() {
							first = n.Name
						}
					}
				}
				return first, true
			}
		}
	}
	return "", false
}
