package csrf

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gorails/gorails/framework/session"
	"github.com/gorails/gorails/internal/formpeek"
)

// Reasons a request is rejected; Check's error wraps one of them.
var (
	ErrCrossOrigin  = errors.New("csrf: cross-origin request")
	ErrMissingToken = errors.New("csrf: authenticity token missing")
	ErrInvalidToken = errors.New("csrf: authenticity token invalid")
	ErrNoSession    = errors.New("csrf: no session; install session.Manager.Handler outside the csrf middleware")
)

// Config configures a [Protection]. The zero value protects every unsafe
// request, trusts no other origin and rejects with 422.
type Config struct {
	// TrustedOrigins are other origins ("https://admin.example.com") allowed
	// to send unsafe requests.
	TrustedOrigins []string
	// BypassPatterns are http.ServeMux patterns ("/api/", "POST
	// /webhooks/{id}") whose requests are not checked at all. Only requests
	// matching a pattern directly are exempt, not ones ServeMux would
	// redirect.
	BypassPatterns []string
	// Skip, when set, exempts the requests for which it returns true.
	Skip func(*http.Request) bool
	// FailureStatus answers a rejected request; 0 means 422.
	FailureStatus int
	// OnFailure, when set, answers a rejected request instead.
	OnFailure func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives one line per rejection; nil means slog.Default().
	Logger *slog.Logger
}

// Protection is the CSRF middleware. It is immutable after [New] and safe
// for concurrent use.
type Protection struct {
	cfg    Config
	cop    *http.CrossOriginProtection
	bypass *http.ServeMux
}

type bypassHandler struct{}

func (bypassHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

var _ http.Handler = bypassHandler{}

// New validates cfg and builds the protection. It fails on a malformed
// trusted origin or bypass pattern.
func New(cfg Config) (p *Protection, err error) {
	if cfg.FailureStatus == 0 {
		cfg.FailureStatus = http.StatusUnprocessableEntity
	}
	p = &Protection{cfg: cfg, cop: http.NewCrossOriginProtection()}
	for _, o := range cfg.TrustedOrigins {
		if err := p.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("csrf: trusted origin: %w", err)
		}
	}
	if len(cfg.BypassPatterns) > 0 {
		p.bypass = http.NewServeMux()
		defer func() {
			if v := recover(); v != nil {
				p, err = nil, fmt.Errorf("csrf: bypass pattern: %v", v)
			}
		}()
		for _, pat := range cfg.BypassPatterns {
			p.bypass.Handle(pat, bypassHandler{})
		}
	}
	return p, nil
}

func safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func (p *Protection) exempt(r *http.Request) bool {
	if p.cfg.Skip != nil && p.cfg.Skip(r) {
		return true
	}
	if p.bypass != nil {
		if h, _ := p.bypass.Handler(r); h == (bypassHandler{}) {
			return true
		}
	}
	return false
}

// Check verifies r and returns nil when it may proceed, or an error wrapping
// [ErrCrossOrigin], [ErrMissingToken], [ErrInvalidToken] or [ErrNoSession].
// Safe methods and exempt requests always pass. The token is read from the
// X-CSRF-Token header, else from the authenticity_token field of a form body
// (within its first 1 MiB, or 64 KiB of a multipart body), which is read
// without consuming it: handlers after the middleware see the whole body.
func (p *Protection) Check(r *http.Request) error {
	if safe(r.Method) || p.exempt(r) {
		return nil
	}
	if err := p.cop.Check(r); err != nil {
		return fmt.Errorf("%w: %w", ErrCrossOrigin, err)
	}
	if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
		return nil // a browser told us where the request comes from, and it is allowed
	}
	s := session.FromContext(r.Context())
	if s == nil {
		return ErrNoSession
	}
	token := r.Header.Get(HeaderName)
	if token == "" {
		token = formpeek.Field(r, ParamName, formLimits)
	}
	if token == "" {
		return ErrMissingToken
	}
	if !valid(token, sessionSecret(s, false)) {
		return ErrInvalidToken
	}
	return nil
}

// Handler is the middleware: it rejects what [Protection.Check] refuses
// with Config.FailureStatus (or Config.OnFailure) and logs one line without
// any token or cookie in it.
func (p *Protection) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p.Check(r); err != nil {
			p.reject(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (p *Protection) reject(w http.ResponseWriter, r *http.Request, err error) {
	logger := p.cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn("csrf: rejected request", "method", r.Method, "path", r.URL.Path,
		"reason", err.Error(), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"), "origin", r.Header.Get("Origin"))
	if p.cfg.OnFailure != nil {
		p.cfg.OnFailure(w, r, err)
		return
	}
	http.Error(w, fmt.Sprintf("%d %s: the request could not be verified as coming from this site (CSRF protection)",
		p.cfg.FailureStatus, http.StatusText(p.cfg.FailureStatus)), p.cfg.FailureStatus)
}
