package mail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework/mail"
)

func ExampleMessage_WriteTo() {
	msg := &mail.Message{
		From:      mail.Address("Boutique Élise", "shop@example.com"),
		To:        []string{"ann@example.org"},
		Subject:   "Votre commande est expédiée",
		Text:      "Bonjour Ann,\nvotre colis arrive à 9 h.\n",
		MessageID: "order-42@example.com",
		Date:      time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
	}
	var b strings.Builder
	if _, err := msg.WriteTo(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	// Output:
	// Date: Sat, 14 Mar 2026 09:30:00 +0000
	// From: =?utf-8?q?Boutique_=C3=89lise?= <shop@example.com>
	// To: <ann@example.org>
	// Message-ID: <order-42@example.com>
	// Subject: =?utf-8?q?Votre_commande_est_exp=C3=A9di=C3=A9e?=
	// MIME-Version: 1.0
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Bonjour Ann,
	// votre colis arrive =C3=A0 9 h.
}

func ExampleMessage_WriteTo_headerInjection() {
	msg := &mail.Message{From: "shop@example.com", To: []string{"ann@example.org\r\nBcc: victim@example.net"}, Text: "hi"}
	_, err := msg.WriteTo(os.Stdout)
	fmt.Println(err)
	// Output:
	// mail: To[0]: CR or LF in a header value (header injection)
}

// An action is a mailer method: typed arguments in, a message out, its
// parts rendered from templates named after it.
func ExampleRegister() {
	views := fstest.MapFS{
		"layouts/mailer.text.tmpl":             {Data: []byte("{{template \"content\" .}}Thanks, the Shop\n")},
		"user_mailer/password_reset.text.tmpl": {Data: []byte("Hello {{.Data.Name}}, reset here: https://shop.example.com/reset/{{.Data.Token}}\n")},
		"user_mailer/password_reset.html.tmpl": {Data: []byte("<p>Hello {{.Data.Name}}</p>")},
		"layouts/mailer.html.tmpl":             {Data: []byte("<html><body>{{template \"content\" .}}</body></html>")},
	}
	m, err := mail.New(mail.Config{Env: "test", Renderer: mail.Templates(views), Defaults: mail.Defaults{From: "The Shop <shop@example.com>"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	type ResetArgs struct{ Name, Email, Token string }
	reset := mail.Register(m, "user_mailer/password_reset", func(ctx context.Context, a ResetArgs) (*mail.Message, error) {
		return &mail.Message{To: []string{mail.Address(a.Name, a.Email)}, Subject: "Reset your password", Data: a}, nil
	})

	ctx := context.Background()
	if err := reset.DeliverLater(ctx, ResetArgs{Name: "Ann", Email: "ann@example.org", Token: "t0k3n"}); err != nil {
		fmt.Println(err)
		return
	}
	sent := m.Outbox().Last()
	fmt.Println(sent.To, sent.Message.Subject)
	fmt.Print(sent.Message.Text)
	fmt.Println(sent.Message.HTML)
	// Output:
	// [ann@example.org] Reset your password
	// Hello Ann, reset here: https://shop.example.com/reset/t0k3n
	// Thanks, the Shop
	// <html><body><p>Hello Ann</p></body></html>
}

// The job package runs deliver-later: Config.Enqueue hands it a Later,
// and DeliveryJob performs it. Here a slice stands in for the queue.
func ExampleDeliveryJob() {
	var queue []json.RawMessage
	m, _ := mail.New(mail.Config{Env: "test", Enqueue: func(ctx context.Context, l mail.Later) error {
		raw, err := json.Marshal(l)
		queue = append(queue, raw)
		return err
	}})
	type WelcomeArgs struct {
		Email string `json:"email"`
	}
	mail.Register(m, "user_mailer/welcome", func(ctx context.Context, a WelcomeArgs) (*mail.Message, error) {
		return &mail.Message{From: "shop@example.com", To: []string{a.Email}, Subject: "Welcome", Text: "Hi!"}, nil
	})

	ctx := context.Background()
	mail.For[WelcomeArgs](m).DeliverLater(ctx, WelcomeArgs{Email: "ann@example.org"})
	fmt.Printf("queued %s, delivered %d\n", queue[0], m.Outbox().Len())

	// Later, in the job worker:
	var l mail.Later
	json.Unmarshal(queue[0], &l)
	if err := (mail.DeliveryJob{Mailer: m}).Perform(ctx, l); err != nil {
		fmt.Println(err)
	}
	fmt.Println("delivered", m.Outbox().Len())
	// Output:
	// queued {"action":"user_mailer/welcome","args":{"email":"ann@example.org"}}, delivered 0
	// delivered 1
}

// In tests, the test delivery keeps messages in an Outbox.
func ExampleOutbox() {
	m, _ := mail.New(mail.Config{Env: "test", Defaults: mail.Defaults{From: "shop@example.com"}})
	ctx := context.Background()
	m.Deliver(ctx, &mail.Message{To: []string{"ann@example.org"}, Bcc: []string{"audit@example.org"}, Subject: "Receipt", Text: "Thanks"})

	box := m.Outbox()
	fmt.Println(box.Len(), len(box.To("audit@example.org")), len(box.WithSubject("Receipt")))
	box.Clear()
	fmt.Println(box.Len())
	// Output:
	// 1 1 1
	// 0
}

// Production reads SMTP settings from config and the password from the
// credentials; printing the config never shows it.
func ExampleSMTPConfig_FillFromCredentials() {
	credentials := map[string]any{"smtp": map[string]any{"user_name": "apikey", "password": "SG.very-secret"}}
	lookup := func(path ...string) (any, bool) { // (*secrets.Secrets).Credential
		v, ok := credentials[path[0]].(map[string]any)[path[1]]
		return v, ok
	}
	cfg, err := mail.SMTPConfig{Host: "smtp.example.com", Port: 587}.FillFromCredentials(lookup)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := mail.New(mail.Config{Env: "production", DeliveryMethod: mail.MethodSMTP, SMTP: cfg})
	fmt.Println(err == nil, cfg)
	_ = m
	// Output:
	// true smtp://apikey@smtp.example.com:587 (auth "", tls "", password [FILTERED])
}

func ExampleParse() {
	raw := "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>\r\nTo: ann@example.org\r\nSubject: Hello\r\n\r\nSee you!\r\n"
	msg, err := mail.Parse([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s | %s | %q\n", msg.From, msg.Subject, msg.Text)
	// Output:
	// Zoë <zoe@example.org> | Hello | "See you!\n"
}
