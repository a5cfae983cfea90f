// Package security holds the HTTP hardening Rails applies by default, as
// net/http middleware and plain functions:
//
//   - [Headers] with [DefaultHeaders]: X-Frame-Options, X-Content-Type-Options,
//     Referrer-Policy, X-Permitted-Cross-Domain-Policies, X-XSS-Protection;
//   - [CSP], a Content-Security-Policy builder with per-request nonces ([Nonce]);
//   - [ForceSSL]: redirect to HTTPS, Strict-Transport-Security, Secure cookies;
//   - [HostAuthorization]: only configured hosts (DNS rebinding protection);
//   - [Filter]: parameter filtering for logs (Rails' filter_parameters);
//   - [Proxies]: the client IP and scheme behind trusted proxies;
//   - [Limiter]: rate limiting, RateLimit(to, within, by), with a [Store].
//
// Every type is immutable after construction and safe for concurrent use
// unless its documentation says otherwise. Imports: the standard library
// only; nothing of controller, view, record or dispatch.
package security
