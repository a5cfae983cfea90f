// Package csrf protects unsafe requests (everything but GET, HEAD and
// OPTIONS) against cross-site request forgery, in two layers:
//
//  1. Cross-origin protection by Go's [http.CrossOriginProtection]: a
//     browser's Sec-Fetch-Site header, or else its Origin header compared
//     with Host, must say the request comes from this site or a trusted
//     origin.
//  2. For requests that carry neither header (old browsers, some proxies,
//     non-browser clients), a masked per-session authenticity token, sent in
//     the authenticity_token form field or the X-CSRF-Token header and
//     checked against the secret kept in the session.
//
// A rejected request gets 422 Unprocessable Content (configurable) and a
// log line. APIs opt out by path ([Config.BypassPatterns]) or by predicate
// ([Config.Skip]).
//
// Views use [Token] (masked, different on each call so it cannot be
// recovered through compression side channels such as BREACH), [HiddenField]
// and [MetaTags].
//
// The middleware must run inside session.Manager.Handler, which holds the
// token's secret. Imports: the standard library and framework/session only;
// nothing of controller, view, record or dispatch.
package csrf
