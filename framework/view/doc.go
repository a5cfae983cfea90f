// Package view is gorails' ActionView on html/template: template lookup by
// convention, layouts, named blocks, partials, a helper set, a compiled
// template cache with reload in development, and error pages.
//
// # Files
//
// Templates live under app/views (the Set's FS) and are named
// <path>.<format>.tmpl:
//
//	layouts/application.html.tmpl   the default layout
//	layouts/admin.html.tmpl         layout of admin/* controllers (or Layout: "admin")
//	posts/index.html.tmpl           the view of PostsController#Index
//	posts/_form.html.tmpl           a partial
//
// A view is found as <controller>/<action>.<format>.tmpl, then
// <controller>/<action>.tmpl, then in the controller's namespaces and
// application/. The layout is layouts/<controller>, then its namespaces,
// then layouts/application, else none.
//
// # Compile once
//
// Each (layout, view) pair is compiled once, with every partial it names
// statically, into one html/template set and cached: a Render parses
// nothing. Request-scoped helpers cannot be bound at parse time, so the data
// every template executes with is a *Context: the controller's assigns are
// {{.Data}} (its exported fields, never the controller itself), a partial's
// locals {{.Locals}}, the request's values (flash, CSRF token, base URL)
// are carried by the Context, and helpers that need them take it as first
// argument ({{csrf_meta_tags .}}, or $ inside range and with). In
// development (Config.Reload with Dir) fsnotify drops the cache on any
// change; in production the FS can be an embed.FS.
//
// # Links are checked
//
// Templates link with the app's route helpers, generated from its routes
// (app/routes) and installed as Config.Funcs: {{post_path .ID}},
// {{edit_post_path .}}, {{post_url $ .ID}}. html/template resolves function
// names when it parses, so a template naming a route that does not exist
// fails to parse, with its file and line, at the boot check (Check) instead
// of rendering a broken link. CheckData goes further for a controller's
// views: each .Data.Name they read must be a field of what the controller
// renders them with.
//
// # Helper calls without reflect's extra work
//
// text/template calls every helper through reflect, and a variadic one
// ({{post_path .ID}}, {{truncate .Body 100}}) costs a slice and a boxed
// value per argument on each call. When a helper NAME has a fixed-arity
// form NAME__N in the Set's helpers (FixedArity), a call with N arguments
// is compiled to call it instead: truncate__2, link_to__2, and the route
// helpers' X_path__0 (the path built once), X_path__1, X_url__1 and
// X_url__2. A Config.Funcs helper may define its own.
//
// # Promoted fields by their path
//
// {{.ID}} on a model reads a field promoted from the embedded record.Model,
// which text/template finds with reflect's FieldByName on every read,
// searching the embedded structs and allocating. A unit is compiled for the
// type of the Data it renders (the controller's view data), and where dot's
// static type is known there (a range over []models.Post, a with on a
// models.Post, the Context itself) such a chain is executed by its path,
// {{.Model.ID}}, two top-level lookups that allocate nothing. Only chains
// whose evaluation cannot fail or differ are renamed: dot a struct (or the
// never-nil Context), every name an exported field reached through structs
// embedded by value and none a method (text/template tries methods first),
// no arguments, in templates that run only with the render's Context.
// Maps, methods, pointers, interfaces and variables keep text/template's
// evaluation and its error messages.
//
// In production embed the views with the all: prefix, since go:embed skips
// files starting with "_" (every partial) without it:
//
//	//go:embed all:app/views
//	var views embed.FS
//	sub, _ := fs.Sub(views, "app/views")
//	set, err := view.New(view.Config{FS: sub, Funcs: routes.Helpers().Funcs()})
//	if err == nil { err = set.Check() } // boot check: every template, file:line errors
//
// # Layouts and blocks
//
// A layout yields the view with {{template "content" .}} and declares named
// blocks with defaults using {{block "title" .}}Default{{end}}; a view fills
// them with {{define "title"}}...{{end}} (Rails' content_for/yield :title).
// {{if provided . "sidebar"}} tells whether the view defined a block.
//
//	<!-- layouts/application.html.tmpl -->
//	<html><head><title>{{block "title" .}}Blog{{end}}</title>{{csrf_meta_tags .}}</head>
//	<body>{{with .Flash.notice}}<p class="notice">{{.}}</p>{{end}}{{template "content" .}}</body></html>
//
//	<!-- posts/index.html.tmpl -->
//	{{define "title"}}Posts{{end}}
//	<h1>{{pluralize (len .Data.Posts) "post"}}</h1>
//	<ul>{{render_collection . "post" .Data.Posts}}</ul>
//	{{link_to "New post" (new_post_path)}}
//
//	<!-- posts/_post.html.tmpl: in with, dot is the post and $ the context -->
//	{{with .Locals.post}}<li id="{{dom_id .}}">{{link_to .Title (post_path .ID)}}
//	  {{button_to $ "Delete" (post_path .ID) "method" "delete"}}</li>{{end}}
//
// # Partials
//
// {{render . "form" "post" .Data.Post}} renders _form (looked up in the
// controller's folder, its namespaces, then application/; "shared/nav" names
// shared/_nav) with the local post. {{render_collection . "post" .Data.Posts}}
// renders _post per element with locals post and post_counter; it is the
// fast path (one context and one locals map for the whole collection). A
// partial can also be included natively, with contextual escaping:
// {{template "posts/_post" (locals $ "post" .)}} (a context and a map per
// call). Each .Locals.x costs html/template two allocations: a partial that
// reads a local several times should read it once, {{with .Locals.post}}.
//
// # Helpers
//
// Request-scoped (first argument: the *Context): render, render_collection,
// locals, provided, current_page, csrf_meta_tags, csrf_token, button_to,
// form_with, and the route helpers' URL forms (post_url $ ...).
//
// Pure: link_to, mail_to, dom_id, dom_class, pluralize, singularize,
// truncate, time_ago_in_words, distance_of_time_in_words,
// number_with_delimiter, simple_format, asset_path, stylesheet_link_tag,
// javascript_include_tag, image_tag, options, json.
//
// form_with returns a *FormBuilder whose methods build the form: Begin,
// End, Label, TextField, EmailField, PasswordField, NumberField, DateField,
// DatetimeField, HiddenField, TextArea, CheckBox, Select, Submit, Errors.
//
// Helpers that return template.HTML build their markup with every value
// escaped (URL attributes also lose javascript: and other unsafe schemes,
// and on* attributes are refused); none returns unescaped user data, and
// there is no raw helper. Helpers.CSRFToken may be called several times per
// render and should be cheap. The app's own Config.Funcs may take a
// *Context as first argument to reach the data and the request's values.
//
// Departures from Rails: blocks are static ({{define}} in the view, not a
// content_for that partials append to at run time), and a layout that names
// a block the view may not define must use {{block "name" .}}{{end}}, not
// {{template "name" .}}, which Check reports as a missing partial.
//
// # Errors
//
// Sentinels: ErrTemplateNotFound, ErrLayoutNotFound, ErrPartialNotFound,
// ErrInvalidTemplate (its errors are *TemplateError, "file:line: message").
// Locate finds the template and line of an error; the error pages
// themselves (development's debug page, production's public/404.html, ...)
// are framework/errorpage's.
//
// # Imports
//
// view imports neither controller nor record, and never dispatch's
// internals: routes reach it through URLHelper, models through small
// interfaces (ErrorsOn, Persisted, ModelName).
package view
