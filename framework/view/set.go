package view

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Config configures a Set. Its zero value is not usable: FS (or Dir) is
// required.
type Config struct {
	// FS is rooted at the app's app/views: os.DirFS in development, an
	// embed.FS (embedded with "all:" so partials are kept, and fs.Sub'ed to
	// app/views) in production. When nil and Dir is set, os.DirFS(Dir) is
	// used.
	FS fs.FS
	// Dir is the on-disk path of the same tree, watched for changes when
	// Reload is set. "" = no watching.
	Dir string
	// Reload (development): a template edit shows on the next request
	// without a restart. With Dir, compiled templates are cached and dropped
	// when fsnotify reports a change under Dir; without Dir, nothing is
	// cached and every Render parses its files again.
	Reload bool
	// Funcs are the app's extra helpers. They may not redefine the
	// framework's helpers; a clash is an ErrInvalidConfig.
	Funcs template.FuncMap
	// Logger receives reload notices and watcher errors; nil discards.
	Logger *slog.Logger

	// Assets maps logical asset names to fingerprinted file names, such as
	// "application.css" -> "application-3f2a9c.css" (the asset manifest).
	// Names not in the map are served unfingerprinted.
	Assets map[string]string
	// AssetPrefix is the URL path assets are served under; "" = "/assets".
	AssetPrefix string
	// Now is the clock of time_ago_in_words; nil = time.Now.
	Now func() time.Time

	// Fragments is where render_cached and render_collection_cached keep
	// rendered partials; nil: they render without caching.
	Fragments FragmentCache
	// PerformCaching says, per render, whether fragments are cached (the
	// framework's: development only after `gorails dev:cache`); nil: always
	// when Fragments is set.
	PerformCaching func() bool
	// Events, when set, receives a RenderTemplate per RenderContext and a
	// RenderPartial per render/render_collection, and the request's
	// event.Runtime (in RenderContext's ctx) the time spent rendering.
	Events *event.Bus
}

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	if cfg.FS == nil && cfg.Dir != "" {
		cfg.FS = os.DirFS(cfg.Dir)
	}
	if cfg.FS == nil {
		return cfg, fmt.Errorf("%w: FS or Dir is required", ErrInvalidConfig)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AssetPrefix == "" {
		cfg.AssetPrefix = "/assets"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}

// Set is an app's view set: it finds, compiles, caches and renders
// templates. Each (controller, view, layout, format) combination is compiled
// once and cached; rendering parses nothing. A Set is safe for concurrent
// use. Close stops its watcher.
type Set struct {
	cfg   Config
	funcs template.FuncMap
	cache bool // false in Reload mode without Dir

	mu    sync.RWMutex
	gen   uint64 // bumped by Invalidate; a compile started earlier is not cached
	units map[unitKey]*unit
	files map[string]*fileEntry // path -> parsed file (or missing)

	bufs  sync.Pool // *bytes.Buffer
	types sync.Map  // reflect.Type -> *typeInfo
	watch *watcher  // nil when not watching
	close sync.Once
}

// New builds a Set. It checks the config and, in Reload mode with a Dir,
// starts watching Dir. Templates are compiled lazily, on first use; call
// Check at boot to verify them all.
func New(cfg Config) (*Set, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Set{
		cfg:   cfg,
		cache: !cfg.Reload || cfg.Dir != "",
		units: make(map[unitKey]*unit),
		files: make(map[string]*fileEntry),
	}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	if s.funcs, err = s.funcMap(); err != nil {
		return nil, err
	}
	if cfg.Reload && cfg.Dir != "" {
		if s.watch, err = startWatcher(cfg.Dir, cfg.Logger, s.Invalidate); err != nil {
			return nil, fmt.Errorf("view: watch %s: %w", cfg.Dir, err)
		}
	}
	return s, nil
}

// Options says what to render.
type Options struct {
	// Controller is the controller path, "posts" or "admin/users": it picks
	// the default layout and where partials are looked up.
	Controller string
	// Template is the view, "posts/index", without format or extension; a
	// name without a slash ("edit") is in Controller's folder. It is looked
	// up as <Template>.<Format>.tmpl, then <Template>.tmpl, then in
	// application/.
	Template string
	// Format is "html" (the default), "json", "text", ... Only html is
	// rendered with html/template's contextual escaping; other formats use
	// text/template.
	Format string
	// Layout "" picks by convention: layouts/<controller>, its namespaces
	// (layouts/admin), layouts/application, else none. A name ("admin",
	// "layouts/admin") must exist.
	Layout string
	// NoLayout renders the view alone.
	NoLayout bool
	// Data is the controller's assigns, {{.Data}} in templates.
	Data any
	// Helpers are the request-scoped values.
	Helpers Helpers
}

// Render renders o's view inside its layout to w. The output is built in a
// buffer first: on error nothing is written to w. Errors wrap
// ErrTemplateNotFound, ErrLayoutNotFound, ErrPartialNotFound,
// ErrInvalidTemplate or the error of a helper or of template execution.
func (s *Set) Render(w io.Writer, o Options) error {
	return s.RenderContext(context.Background(), w, o)
}

// RenderContext is Render for a request: with Config.Events set it reports
// the render (event.RenderTemplate, with its partials' RenderPartial) with
// ctx and adds its time to ctx's event.Runtime (the "Views:" of the
// request log). Without subscribers it costs nothing more than Render.
func (s *Set) RenderContext(ctx context.Context, w io.Writer, o Options) (err error) {
	u, err := s.unitFor(o)
	if err != nil {
		return err
	}
	if bus := s.cfg.Events; bus.Enabled(event.KindRenderTemplate) || bus.Enabled(event.KindProcessAction) {
		defer s.instrument(ctx, u, time.Now(), &err)
	}
	buf := s.getBuf()
	defer s.putBuf(buf)
	vctx := &Context{Data: o.Data, Helpers: o.Helpers, set: s, u: u, controller: o.Controller, ctx: ctx}
	if err := u.run(buf, vctx); err != nil {
		return fmt.Errorf("view: render %s: %w", u.file, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// instrument reports a render that started at start.
func (s *Set) instrument(ctx context.Context, u *unit, start time.Time, err *error) {
	d := time.Since(start)
	event.RuntimeFrom(ctx).AddViews(d)
	if s.cfg.Events.Enabled(event.KindRenderTemplate) {
		s.cfg.Events.Emit(ctx, &event.RenderTemplate{Identifier: u.file, Layout: u.layout, Start: start, Duration: d, Err: *err})
	}
}

// Exists reports whether o's view template has a file, for a controller's
// implicit render.
func (s *Set) Exists(o Options) bool {
	_, err := s.findView(o.Controller, o.Template, formatOf(o.Format))
	return err == nil
}

// Invalidate drops every compiled template; the next Render compiles again
// from the FS. The watcher calls it on changes; tests may call it directly.
func (s *Set) Invalidate() {
	s.mu.Lock()
	clear(s.units)
	clear(s.files)
	s.gen++
	s.mu.Unlock()
	s.cfg.Logger.Debug("view: templates changed, cache cleared")
}

// Close stops watching. The Set still renders afterwards.
func (s *Set) Close() error {
	var err error
	s.close.Do(func() {
		if s.watch != nil {
			err = s.watch.stop()
		}
	})
	return err
}

const maxPooledBuf = 1 << 20

func (s *Set) getBuf() *bytes.Buffer { return s.bufs.Get().(*bytes.Buffer) }

func (s *Set) putBuf(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuf {
		return
	}
	b.Reset()
	s.bufs.Put(b)
}

func formatOf(f string) string {
	if f == "" {
		return "html"
	}
	return f
}
