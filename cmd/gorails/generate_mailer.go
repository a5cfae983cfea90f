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

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/internal/inflect"
	"github.com/gorails/gorails/templates"
)

// generateMailerCommand is `gorails generate mailer NAME action...`.
func generateMailerCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "mailer NAME [action...]",
		Short: "Generate a mailer with its actions, views, previews and test",
		Long: `Generate app/mailers/NAME_mailer.go (a mailer type with a method per action,
typed arguments per action, and a Register function), its previews
(app/mailers/NAME_mailer_preview.go, shown at /rails/mailers in
development), its test (app/mailers/NAME_mailer_test.go), and a text and an
HTML view per action (app/views/NAME_mailer/ACTION.text.tmpl and
.html.tmpl); register it in func Register of app/mailers/mailers.go.`,
		Example: "  gorails generate mailer User welcome password_reset\n  gorails g mailer notifications digest",
		Args:    minArgs(1, "give the mailer's name and its actions, e.g. gorails generate mailer User welcome"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			return generateMailer(root, args[0], args[1:], force, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	return cmd
}

// mailerData is what templates/mailer renders with.
type mailerData struct {
	Module  string
	File    string // "user_mailer": the file's stem and the views' folder
	Type    string // "UserMailer"
	Actions []mailerAction
}

// mailerAction is one action of a mailer, also the data of its views.
type mailerAction struct {
	Name    string // "password_reset"
	Type    string // "PasswordReset"
	Args    string // "UserMailerPasswordResetArgs"
	Subject string // "Password reset"
	File    string // the mailer's File
	Mailer  string // the mailer's Type
}

var (
	mailerNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	mailerActionRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

func newMailerData(root, name string, actions []string) (mailerData, error) {
	if !mailerNameRE.MatchString(name) {
		return mailerData{}, fmt.Errorf("invalid mailer name %q: use letters, digits and '_', starting with a letter (User, user_mailer)", name)
	}
	stem := strings.TrimSuffix(inflect.Underscore(name), "_mailer")
	if stem == "" || stem == "mailer" || stem == "application" {
		return mailerData{}, fmt.Errorf("invalid mailer name %q: name what it mails about (User, Notifications)", name)
	}
	if len(actions) == 0 {
		return mailerData{}, fmt.Errorf("give the mailer at least one action, e.g. gorails generate mailer %s welcome", name)
	}
	module, err := appModule(root)
	if err != nil {
		return mailerData{}, err
	}
	d := mailerData{Module: module, File: stem + "_mailer", Type: camelize(stem) + "Mailer"}
	seen := map[string]bool{}
	for _, a := range actions {
		snake := inflect.Underscore(a)
		if !mailerNameRE.MatchString(a) || !mailerActionRE.MatchString(snake) || strings.Contains(snake, "__") || strings.HasSuffix(snake, "_") {
			return mailerData{}, fmt.Errorf("invalid action name %q: use lower-case words joined by '_' (welcome, password_reset)", a)
		}
		if seen[snake] {
			return mailerData{}, fmt.Errorf("action %q is given twice", a)
		}
		seen[snake] = true
		typ := camelize(snake)
		d.Actions = append(d.Actions, mailerAction{Name: snake, Type: typ, Args: d.Type + typ + "Args",
			Subject: inflect.Humanize(snake), File: d.File, Mailer: d.Type})
	}
	return d, nil
}

// mailersFile registers the app's mailers: func Register(app *framework.App) error.
const mailersFile = "app/mailers/mailers.go"

func mailerRegisterLine(d mailerData) string { return "\tRegister" + d.Type + "(app)" }

// mailerFiles renders the mailer's Go files and each action's views.
func mailerFiles(d mailerData) ([]generator.File, error) {
	files, err := renderGo("mailer/files", d)
	if err != nil {
		return nil, err
	}
	for _, a := range d.Actions {
		views, err := generator.Render(templates.FS, "mailer/view", a, nil)
		if err != nil {
			return nil, err
		}
		files = append(files, views...)
	}
	return files, nil
}

// generateMailer writes the mailer, its previews, test and views, and
// registers it in app/mailers/mailers.go (created for an app made before
// mailers, with a note on the line config/application.go then needs).
func generateMailer(root, name string, actions []string, force bool, out io.Writer) error {
	d, err := newMailerData(root, name, actions)
	if err != nil {
		return err
	}
	files, err := mailerFiles(d)
	if err != nil {
		return err
	}
	p := filepath.Join(root, filepath.FromSlash(mailersFile))
	src, err := os.ReadFile(p)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		app, err := appTemplateFile(root, mailersFile)
		if err != nil {
			return err
		}
		files = append(files, app)
		src, created = app.Data, true
	} else if err != nil {
		return err
	}
	if err := generator.Write(root, files, force, out); err != nil {
		return err
	}
	if created {
		generator.Status(out, "note", "wire the mailers into the app: add RegisterMailers: mailers.Register to framework.Config in config/application.go")
	}
	line := mailerRegisterLine(d)
	lines, at := registerFunc(src)
	switch {
	case slices.Contains(lines, line):
		return nil
	case at < 0:
		generator.Status(out, "note", fmt.Sprintf("register the mailer at boot: add %s to func Register(app *framework.App) error in %s", strings.TrimSpace(line), mailersFile))
		return nil
	}
	edited := slices.Concat(lines[:at], []string{line}, lines[at:])
	if err := os.WriteFile(p, []byte(strings.Join(edited, "\n")), 0o644); err != nil {
		return err
	}
	generator.Status(out, "register", strings.TrimSpace(line)+" in "+mailersFile)
	return nil
}

// appTemplateFile renders one file of the new-app skeleton for the app in
// root (its module path as name and module).
func appTemplateFile(root, path string) (generator.File, error) {
	module, err := appModule(root)
	if err != nil {
		return generator.File{}, err
	}
	name := filepath.Base(module)
	files, err := generator.Render(templates.FS, "app", appData{Name: name, Module: module, Title: camelize(name)}, nil)
	if err != nil {
		return generator.File{}, err
	}
	for _, f := range files {
		if f.Path == path {
			return f, nil
		}
	}
	return generator.File{}, fmt.Errorf("the app template has no %s", path)
}

// destroyMailer removes what generateMailer created (the views: every
// template of the mailer's folder), and its line in mailers.go.
func destroyMailer(root, name string, out io.Writer) error {
	d, err := newMailerData(root, name, []string{"any"}) // the actions do not matter here
	if err != nil {
		return err
	}
	p := filepath.Join(root, filepath.FromSlash(mailersFile))
	if src, err := os.ReadFile(p); err == nil {
		lines := strings.Split(string(src), "\n")
		if i := slices.Index(lines, mailerRegisterLine(d)); i >= 0 {
			if err := os.WriteFile(p, []byte(strings.Join(slices.Delete(lines, i, i+1), "\n")), 0o644); err != nil {
				return err
			}
			generator.Status(out, "unregister", strings.TrimSpace(mailerRegisterLine(d))+" in "+mailersFile)
		}
	}
	paths := []string{"app/mailers/" + d.File + ".go", "app/mailers/" + d.File + "_preview.go", "app/mailers/" + d.File + "_test.go"}
	views, _ := filepath.Glob(filepath.Join(root, "app", "views", d.File, "*.tmpl"))
	for _, v := range views {
		rel, _ := filepath.Rel(root, v)
		paths = append(paths, filepath.ToSlash(rel))
	}
	if err := generator.Remove(root, paths, out); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(root, "app", "views", d.File)) // only when empty
	return nil
}

// destroyMailerCommand is `gorails destroy mailer NAME`.
func destroyMailerCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "mailer NAME",
		Short: "Remove a generated mailer, its views, previews, test and its line in app/mailers/mailers.go",
		Long: `Remove app/mailers/NAME_mailer.go, its previews and test, the views in
app/views/NAME_mailer, and the Register line generate added to
app/mailers/mailers.go. Mail of this mailer still queued for later will find
no action to build it (the job is discarded): let it drain first.`,
		Example: "  gorails destroy mailer User",
		Args:    exactArgs(1, "give the mailer's name, e.g. gorails destroy mailer User"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("destroy: %w", err)
			}
			return destroyMailer(root, args[0], cmd.OutOrStdout())
		},
	}
}
