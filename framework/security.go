package framework

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/security"
	"github.com/gorails/gorails/framework/session"
)

// guards are the security middleware an app builds at boot from its config.
type guards struct {
	hosts   func(http.Handler) http.Handler
	ssl     func(http.Handler) http.Handler
	session *session.Manager
	csrf    *csrf.Protection
	filter  *security.Filter
	proxies *security.Proxies // whose X-Forwarded-For names the client
}

// initSecrets loads secret_key_base: SECRET_KEY_BASE, else the encrypted
// credentials, else (development and test only) a secret generated once into
// tmp/. A production app without one does not boot.
func initSecrets(_ context.Context, a *App) error {
	s, err := secrets.Load(secrets.Options{Root: a.Config.Root, Env: string(a.Env()), Getenv: a.Config.Getenv})
	if err != nil {
		return err
	}
	a.Secrets = s
	return nil
}

// initSecurity builds the host authorization, force_ssl, session, CSRF and
// log-filter guards from the config, so that a bad setting stops the boot.
func initSecurity(_ context.Context, a *App) error {
	c := &a.Config
	proxyRanges := c.TrustedProxies
	if proxyRanges == nil {
		proxyRanges = security.DefaultProxyRanges()
	}
	proxies, err := security.NewProxies(proxyRanges...)
	if err != nil {
		return fmt.Errorf("TrustedProxies: %w", err)
	}
	a.guards.proxies = proxies
	if a.guards.hosts, err = security.HostAuthorization(a.hostsConfig()); err != nil {
		return fmt.Errorf("%w (or set GORAILS_HOSTS=example.com)", err)
	}
	secure := a.Env().IsProduction()
	forceSSL, assumeSSL, err := a.sslSettings()
	if err != nil {
		return err
	}
	if secure && forceSSL {
		exclude := c.SSLExclude
		if exclude == nil {
			exclude = healthCheck
		}
		a.guards.ssl = security.ForceSSL(security.SSL{Proxies: proxies, AssumeSSL: assumeSSL, Exclude: exclude})
	}
	a.guards.session, err = session.New(session.Config{Keys: a.Secrets, Secure: secure, Logger: a.Logger, Now: a.clock})
	if err != nil {
		return err
	}
	a.guards.csrf, err = csrf.New(csrf.Config{TrustedOrigins: c.TrustedOrigins, BypassPatterns: c.CSRFBypass, Logger: a.Logger})
	if err != nil {
		return fmt.Errorf("CSRF: %w", err)
	}
	a.guards.filter = security.NewFilter(append(security.DefaultFilterParams(), c.FilterParameters...)...)
	return nil
}

// sslSettings are ForceSSL and AssumeSSL with GORAILS_FORCE_SSL and
// GORAILS_ASSUME_SSL applied; a value that is not a boolean stops the boot
// rather than leave HTTPS to a typo.
func (a *App) sslSettings() (force, assume bool, err error) {
	force, assume = a.Config.ForceSSL, a.Config.AssumeSSL
	for _, v := range []struct {
		name string
		into *bool
	}{{"GORAILS_FORCE_SSL", &force}, {"GORAILS_ASSUME_SSL", &assume}} {
		s := strings.TrimSpace(a.Config.Getenv(v.name))
		if s == "" {
			continue
		}
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			return false, false, fmt.Errorf("%s=%q: want true or false", v.name, s)
		}
		*v.into = b
	}
	return force, assume, nil
}

// healthCheck is ForceSSL's default exclusion: GET or HEAD /up, which a
// load balancer may ask over plain HTTP.
func healthCheck(r *http.Request) bool {
	return r.URL.Path == "/up" && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

func (a *App) hostsConfig() security.Hosts {
	hosts := append([]string(nil), a.Config.Hosts...)
	for _, h := range strings.Split(a.Config.Getenv("GORAILS_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	switch a.Env() {
	case Development:
		return security.Hosts{Allowed: append(security.DevelopmentHosts(), hosts...), Verbose: true}
	case Test:
		return security.Hosts{Allowed: hosts, AllowAll: len(hosts) == 0}
	default:
		return security.Hosts{Allowed: hosts, AllowAll: a.Config.AllowAllHosts}
	}
}

// The security middleware, in the order DESIGN.md gives, each a no-op until
// the "security" initializer has built it.
func (a *App) addSecurityMiddleware() {
	_ = a.Middleware.InsertAfter(MiddlewareLogger, MiddlewareSSL, func(next http.Handler) http.Handler {
		if a.guards.ssl == nil {
			return next
		}
		return a.guards.ssl(next)
	})
	_ = a.Middleware.InsertAfter(MiddlewareSSL, MiddlewareHostAuthorization, func(next http.Handler) http.Handler {
		return a.guards.hosts(next)
	})
	_ = a.Middleware.Use(MiddlewareSecurityHeaders, security.Headers(security.DefaultHeaders()))
	_ = a.Middleware.Use(MiddlewareSession, func(next http.Handler) http.Handler {
		return a.guards.session.Handler(next)
	})
	_ = a.Middleware.Use(MiddlewareCSRF, func(next http.Handler) http.Handler {
		return a.guards.csrf.Handler(next)
	})
}
