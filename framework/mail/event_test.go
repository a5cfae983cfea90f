package mail

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gorails/gorails/framework/event"
)

func TestMailerAction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, mailer, action string }{
		{"user_mailer/password_reset", "UserMailer", "password_reset"},
		{"admin/user_mailer/reset", "Admin::UserMailer", "reset"},
		{"notifications/weekly_digest_v2", "Notifications", "weekly_digest_v2"},
		{"welcome", "", "welcome"},
		{"", "", ""},
	} {
		mailer, action := mailerAction(tc.name)
		if mailer != tc.mailer || action != tc.action {
			t.Errorf("mailerAction(%q) = %q, %q; want %q, %q", tc.name, mailer, action, tc.mailer, tc.action)
		}
	}
}

// TestDeliverEventNamesTheMailerAction checks the deliver event of every
// way to send: an action now, an action later through a job (which
// rebuilds the message from the action's name), a message built by hand,
// and a failed delivery.
func TestDeliverEventNamesTheMailerAction(t *testing.T) {
	t.Parallel()
	bus := event.New()
	var got []event.DeliverMail
	event.Subscribe(bus, func(_ context.Context, e *event.DeliverMail) { got = append(got, *e) })
	var queued []Later
	b := setup(t, func(c *Config) {
		c.Events = bus
		c.Enqueue = func(_ context.Context, l Later) error { queued = append(queued, l); return nil }
	})
	reset := registerReset(b.m)
	ctx := context.Background()

	if _, err := reset.DeliverNow(ctx, resetArgs{Name: "Ann", Token: "t1"}); err != nil {
		t.Fatal(err)
	}
	if err := reset.DeliverLater(ctx, resetArgs{Name: "Bob", Token: "t2"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(queued[0]) // as a job backend stores it
	var l Later
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	if err := (DeliveryJob{Mailer: b.m}).Perform(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := b.m.Deliver(ctx, &Message{To: []string{"cy@example.org"}, Subject: "By hand", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	// A message built by hand and named like an action is still by hand.
	if _, err := b.m.Deliver(ctx, &Message{To: []string{"di@example.org"}, Subject: "Templated", Template: "user_mailer/password_reset", Data: resetArgs{Name: "Di"}}); err != nil {
		t.Fatal(err)
	}

	want := []struct{ mailer, action, subject string }{
		{"UserMailer", "password_reset", "Reset your password"},
		{"UserMailer", "password_reset", "Reset your password"},
		{"", "", "By hand"},
		{"", "", "Templated"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d deliver events, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		e := got[i]
		if e.Mailer != w.mailer || e.Action != w.action || e.Subject != w.subject || e.MessageID == "" || e.Err != nil {
			t.Errorf("event %d = %+v; want mailer %q action %q subject %q", i, e, w.mailer, w.action, w.subject)
		}
	}

	// A failed delivery names its action too.
	failing := setup(t, func(c *Config) {
		c.Events = bus
		c.Delivery = DeliveryFunc(func(context.Context, *Envelope) error { return errors.New("smtp down") })
	})
	got = nil
	if _, err := registerReset(failing.m).DeliverNow(ctx, resetArgs{Name: "Ed"}); err == nil {
		t.Fatal("the failing delivery succeeded")
	}
	if len(got) != 1 || got[0].Mailer != "UserMailer" || got[0].Action != "password_reset" || got[0].Err == nil {
		t.Fatalf("failed delivery's event: %+v", got)
	}
}
