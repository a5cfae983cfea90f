package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/mail"
	"github.com/gorails/gorails/framework/view"
)

// InitMailer is the name of the initializer that builds App.Mailer, after
// the views (its templates) and the jobs (deliver-later), before the routes.
const InitMailer = "mailer"

// DefaultMailPreviewPath is where development mounts the mail preview
// page, as Rails mounts its mailer previews.
const DefaultMailPreviewPath = "/rails/mailers"

// mailPreviewRoute is the route the framework adds for the preview page:
// not the app's, so not among its generated route helpers.
const mailPreviewRoute = "mail_previews"

// MailConfig configures App.Mailer (Rails' config.action_mailer). The zero
// value works in every environment: development writes messages to
// tmp/mails and shows them on the preview page, test keeps them in memory
// (each test's own outbox, see framework/gorailstest), production sends
// them by SMTP with the settings of the credentials' smtp section.
type MailConfig struct {
	// DeliveryMethod is smtp, file, test, log or null; "" is file in
	// development, test in test and smtp in production.
	// GORAILS_MAIL_DELIVERY overrides it.
	DeliveryMethod string
	// Defaults fill what a message leaves empty: From, ReplyTo, the layout
	// (layouts/mailer), headers (ActionMailer's default from: ...).
	Defaults mail.Defaults
	// SMTP holds the SMTP settings; the empty ones are filled from the
	// credentials' smtp section (address, port, domain, user_name,
	// password, authentication, tls), where the password belongs.
	SMTP mail.SMTPConfig
	// FileDir is where the file method writes (tmp/mails under the app).
	FileDir string
	// DefaultURL is the scheme and host the URL helpers of mail views build
	// on ({{post_url $ .ID}} gives https://example.com/posts/1), Rails'
	// default_url_options. GORAILS_MAIL_URL overrides it. "" is
	// http://localhost:PORT in development, http://www.example.com in test
	// (the host of gorailstest's sessions), and in production the first of
	// Hosts (https unless GORAILS_FORCE_SSL=false); a production app with
	// mailers and no host to use does not boot.
	DefaultURL string
	// PreviewPath is where development mounts the preview page (the
	// messages in tmp/mails and the registered previews); ""
	// is /rails/mailers, "-" mounts none. Test and production never mount
	// it: it shows every message, reset links included.
	PreviewPath string
	// Delivery, when set, is used instead of DeliveryMethod's (an HTTP
	// API's client, a test's fake).
	Delivery mail.Delivery
}

// ErrMailer is returned at boot for an unusable mailer configuration.
var ErrMailer = errors.New("mailer")

// mailSetup is what the "mailer" initializer decided, for the routes and
// the app's accessors.
type mailSetup struct {
	method     string // the delivery method's name
	defaultURL string
	preview    string // the preview page's path; "" for none
}

// mailDeliveryMethod is GORAILS_MAIL_DELIVERY, else Config.Mail's, else
// the environment's default, and whether it was chosen (not defaulted).
func (a *App) mailDeliveryMethod() (string, bool) {
	if v := strings.TrimSpace(a.Config.Getenv("GORAILS_MAIL_DELIVERY")); v != "" {
		return strings.ToLower(v), true
	}
	if m := a.Config.Mail.DeliveryMethod; m != "" {
		return strings.ToLower(m), true
	}
	switch {
	case a.Env().IsTest():
		return mail.MethodTest, false
	case a.Env().IsProduction():
		return mail.MethodSMTP, false
	default:
		return mail.MethodFile, false
	}
}

// mailDefaultURL is the base of the URL helpers in mail views.
func (a *App) mailDefaultURL() (string, error) {
	raw := strings.TrimSpace(a.Config.Getenv("GORAILS_MAIL_URL"))
	name := "GORAILS_MAIL_URL"
	if raw == "" {
		raw, name = a.Config.Mail.DefaultURL, "Config.Mail.DefaultURL"
	}
	if raw != "" {
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			// The value is not quoted: it may hold a password (user:pass@).
			return "", fmt.Errorf("%w: %s is not a scheme and host such as https://example.com (no user, path or query)", ErrMailer, name)
		}
		return u.Scheme + "://" + u.Host, nil
	}
	switch {
	case a.Env().IsTest():
		return "http://www.example.com", nil
	case a.Env().IsDevelopment():
		port := a.Config.Server.Port
		if port == 0 {
			port = 3000
		}
		return "http://localhost:" + strconv.Itoa(port), nil
	}
	force, _, err := a.sslSettings()
	if err != nil {
		return "", err
	}
	scheme := "http"
	if force {
		scheme = "https"
	}
	for _, h := range a.hostsConfig().Allowed {
		// A host name or an IP address, not ".example.com" (a domain), an
		// IP range or a wildcard.
		if h == "" || strings.HasPrefix(h, ".") || strings.ContainsAny(h, "*/ ") {
			continue
		}
		if ip := net.ParseIP(h); ip != nil && ip.To4() == nil {
			h = "[" + h + "]"
		}
		return scheme + "://" + h, nil
	}
	return "", nil
}

// initMailer builds App.Mailer: the delivery method, the templates
// (app/views/<mailer>/<action>.text.tmpl and .html.tmpl in
// layouts/mailer.*, rendered by App.Views with the app's helpers),
// deliver-later through App.Jobs, then Config.RegisterMailers.
func initMailer(_ context.Context, a *App) error {
	mc := a.Config.Mail
	method, chosen := a.mailDeliveryMethod()
	base, err := a.mailDefaultURL()
	if err != nil {
		return err
	}
	a.mail = mailSetup{method: method, defaultURL: base}
	cfg := mail.Config{
		Env:            string(a.Env()),
		DeliveryMethod: method,
		Defaults:       mc.Defaults,
		SMTP:           mc.SMTP,
		FileDir:        mc.FileDir,
		Root:           a.Config.Root,
		Delivery:       mc.Delivery,
		Logger:         a.Logger.With("component", "mail"),
		Events:         a.Events,
		Now:            a.clock,
	}
	if a.Views != nil {
		cfg.Renderer = mailRenderer{views: a.Views, base: base}
	}
	// An SMTP delivery without its settings is a boot error when SMTP was
	// chosen, or when the app has mailers (checked after they register):
	// a new production app without mail still boots.
	var smtpErr error
	if method == mail.MethodSMTP && mc.Delivery == nil {
		smtpErr = a.fillSMTP(&cfg.SMTP)
		if smtpErr != nil {
			if chosen {
				return smtpErr
			}
			cfg.Delivery = mail.DeliveryFunc(func(context.Context, *mail.Envelope) error { return smtpErr })
		}
	}
	var deliver *job.Def[mail.Later]
	if a.Jobs != nil {
		cfg.Enqueue = func(ctx context.Context, l mail.Later) error {
			_, err := deliver.PerformLater(ctx, l)
			return err
		}
	}
	m, err := mail.New(cfg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMailer, err)
	}
	a.Mailer = m
	if a.Jobs != nil {
		// Errors that cannot succeed on a retry (an invalid message, a
		// server's 5xx, an action no longer registered) are discarded; the
		// others (a 4xx, a network failure) retry with the job's backoff.
		deliver = job.Register(a.Jobs, mail.DeliveryJob{Mailer: m}, job.DiscardOn(mail.ErrInvalidMessage, mail.ErrRejected, mail.ErrUnknownAction))
	}
	if a.Config.RegisterMailers != nil {
		if err := a.Config.RegisterMailers(a); err != nil {
			return fmt.Errorf("register mailers: %w", err)
		}
	}
	if len(m.Actions()) > 0 {
		if smtpErr != nil {
			return fmt.Errorf("%w (the app has mailers and the %s environment delivers by smtp; GORAILS_MAIL_DELIVERY chooses another method)", smtpErr, a.Env())
		}
		if base == "" {
			return fmt.Errorf("%w: no default URL for the links of mail views: set Config.Mail.DefaultURL (or GORAILS_MAIL_URL) to https://your-host, or list the host in Config.Hosts", ErrMailer)
		}
	}
	if a.Env().IsDevelopment() && mc.PreviewPath != "-" {
		a.mail.preview = mc.PreviewPath
		if a.mail.preview == "" {
			a.mail.preview = DefaultMailPreviewPath
		}
		if !strings.HasPrefix(a.mail.preview, "/") {
			return fmt.Errorf("%w: Config.Mail.PreviewPath %q must start with /", ErrMailer, mc.PreviewPath)
		}
	}
	return nil
}

// fillSMTP completes c from the credentials and checks it, with an error
// naming the missing setting and where it goes (never its value).
func (a *App) fillSMTP(c *mail.SMTPConfig) error {
	if a.Secrets != nil {
		filled, err := c.FillFromCredentials(a.Secrets.Credential)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMailer, err)
		}
		*c = filled
	}
	if _, err := mail.NewSMTP(*c); err != nil {
		return fmt.Errorf("%w: %w: set it in the credentials' smtp section (gorails credentials:edit: smtp: {address, port, user_name, password}) or in Config.Mail.SMTP", ErrMailer, err)
	}
	return nil
}

// MailDeliveryMethod is the delivery method the "mailer" initializer chose
// (smtp, file, test, log or null); "" before boot.
func (a *App) MailDeliveryMethod() string { return a.mail.method }

// MailDefaultURL is the base of the URL helpers in mail views
// ("https://example.com"); "" before boot or when production has none.
func (a *App) MailDefaultURL() string { return a.mail.defaultURL }

// MailPreviewPath is where the mail preview page is mounted; "" when it is
// not (test, production, or PreviewPath "-").
func (a *App) MailPreviewPath() string { return a.mail.preview }

// mailPreviews is the preview page for App.Mailer.
func (a *App) mailPreviews() http.Handler {
	return mail.PreviewPage(mail.PreviewConfig{Mailer: a.Mailer})
}

// mailRenderer renders mail templates with the app's view set: the
// action's view (user_mailer/welcome.text.tmpl) inside the mailer layout
// (layouts/mailer.text.tmpl), with the app's helpers; URL helpers given $
// build on the default URL.
type mailRenderer struct {
	views *view.Set
	base  string
}

func (r mailRenderer) RenderMail(ctx context.Context, w io.Writer, t mail.Template) error {
	o := view.Options{
		Controller: path.Dir(t.Name),
		Template:   t.Name,
		Format:     t.Format,
		Layout:     t.Layout,
		NoLayout:   t.Layout == "",
		Data:       t.Data,
		Helpers:    view.Helpers{URLs: mailURLs{base: r.base}, RequestContext: ctx},
	}
	if !r.views.Exists(o) {
		return fmt.Errorf("%s.%s.tmpl: %w", t.Name, t.Format, fs.ErrNotExist)
	}
	err := r.views.RenderContext(ctx, w, o)
	if errors.Is(err, view.ErrLayoutNotFound) {
		// A layout missing in this format: the view alone.
		o.Layout, o.NoLayout = "", true
		err = r.views.RenderContext(ctx, w, o)
	}
	return err
}

// mailURLs is a mail's view.URLHelper: there is no request, so the base
// of URL helpers is the configured default URL.
type mailURLs struct{ base string }

func (u mailURLs) BaseURL() string { return u.base }

func (u mailURLs) Path(name string, _ ...any) (string, error) {
	return "", fmt.Errorf("%w: form_with has no route %q in a mail view", ErrMailer, name)
}
