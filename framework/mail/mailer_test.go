package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

type resetArgs struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}

// testBundle is a Mailer on the test delivery with the testdata views.
type testBundle struct {
	m   *Mailer
	box *Outbox
}

func setup(t *testing.T, edit ...func(c *Config)) testBundle {
	t.Helper()
	cfg := Config{
		Env:      "test",
		Defaults: Defaults{From: "Shop <shop@example.com>", Headers: map[string]string{"X-Mailer": "gorails"}},
		Renderer: Templates(os.DirFS("testdata/views")),
		Now:      func() time.Time { return fixedDate },
	}
	for _, e := range edit {
		e(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return testBundle{m: m, box: m.Outbox()}
}

func registerReset(m *Mailer) *Action[resetArgs] {
	return Register(m, "user_mailer/password_reset", func(ctx context.Context, a resetArgs) (*Message, error) {
		if a.Name == "unsubscribed" {
			return nil, nil
		}
		return &Message{To: []string{Address(a.Name, strings.ToLower(a.Name)+"@example.org")}, Subject: "Reset your password", Data: a}, nil
	})
}

func TestConfigPicksTheDeliveryMethodByEnvironment(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string // the delivery's type, or the error's text
	}{
		{"the zero value writes files in development", Config{}, "*mail.File"},
		{"test keeps an outbox", Config{Env: "test"}, "*mail.Outbox"},
		{"production must choose", Config{Env: "production"}, "delivery_method is not set for the production environment"},
		{"staging must choose too", Config{Env: "staging"}, "delivery_method is not set for the staging"},
		{"smtp needs a host", Config{Env: "production", DeliveryMethod: "smtp"}, "address (the SMTP host) is not set"},
		{"smtp with a host", Config{Env: "production", DeliveryMethod: "smtp", SMTP: SMTPConfig{Host: "smtp.example.com"}}, "*mail.SMTP"},
		{"log", Config{Env: "production", DeliveryMethod: "log"}, "mail.Log"},
		{"null", Config{Env: "production", DeliveryMethod: "null"}, "mail.Null"},
		{"an unknown method", Config{DeliveryMethod: "sendmail"}, `delivery_method "sendmail" is not one of`},
		{"an explicit delivery wins", Config{Env: "production", Delivery: Null{}}, "mail.Null"},
		{"a bad default from", Config{Defaults: Defaults{From: "shop\r\nBcc: x@y"}}, "header injection"},
		{"a bad default header", Config{Defaults: Defaults{Headers: map[string]string{"To": "x@y"}}}, "message's own field"},
		{"a bad message ID domain", Config{Defaults: Defaults{MessageIDDomain: "a b"}}, "message_id_domain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg)
			if err != nil {
				if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want ErrInvalidConfig saying %q", err, tc.want)
				}
				return
			}
			if got := fmt.Sprintf("%T", m.Delivery()); got != tc.want {
				t.Errorf("delivery %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("a relative file directory is under Root", func(t *testing.T) {
		m, _ := New(Config{Root: "/srv/app"})
		if m.FileDir() != "/srv/app/tmp/mails" {
			t.Errorf("FileDir = %s", m.FileDir())
		}
	})
}

func TestActionRendersTextAndHTMLByConvention(t *testing.T) {
	b := setup(t)
	reset := registerReset(b.m)
	env, err := reset.DeliverNow(context.Background(), resetArgs{Name: "Ann", Token: "tok<&>"})
	if err != nil {
		t.Fatal(err)
	}
	if b.box.Len() != 1 || b.box.Last() != env {
		t.Fatalf("outbox holds %d", b.box.Len())
	}
	msg := env.Message
	wantText := "Hello Ann,\n\nReset your password: https://shop.example.com/passwords/tok<&>/edit\n(Reset your password)\n\n-- \nShop\n"
	if msg.Text != wantText {
		t.Errorf("text = %q, want %q", msg.Text, wantText)
	}
	if !strings.Contains(msg.HTML, `href="https://shop.example.com/passwords/tok%3c&amp;%3e/edit"`) || !strings.Contains(msg.HTML, "<footer>Sent by Shop</footer>") {
		t.Errorf("html (escaped, in the layout) = %s", msg.HTML)
	}
	if msg.From != "Shop <shop@example.com>" || msg.Headers["X-Mailer"] != "gorails" || msg.Template != "user_mailer/password_reset" {
		t.Errorf("defaults not applied: %+v", msg)
	}
	if msg.MessageID == "" || !strings.HasSuffix(msg.MessageID, "@example.com") || !msg.Date.Equal(fixedDate) {
		t.Errorf("MessageID %q, Date %v", msg.MessageID, msg.Date)
	}
	if got := structure(t, env.Raw); got != "multipart/alternative(text/plain text/html)" {
		t.Errorf("structure %s", got)
	}
	checkWire(t, env.Raw)
}

func TestRenderingChoices(t *testing.T) {
	cases := []struct {
		name   string
		msg    Message
		noRend bool
		check  func(t *testing.T, env *Envelope, err error)
	}{
		{"a template with only a text view makes a text-only message", Message{Template: "notice_mailer/plain", Data: "Ann"}, false,
			func(t *testing.T, env *Envelope, err error) {
				if err != nil || env.Message.HTML != "" || env.Message.Text != "Just text for Ann.\n\n-- \nShop\n" {
					t.Errorf("err %v, message %+v", err, env)
				}
			}},
		{"NoLayout renders the view alone", Message{Template: "notice_mailer/plain", Data: "Ann", NoLayout: true}, false,
			func(t *testing.T, env *Envelope, err error) {
				if err != nil || env.Message.Text != "Just text for Ann.\n" {
					t.Errorf("err %v, text %q", err, env.Message.Text)
				}
			}},
		{"given bodies are not rendered over", Message{Template: "notice_mailer/plain", Text: "mine"}, false,
			func(t *testing.T, env *Envelope, err error) {
				if err != nil || env.Message.Text != "mine" {
					t.Errorf("err %v, text %q", err, env.Message.Text)
				}
			}},
		{"a template with no views is ErrNoBody", Message{Template: "nobody/here"}, false,
			func(t *testing.T, env *Envelope, err error) {
				if !errors.Is(err, ErrNoBody) || !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), "nobody/here.text") {
					t.Errorf("err = %v", err)
				}
			}},
		{"a template error names the template", Message{Template: "notice_mailer/broken", Data: map[string]any{"Missing": "a string has no fields"}}, false,
			func(t *testing.T, env *Envelope, err error) {
				if err == nil || !strings.Contains(err.Error(), "render notice_mailer/broken.html") {
					t.Errorf("err = %v", err)
				}
			}},
		{"a template without a renderer says to set one", Message{Template: "notice_mailer/plain"}, true,
			func(t *testing.T, env *Envelope, err error) {
				if err == nil || !strings.Contains(err.Error(), "no Renderer") {
					t.Errorf("err = %v", err)
				}
			}},
		{"parts given directly need no renderer", Message{Text: "t", HTML: "<p>h</p>"}, true,
			func(t *testing.T, env *Envelope, err error) {
				if err != nil || env.Message.HTML != "<p>h</p>" {
					t.Errorf("err %v", err)
				}
			}},
		{"no recipients is ErrNoRecipients", Message{Text: "t", To: []string{}}, true,
			func(t *testing.T, env *Envelope, err error) {
				if !errors.Is(err, ErrNoRecipients) || !Permanent(err) {
					t.Errorf("err = %v", err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, func(c *Config) {
				if tc.noRend {
					c.Renderer = nil
				}
			})
			msg := tc.msg
			if msg.To == nil {
				msg.To = []string{"ann@example.org"}
			}
			env, err := b.m.Build(context.Background(), &msg)
			tc.check(t, env, err)
		})
	}
}

func TestBuildDoesNotChangeTheCallersMessage(t *testing.T) {
	b := setup(t)
	msg := &Message{To: []string{"ann@example.org"}, Template: "notice_mailer/plain", Data: "x", Headers: map[string]string{"X-A": "1"}}
	before, _ := json.Marshal(msg)
	if _, err := b.m.Deliver(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(msg)
	if !bytes.Equal(before, after) {
		t.Errorf("message changed:\n%s\n%s", before, after)
	}
}

func TestEnvelopeRecipientsAreDeduplicated(t *testing.T) {
	b := setup(t)
	env, err := b.m.Build(context.Background(), &Message{
		To: []string{"Ann <ann@example.org>"}, Cc: []string{"ANN@example.org", "bob@example.org"}, Bcc: []string{"bob@example.org", "eve@example.org"}, Text: "x",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(env.To, ","); got != "ann@example.org,bob@example.org,eve@example.org" {
		t.Errorf("recipients %s", got)
	}
	if env.From != "shop@example.com" {
		t.Errorf("envelope from %s", env.From)
	}
	quoted, err := b.m.Build(context.Background(), &Message{To: []string{`"john doe"@example.org`}, Text: "x"})
	if err != nil || quoted.To[0] != `"john doe"@example.org` {
		t.Errorf("a quoted local part in the envelope: %v, %v", quoted, err)
	}
	if len(b.box.To(`"john doe"@example.org`)) != 0 {
		t.Error("Build delivered")
	}
}

func TestDeliverLaterThroughAnEnqueuer(t *testing.T) {
	var queued []json.RawMessage
	var b testBundle
	b = setup(t, func(c *Config) {
		c.Enqueue = func(ctx context.Context, l Later) error {
			raw, err := json.Marshal(l) // what a job backend stores
			queued = append(queued, raw)
			return err
		}
	})
	reset := registerReset(b.m)
	ctx := context.Background()
	if err := reset.DeliverLater(ctx, resetArgs{Name: "Ann", Token: "t1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.m.DeliverLater(ctx, &Message{To: []string{"bob@example.org"}, Subject: "Built", Text: "now"}); err != nil {
		t.Fatal(err)
	}
	if err := b.m.DeliverLater(ctx, &Message{To: []string{"bad\r\nBcc: x@y"}, Text: "now"}); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("a bad message is enqueued: err = %v", err)
	}
	if b.box.Len() != 0 || len(queued) != 2 {
		t.Fatalf("delivered %d, queued %d before the jobs ran", b.box.Len(), len(queued))
	}
	if strings.Contains(string(queued[0]), "Reset your password") || !strings.Contains(string(queued[0]), `"action":"user_mailer/password_reset"`) {
		t.Errorf("an action's job should carry its name and args, not the message: %s", queued[0])
	}
	job := DeliveryJob{Mailer: b.m}
	if job.Kind() != "mail.Delivery" {
		t.Errorf("Kind = %s", job.Kind())
	}
	for _, raw := range queued {
		var l Later
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		if err := job.Perform(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	b.box.AssertCount(t, 2)
	got := b.box.MustFind(t, "ann@example.org", "Reset your password")
	if !strings.Contains(got.Message.Text, "passwords/t1/edit") {
		t.Errorf("text %q", got.Message.Text)
	}
	if b.box.MustFind(t, "bob@example.org", "Built").Message.Text != "now" {
		t.Error("the built message lost its text")
	}
}

func TestDeliverLaterWithoutAnEnqueuerDeliversNow(t *testing.T) {
	b := setup(t)
	reset := registerReset(b.m)
	if err := reset.DeliverLater(context.Background(), resetArgs{Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	b.box.AssertCount(t, 1)
}

func TestAnActionMaySendNothing(t *testing.T) {
	b := setup(t)
	reset := registerReset(b.m)
	env, err := reset.DeliverNow(context.Background(), resetArgs{Name: "unsubscribed"})
	if err != nil || env != nil {
		t.Fatalf("env %v, err %v", env, err)
	}
	if err := reset.DeliverLater(context.Background(), resetArgs{Name: "unsubscribed"}); err != nil {
		t.Fatal(err)
	}
	b.box.AssertNone(t)
}

func TestActionLookupAndMistakes(t *testing.T) {
	b := setup(t)
	reset := registerReset(b.m)
	ctx := context.Background()
	if For[resetArgs](b.m) != reset {
		t.Error("For did not find the action by its argument type")
	}
	type otherArgs struct{}
	if _, err := For[otherArgs](b.m).DeliverNow(ctx, otherArgs{}); !errors.Is(err, ErrUnknownAction) {
		t.Errorf("For an unregistered type: err = %v", err)
	}
	Register(b.m, "user_mailer/reset_again", func(context.Context, resetArgs) (*Message, error) { return nil, nil })
	if err := For[resetArgs](b.m).DeliverLater(ctx, resetArgs{}); !errors.Is(err, ErrUnknownAction) || !strings.Contains(err.Error(), "user_mailer/password_reset, user_mailer/reset_again") {
		t.Errorf("For an ambiguous type: err = %v", err)
	}
	if err := b.m.DeliverEnqueued(ctx, Later{Action: "gone/away"}); !errors.Is(err, ErrUnknownAction) || !Permanent(err) {
		t.Errorf("an unknown action in a job: err = %v", err)
	}
	if err := b.m.DeliverEnqueued(ctx, Later{Action: "user_mailer/password_reset", Args: json.RawMessage(`[1]`)}); !Permanent(err) {
		t.Errorf("undecodable args: err = %v, want a permanent error", err)
	}
	if err := b.m.DeliverEnqueued(ctx, Later{}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("an empty job: err = %v", err)
	}
	for _, tc := range []struct{ name, action string }{
		{"a duplicate name panics", "user_mailer/password_reset"},
		{"a name that is no template path panics", "UserMailer.reset"},
		{"a name with dots panics", "../reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			Register(b.m, tc.action, func(context.Context, int) (*Message, error) { return nil, nil })
		})
	}
}

func TestDeliveryFailuresAreLoggedAndReturned(t *testing.T) {
	var logs bytes.Buffer
	boom := errors.New("boom")
	b := setup(t, func(c *Config) {
		c.Delivery = DeliveryFunc(func(context.Context, *Envelope) error { return boom })
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	_, err := b.m.Deliver(context.Background(), &Message{To: []string{"a@example.org"}, Text: "secret-token-123"})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "mail: deliver ") {
		t.Errorf("err = %v", err)
	}
	if !strings.Contains(logs.String(), "mail delivery failed") || strings.Contains(logs.String(), "secret-token-123") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestLogDeliveryLogsNoBody(t *testing.T) {
	var logs bytes.Buffer
	b := setup(t, func(c *Config) {
		c.DeliveryMethod = MethodLog
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	if _, err := b.m.Deliver(context.Background(), &Message{To: []string{"a@example.org"}, Subject: "Hi", Text: "secret-token-123"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "to=a@example.org") || !strings.Contains(logs.String(), "subject=Hi") || strings.Contains(logs.String(), "secret-token-123") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	send := func(ctx context.Context, to, subject string) {
		t.Helper()
		if _, err := b.m.Deliver(ctx, &Message{To: []string{to}, Bcc: []string{"audit@example.org"}, Subject: subject, Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	send(ctx, "Ann <ann@example.org>", "One")
	send(ctx, "bob@example.org", "Two")
	t.Run("finds by recipient, Bcc included, without case", func(t *testing.T) {
		if len(b.box.To("ANN@example.org")) != 1 || len(b.box.To("Audit <audit@example.org>")) != 2 || len(b.box.To("eve@example.org")) != 0 {
			t.Error("To found the wrong deliveries")
		}
	})
	t.Run("finds by subject", func(t *testing.T) {
		if got := b.box.WithSubject("Two"); len(got) != 1 || got[0].To[0] != "bob@example.org" {
			t.Errorf("WithSubject = %v", got)
		}
	})
	t.Run("assertions fail with what was delivered", func(t *testing.T) {
		ft := &fakeTB{}
		b.box.AssertCount(ft, 3)
		b.box.AssertNone(ft)
		b.box.MustFind(ft, "ann@example.org", "Two")
		if len(ft.errs) != 3 || !strings.Contains(ft.errs[0], `to ann@example.org, audit@example.org: "One"`) || !ft.fatal {
			t.Errorf("failures: %q fatal=%v", ft.errs, ft.fatal)
		}
	})
	t.Run("a context routes a test's deliveries to its own outbox", func(t *testing.T) {
		mine := NewOutbox()
		send(WithOutbox(ctx, mine), "carol@example.org", "Mine")
		if mine.Len() != 1 || len(b.box.To("carol@example.org")) != 0 {
			t.Errorf("mine %d, shared %d", mine.Len(), len(b.box.To("carol@example.org")))
		}
	})
	t.Run("Clear forgets", func(t *testing.T) {
		b.box.Clear()
		b.box.AssertNone(t)
		if b.box.Last() != nil {
			t.Error("Last after Clear")
		}
	})
	t.Run("Wait returns once enough were delivered", func(t *testing.T) {
		var box Outbox // the zero value works
		go func() {
			for range 3 {
				box.Deliver(ctx, &Envelope{Message: &Message{}})
			}
		}()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		got, err := box.Wait(wctx, 3)
		if err != nil || len(got) < 3 {
			t.Fatalf("Wait: %d, %v", len(got), err)
		}
		short, cancel2 := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel2()
		if _, err := box.Wait(short, 10); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait past the deadline: %v", err)
		}
	})
	t.Run("is safe for concurrent use", func(t *testing.T) {
		box := NewOutbox()
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for j := range 50 {
					box.Deliver(ctx, &Envelope{To: []string{fmt.Sprintf("u%d@example.org", i)}, Message: &Message{Subject: fmt.Sprint(j)}})
					box.To("u1@example.org")
					box.Len()
				}
			})
		}
		wg.Wait()
		if box.Len() != 400 || len(box.To("u1@example.org")) != 50 {
			t.Errorf("%d deliveries", box.Len())
		}
	})
}

type fakeTB struct {
	errs  []string
	fatal bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.fatal = true
}
