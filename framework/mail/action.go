package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Action is a registered mailer method: a function from typed arguments
// to a Message, like a Rails mailer method. Its name is also its
// template's: Register(m, "user_mailer/password_reset", ...) renders
// user_mailer/password_reset.text.tmpl and .html.tmpl unless the message
// sets Template or its own bodies. Safe for concurrent use.
type Action[A any] struct {
	m     *Mailer
	name  string
	build func(ctx context.Context, args A) (*Message, error)
	err   error // For found no single action for A
}

// action is an Action erased to JSON arguments, for DeliverEnqueued.
type action struct {
	name string
	run  func(ctx context.Context, args json.RawMessage) (*Message, error)
}

type ambiguousAction []string

var actionName = regexp.MustCompile(`^[a-z0-9_]+(/[a-z0-9_]+)*$`)

// Register adds an action to m. build returns the message for args (nil,
// nil sends nothing: a user who unsubscribed). The arguments must survive
// JSON, since DeliverLater stores them in a job: pass IDs, not records.
// Register panics when name is not a lower_snake path or is already
// registered on m: both are boot-time programming errors, as a duplicate
// http.ServeMux pattern is.
func Register[A any](m *Mailer, name string, build func(ctx context.Context, args A) (*Message, error)) *Action[A] {
	if !actionName.MatchString(name) {
		panic(fmt.Sprintf("mail: action name %q is not a path of lower_snake words (user_mailer/password_reset)", name))
	}
	a := &Action[A]{m: m, name: name, build: build}
	erased := &action{name: name, run: func(ctx context.Context, raw json.RawMessage) (*Message, error) {
		var args A
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("%w: action %s: decode arguments: %w", ErrInvalidMessage, name, err)
		}
		return a.Message(ctx, args)
	}}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.actions[name]; dup {
		panic("mail: action " + name + " registered twice")
	}
	m.actions[name] = erased
	at := reflect.TypeFor[A]()
	switch prev := m.byArgs[at].(type) {
	case nil:
		m.byArgs[at] = a
	case ambiguousAction:
		m.byArgs[at] = append(prev, name)
	case interface{ Name() string }:
		m.byArgs[at] = ambiguousAction{prev.Name(), name}
	}
	return a
}

// For returns the action registered on m for argument type A, so code
// holding the Mailer but not the Action (a controller) can send:
// mail.For[ResetArgs](m).DeliverLater(ctx, args). Give each action its own
// argument type: when none or several take A, every call of the returned
// Action fails with ErrUnknownAction naming A.
func For[A any](m *Mailer) *Action[A] {
	at := reflect.TypeFor[A]()
	m.mu.RLock()
	v := m.byArgs[at]
	m.mu.RUnlock()
	switch v := v.(type) {
	case *Action[A]:
		return v
	case ambiguousAction:
		return &Action[A]{m: m, err: fmt.Errorf("%w: actions %s all take %v; use the Action Register returned", ErrUnknownAction, strings.Join(v, ", "), at)}
	}
	return &Action[A]{m: m, err: fmt.Errorf("%w: no action takes %v; register it on this mailer at boot", ErrUnknownAction, at)}
}

// Name returns the action's name.
func (a *Action[A]) Name() string { return a.name }

// Message runs the action's function and returns its message, Template
// defaulted to the action's name (nil when the action sends nothing).
func (a *Action[A]) Message(ctx context.Context, args A) (*Message, error) {
	if a.err != nil {
		return nil, a.err
	}
	msg, err := a.build(ctx, args)
	if err != nil {
		return nil, fmt.Errorf("mail: action %s: %w", a.name, err)
	}
	if msg == nil {
		return nil, nil
	}
	if msg.Template == "" {
		msg.Template = a.name
	}
	msg.action = a.name
	return msg, nil
}

// mailerAction splits an action's name into Rails' mailer class and
// method: "user_mailer/password_reset" is UserMailer and password_reset,
// "admin/user_mailer/reset" Admin::UserMailer and reset; a name of one
// word is an action without a mailer.
func mailerAction(name string) (mailer, action string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "", name
	}
	var b strings.Builder
	for j, seg := range strings.Split(name[:i], "/") {
		if j > 0 {
			b.WriteString("::")
		}
		for _, w := range strings.Split(seg, "_") {
			if w != "" {
				b.WriteString(strings.ToUpper(w[:1]))
				b.WriteString(w[1:])
			}
		}
	}
	return b.String(), name[i+1:]
}

// Build returns what DeliverNow would send, without sending it (tests,
// previews); nil when the action sends nothing.
func (a *Action[A]) Build(ctx context.Context, args A) (*Envelope, error) {
	msg, err := a.Message(ctx, args)
	if err != nil || msg == nil {
		return nil, err
	}
	return a.m.Build(ctx, msg)
}

// DeliverNow builds and delivers the message for args, in the caller.
func (a *Action[A]) DeliverNow(ctx context.Context, args A) (*Envelope, error) {
	msg, err := a.Message(ctx, args)
	if err != nil || msg == nil {
		return nil, err
	}
	return a.m.Deliver(ctx, msg)
}

// DeliverLater enqueues the action's name and args; the job builds the
// message from fresh data when it runs (without Config.Enqueue, now).
func (a *Action[A]) DeliverLater(ctx context.Context, args A) error {
	if a.err != nil {
		return a.err
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("mail: action %s: encode arguments: %w", a.name, err)
	}
	return a.m.enqueue(ctx, Later{Action: a.name, Args: raw})
}

// PreviewWith registers a preview named after the action that shows its
// message for args (Rails' mailer previews).
func (a *Action[A]) PreviewWith(args A) {
	a.m.AddPreview(a.name, func(ctx context.Context) (*Message, error) { return a.Message(ctx, args) })
}

// AddPreview registers a named preview, listed on the preview page, whose
// message build makes when the page is opened. A name added again
// replaces the earlier preview.
func (m *Mailer) AddPreview(name string, build func(ctx context.Context) (*Message, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.previews[name] = build
}

// Previews returns the registered preview names, sorted.
func (m *Mailer) Previews() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.previews))
	for n := range m.previews {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Preview builds the named preview's message, or returns an error
// matching ErrUnknownAction for a name never added.
func (m *Mailer) Preview(ctx context.Context, name string) (*Envelope, error) {
	m.mu.RLock()
	build := m.previews[name]
	m.mu.RUnlock()
	if build == nil {
		return nil, fmt.Errorf("%w: no preview %q", ErrUnknownAction, name)
	}
	msg, err := build(ctx)
	if err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, fmt.Errorf("mail: preview %s: the action sends nothing for these arguments", name)
	}
	return m.Build(ctx, msg)
}

// Actions returns the names of the registered actions, sorted.
func (m *Mailer) Actions() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.actions))
	for n := range m.actions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
