package main

import (
	"errors"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gorails/gorails/internal/generator"
)

func generateAuthenticationCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "authentication",
		Short: "Generate sign-up, sign-in, sign-out and password reset (Rails 8's authentication generator)",
		Long: `Generate authentication, as Rails 8's generator does, with sign-up too:
the User model (email address, has_secure_password, lockout) and the
Session model (server-side sessions) with their migrations; sessions,
passwords and registrations controllers with their views, routes and
tests (integration tests and a browser system test); the passwords
mailer (app/mailers/passwords_mailer.go, registered on the app's mailer
as gorails generate mailer registers one); and an Authentication concern in ApplicationController that
requires a signed-in user for every action unless a controller opts out
with allowUnauthenticatedAccess(cb, actions...).

It edits app/controllers/application_controller.go, config/application.go,
config/routes.go, app/mailers/mailers.go, the layout (a sign-in/sign-out nav) and
app/controllers/welcome_controller.go (the welcome page stays public), then
regenerates the route helpers. Run gorails db:migrate afterwards.
gorails destroy authentication undoes it all.`,
		Example: "  gorails generate authentication\n  gorails db:migrate",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			if err := generateAuthentication(root, time.Now(), force, cmd.OutOrStdout()); err != nil {
				return err
			}
			return regenerateAfter("authentication was generated", cmd, root)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite files that exist")
	return cmd
}

// authData is what templates/authentication renders.
type authData struct {
	Module string // the app's module path
	Name   string // the app's name, for comments
}

// errAuthShape is an app file not in the shape the generator edits.
var errAuthShape = errors.New("not in the shape gorails new writes")

// An edit is a change to an existing file of the app.
type edit struct {
	path string // slash path relative to the app
	data []byte
	note string
}

// generateAuthentication writes the authentication files and edits the
// app's files to use them. Every edit is computed before anything is
// written: a file not in the generated shape stops it with nothing
// written.
func generateAuthentication(root string, now time.Time, force bool, out io.Writer) error {
	module, err := appModule(root)
	if err != nil {
		return err
	}
	d := authData{Module: module, Name: filepath.Base(module)}
	files, err := renderGo("authentication", d)
	if err != nil {
		return err
	}
	users, err := newMigrationFiles(root, "create_users", "CreateUsers", []string{
		`s.CreateTable("users", func(t *migrate.Table) {
			t.String("email_address", migrate.Null(false), migrate.UniqueIndex)
			t.String("password_digest", migrate.Null(false))
			t.Integer("failed_attempts", migrate.Null(false), migrate.Default(0))
			t.DateTime("locked_at")
			t.Timestamps()
		})`,
	}, now)
	if err != nil {
		return err
	}
	sessions, err := newMigrationFiles(root, "create_sessions", "CreateSessions", []string{
		`s.CreateTable("sessions", func(t *migrate.Table) {
			t.References("user", migrate.Null(false), migrate.OnDelete(migrate.Cascade))
			t.String("token_digest", migrate.Null(false), migrate.UniqueIndex)
			t.String("ip_address")
			t.String("user_agent", migrate.Limit(512))
			t.Timestamps()
		})`,
	}, now.Add(time.Second))
	if err != nil {
		return err
	}
	files = slices.Concat(users, sessions, files)
	// The mail layouts of an app made before mailers had them.
	for _, p := range []string{"app/views/layouts/mailer.html.tmpl", "app/views/layouts/mailer.text.tmpl"} {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		f, err := appTemplateFile(root, p)
		if err != nil {
			return err
		}
		files = append(files, f)
	}

	var edits []edit
	for _, fn := range []func(string, authData) (edit, error){
		editApplicationController, editApplicationConfig, editAuthRoutes, editLayout, editWelcome,
	} {
		e, err := fn(root, d)
		if err != nil {
			return err
		}
		if e.path != "" {
			edits = append(edits, e)
		}
	}
	mailers, note, err := editMailersRegister(root)
	if err != nil {
		return err
	}
	if mailers.path != "" {
		edits = append(edits, mailers)
	}
	tests, err := editControllerTests(root, files)
	if err != nil {
		return err
	}
	edits = append(edits, tests...)
	for i, e := range edits {
		if strings.HasSuffix(e.path, ".go") {
			src, err := format.Source(e.data)
			if err != nil {
				return fmt.Errorf("%s: the edited file does not parse: %w", e.path, err)
			}
			edits[i].data = src
		}
	}
	if err := generator.Write(root, files, force, out); err != nil {
		return err
	}
	for _, e := range edits {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(e.path)), e.data, 0o644); err != nil {
			return err
		}
		generator.Status(out, "edit", e.path+" ("+e.note+")")
	}
	if note != "" {
		generator.Status(out, "note", note)
	}
	return nil
}

func readAppFile(root, p string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	return string(b), err
}

// insertAfterLine inserts text after the first line equal to line.
func insertAfterLine(src, line, text string) (string, bool) {
	lines := strings.Split(src, "\n")
	i := slices.Index(lines, line)
	if i < 0 {
		return src, false
	}
	return strings.Join(slices.Concat(lines[:i+1], []string{text}, lines[i+1:]), "\n"), true
}

// funcEnd returns the index of the line "}" closing the func whose
// declaration starts with decl, or -1.
func funcEnd(lines []string, decl string) int {
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, decl) })
	if start < 0 {
		return -1
	}
	for i := start + 1; i < len(lines); i++ {
		if lines[i] == "}" {
			return i
		}
	}
	return -1
}

// addImport adds path to a Go file's imports (a single import becomes a
// block) and formats it.
func addImport(src, path string) (string, error) {
	quoted := `"` + path + `"`
	if strings.Contains(src, quoted) {
		return src, nil
	}
	lines := strings.Split(src, "\n")
	if i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "import \"") }); i >= 0 {
		lines[i] = "import (\n\t" + strings.TrimPrefix(lines[i], "import ") + "\n\n\t" + quoted + "\n)"
	} else {
		start := slices.Index(lines, "import (")
		if start < 0 {
			return "", fmt.Errorf("no import block")
		}
		end := slices.Index(lines[start:], ")")
		if end < 0 {
			return "", fmt.Errorf("no end of the import block")
		}
		end += start
		ins := []string{"\t" + quoted}
		if !strings.Contains(lines[end-1], "/app/") {
			ins = []string{"", "\t" + quoted}
		}
		lines = slices.Concat(lines[:end], ins, lines[end:])
	}
	b, err := format.Source([]byte(strings.Join(lines, "\n")))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func shapeError(p, what string) error {
	return fmt.Errorf("%s is %w (%s); add authentication by hand (see docs/guides/authentication.md)", p, errAuthShape, what)
}

// authEmbedLine is the field generate authentication adds to
// ApplicationController, after controller.Base.
const authEmbedLine = "\tAuthentication // who is signed in: CurrentUser (app/controllers/authentication.go)"

// authCallbackLines end ApplicationController's Callbacks.
var authCallbackLines = []string{
	"\t// Every action needs a signed-in user; a controller opts out with",
	"\t// allowUnauthenticatedAccess(cb, actions...).",
	"\tcb.Before((*ApplicationController).resumeSession)",
	"\tcb.Before((*ApplicationController).requireAuthentication)",
}

// authBootLines go before the return of func App in config/application.go.
var authBootLines = []string{
	"\t// Authentication (gorails generate authentication): the auth",
	"\t// middleware and the Session store, once the database is open.",
	"\tif err := app.Initializers.InsertAfter(framework.InitDatabase, \"authentication\", controllers.InstallAuthentication); err != nil {",
	"\t\tpanic(err) // no database step: authentication needs it",
	"\t}",
}

// editApplicationController embeds Authentication and declares the two
// callbacks: resumeSession, then requireAuthentication.
func editApplicationController(root string, _ authData) (edit, error) {
	const p = "app/controllers/application_controller.go"
	src, err := readAppFile(root, p)
	if err != nil {
		return edit{}, err
	}
	if strings.Contains(src, "\tAuthentication\n") {
		return edit{}, nil
	}
	src, ok := insertAfterLine(src, "\tcontroller.Base", authEmbedLine)
	if !ok {
		return edit{}, shapeError(p, "no controller.Base line in ApplicationController")
	}
	lines := strings.Split(src, "\n")
	end := funcEnd(lines, "func (c *ApplicationController) Callbacks(")
	if end < 0 {
		return edit{}, shapeError(p, "no Callbacks method")
	}
	lines = slices.Concat(lines[:end], authCallbackLines, lines[end:])
	return edit{path: p, data: []byte(strings.Join(lines, "\n")), note: "authentication required by default"}, nil
}

// editApplicationConfig adds the authentication boot step.
func editApplicationConfig(root string, d authData) (edit, error) {
	const p = "config/application.go"
	src, err := readAppFile(root, p)
	if err != nil {
		return edit{}, err
	}
	if strings.Contains(src, "InstallAuthentication") {
		return edit{}, nil
	}
	lines := strings.Split(src, "\n")
	end := funcEnd(lines, "func App(")
	if end < 0 || !strings.HasPrefix(lines[end-1], "\treturn app") {
		return edit{}, shapeError(p, "func App does not end with return app")
	}
	lines = slices.Concat(lines[:end-1], authBootLines, lines[end-1:])
	out, err := addImport(strings.Join(lines, "\n"), d.Module+"/app/controllers")
	if err != nil {
		return edit{}, fmt.Errorf("%s: %w", p, err)
	}
	return edit{path: p, data: []byte(out), note: "the authentication boot step"}, nil
}

// authRoutes are the routes generate authentication adds.
var authRoutes = []string{
	`	r.Resource("session", dispatch.For[controllers.SessionsController]())`,
	`	r.Delete("session/all", dispatch.To((*controllers.SessionsController).DestroyAll), dispatch.As("all_sessions"))`,
	`	r.Resources("passwords", dispatch.For[controllers.PasswordsController](), dispatch.Param("token"))`,
	`	r.Resource("registration", dispatch.For[controllers.RegistrationsController]())`,
}

func editAuthRoutes(root string, _ authData) (edit, error) {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(routesFile)))
	if err != nil {
		return edit{}, err
	}
	if !strings.Contains(string(src), `"github.com/gorails/gorails/framework/dispatch"`) || !strings.Contains(string(src), `/app/controllers"`) {
		return edit{}, shapeError(routesFile, "it must import framework/dispatch and the app's controllers package")
	}
	lines, end, err := routesBody(src)
	if err != nil {
		return edit{}, err
	}
	var add []string
	for _, l := range authRoutes {
		if !slices.Contains(lines[:end], l) {
			add = append(add, l)
		}
	}
	if len(add) == 0 {
		return edit{}, nil
	}
	lines = slices.Concat(lines[:end], add, lines[end:])
	return edit{path: routesFile, data: []byte(strings.Join(lines, "\n")), note: "session, passwords and registration routes"}, nil
}

// passwordsMailer is the passwords mailer as gorails generate mailer names
// it: its Register line goes in app/mailers/mailers.go.
var passwordsMailer = mailerData{File: "passwords_mailer", Type: "PasswordsMailer"}

// editMailersRegister registers the passwords mailer on the app's mailer,
// in func Register of app/mailers/mailers.go, as gorails generate mailer
// does. An app made before the App had a mailer (no mailers.go, no
// ApplicationController.Mailer) is refused: the reset mail could not be
// sent. A Register of another shape gets a note on the line to add.
func editMailersRegister(root string) (edit, string, error) {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(mailersFile)))
	ac, acErr := readAppFile(root, "app/controllers/application_controller.go")
	if errors.Is(err, fs.ErrNotExist) || (acErr == nil && !strings.Contains(ac, ") Mailer() *mail.Mailer")) {
		return edit{}, "", fmt.Errorf("the app was made before gorails apps had a mailer (no %s or no ApplicationController.Mailer): %w; "+
			"add them as gorails new writes them (app/mailers/mailers.go, RegisterMailers: mailers.Register in config/application.go, "+
			"the Mailer method of app/controllers/application_controller.go; see docs/guides/mailers.md), then run it again", mailersFile, errAuthShape)
	}
	if err != nil {
		return edit{}, "", err
	}
	line := mailerRegisterLine(passwordsMailer)
	lines, at := registerFunc(src)
	switch {
	case slices.Contains(lines, line):
		return edit{}, "", nil
	case at < 0:
		return edit{}, fmt.Sprintf("register the passwords mailer at boot: add %s to func Register(app *framework.App) error in %s", strings.TrimSpace(line), mailersFile), nil
	}
	lines = slices.Concat(lines[:at], []string{line}, lines[at:])
	return edit{path: mailersFile, data: []byte(strings.Join(lines, "\n")), note: "register the passwords mailer"}, "", nil
}

// sessionNav is the layout's sign-in/sign-out navigation.
const sessionNav = `  <nav id="session_nav">{{with .Data.CurrentUser}}<span id="current_user">{{.EmailAddress}}</span> {{button_to $ "Sign out" (session_path) "method" "delete"}}{{else}}{{link_to "Sign in" (new_session_path)}} | {{link_to "Sign up" (new_registration_path)}}{{end}}</nav>`

func editLayout(root string, _ authData) (edit, error) {
	const p = "app/views/layouts/application.html.tmpl"
	src, err := readAppFile(root, p)
	if errors.Is(err, os.ErrNotExist) {
		return edit{}, nil
	}
	if err != nil || strings.Contains(src, `id="session_nav"`) {
		return edit{}, err
	}
	lines := strings.Split(src, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "</header>") })
	if i < 0 {
		return edit{}, nil // a layout of the app's own: the nav is left to the app
	}
	lines = slices.Concat(lines[:i+1], []string{sessionNav}, lines[i+1:])
	return edit{path: p, data: []byte(strings.Join(lines, "\n")), note: "sign in, sign up and sign out links"}, nil
}

// welcomeCallbacks, after a blank line, end welcome_controller.go.
const welcomeCallbacks = `
// Callbacks: the welcome page is open to everyone.
func (c *WelcomeController) Callbacks(cb *controller.Chain[WelcomeController]) {
	allowUnauthenticatedAccess(cb)
}
`

// editWelcome keeps the welcome page public.
func editWelcome(root string, _ authData) (edit, error) {
	const p = "app/controllers/welcome_controller.go"
	src, err := readAppFile(root, p)
	if errors.Is(err, os.ErrNotExist) {
		return edit{}, nil
	}
	if err != nil || strings.Contains(src, "allowUnauthenticatedAccess") || strings.Contains(src, "func (c *WelcomeController) Callbacks(") {
		return edit{}, err
	}
	src = strings.TrimRight(src, "\n") + "\n" + welcomeCallbacks
	out, err := addImport(src, "github.com/gorails/gorails/framework/controller")
	if err != nil {
		return edit{}, fmt.Errorf("%s: %w", p, err)
	}
	return edit{path: p, data: []byte(out), note: "the welcome page stays public"}, nil
}

// signedInHelper is the generated test helper that signs a test session
// in; its presence tells the scaffold generator that pages need a user.
const signedInHelper = "app/controllers/authentication_helper_test.go"

// hasAuthentication reports whether generate authentication ran in the app.
func hasAuthentication(root string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(signedInHelper)))
	return err == nil
}

// useSignedIn makes a scaffold's controller test sign its sessions in,
// and its system test sign its browser in.
func useSignedIn(src string) string {
	src = strings.ReplaceAll(src, "tc.Session()", "signedIn(tc)")
	return strings.Replace(src, browserLine, browserLine+signInLine, 1)
}

// browserLine opens the browser in a scaffold's system test.
const browserLine = "\tb := system.Browser(tc)\n"

// signInLine follows browserLine in a system test once the pages need a
// user.
const signInLine = "\tsignIn(b) // the pages need a signed-in user\n"

// editControllerTests makes the existing scaffolds' controller tests sign
// in, since their pages now need a user.
func editControllerTests(root string, generated []generator.File) ([]edit, error) {
	paths, err := filepath.Glob(filepath.Join(root, "app", "controllers", "*_controller_test.go"))
	if err != nil {
		return nil, err
	}
	system, err := filepath.Glob(filepath.Join(root, "test", "system", "*_test.go"))
	if err != nil {
		return nil, err
	}
	var edits []edit
	for _, full := range slices.Concat(paths, system) {
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return nil, err
		}
		p := filepath.ToSlash(rel)
		if p == "app/controllers/welcome_controller_test.go" || slices.ContainsFunc(generated, func(f generator.File) bool { return f.Path == p }) {
			continue
		}
		src, err := readAppFile(root, p)
		if err != nil {
			return nil, err
		}
		switch {
		case strings.Contains(src, "tc.Session()"):
			edits = append(edits, edit{path: p, data: []byte(useSignedIn(src)), note: "its pages need a signed-in user: signedIn(tc)"})
		case strings.HasPrefix(p, "test/system/") && strings.Contains(src, browserLine) && !strings.Contains(src, "signIn(b)"):
			edits = append(edits, edit{path: p, data: []byte(useSignedIn(src)), note: "its pages need a signed-in user: signIn(b)"})
		}
	}
	return edits, nil
}
