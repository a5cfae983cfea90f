// Package middleware holds the pieces of a gorails app's default stack
// that are plain net/http: RequestID, Instrument, RequestLogger, Recover,
// Static and BasicAuth. Each is a func(http.Handler) http.Handler in a file of its
// own, as chi's middleware are, and works with any router or with none.
//
// The App (package framework) puts them in its named middleware stack and
// gives them what only it knows: its logger, its log filter, its public/
// files, its error pages (Recover's PanicHandler) and the database
// statement counts (RequestLogger's Context and AddAttrs hooks).
//
// Instrument reports each request on the App's event bus (StartRequest,
// ProcessAction), from which the App's log subscriber writes Rails' request
// log; RequestLogger is the one-line request log for programs without the
// App.
//
// middleware imports only the standard library and framework/event (which
// imports only the standard library), so a program that uses it links
// neither the ORM nor the view layer.
package middleware
