package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateMailerGolden pins what `gorails generate mailer User welcome
// password_reset` writes and prints against testdata/golden/mailer/user.
func TestGenerateMailerGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	if err := generateMailer(root, "User", []string{"welcome", "password_reset"}, false, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"output.txt": out.String()}
	for _, p := range []string{
		"app/mailers/user_mailer.go", "app/mailers/user_mailer_preview.go", "app/mailers/user_mailer_test.go",
		"app/mailers/app_test.go", "app/mailers/mailers.go",
		"app/views/user_mailer/welcome.text.tmpl", "app/views/user_mailer/welcome.html.tmpl",
		"app/views/user_mailer/password_reset.text.tmpl", "app/views/user_mailer/password_reset.html.tmpl",
	} {
		got[p] = readFile(t, root, p)
	}
	checkGolden(t, "mailer/user", got)
}

// TestGenerateAndDestroyMailer: generate adds one Register line (however
// often it runs), destroy removes the files and the line; an app made
// before mailers gets app/mailers/mailers.go and a note.
func TestGenerateAndDestroyMailer(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	before := readFile(t, root, mailersFile)
	for range 2 {
		if err := generateMailer(root, "notifications_mailer", []string{"Digest"}, true, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	after := readFile(t, root, mailersFile)
	if strings.Count(after, "RegisterNotificationsMailer(app)") != 1 || !strings.Contains(after, "RegisterNotificationsMailer(app)\n\treturn nil\n}") {
		t.Fatalf("mailers.go after generate:\n%s", after)
	}
	if !strings.Contains(readFile(t, root, "app/mailers/notifications_mailer.go"), "type NotificationsMailerDigestArgs struct") {
		t.Fatal("the action's arguments are not named after the mailer and the action")
	}
	var out bytes.Buffer
	if err := destroyMailer(root, "Notifications", &out); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, root, mailersFile); got != before {
		t.Fatalf("mailers.go after destroy:\n%s\nwant:\n%s", got, before)
	}
	for _, f := range []string{"app/mailers/notifications_mailer.go", "app/mailers/notifications_mailer_preview.go", "app/views/notifications_mailer/digest.text.tmpl", "app/views/notifications_mailer"} {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f))); err == nil {
			t.Errorf("destroy left %s", f)
		}
	}

	if err := os.Remove(filepath.Join(root, filepath.FromSlash(mailersFile))); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := generateMailer(root, "User", []string{"welcome"}, false, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readFile(t, root, mailersFile), "RegisterUserMailer(app)") || !strings.Contains(out.String(), "add RegisterMailers: mailers.Register") {
		t.Fatalf("an app without mailers.go: printed %q", out.String())
	}
}

func TestGenerateMailerNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []string
		err     string // "" is valid
		typ     string
	}{
		{"User", []string{"welcome"}, "", "UserMailer"},
		{"user_mailer", []string{"PasswordReset"}, "", "UserMailer"},
		{"AdminNotifications", []string{"weekly_digest"}, "", "AdminNotificationsMailer"},
		{"User", nil, "at least one action", ""},
		{"Mailer", []string{"x"}, "invalid mailer name", ""},
		{"Application", []string{"x"}, "invalid mailer name", ""},
		{"../etc", []string{"x"}, "invalid mailer name", ""},
		{"User", []string{"we-lcome"}, "invalid action name", ""},
		{"User", []string{"welcome", "welcome"}, "given twice", ""},
		{"User", []string{"a/../../b"}, "invalid action name", ""},
		{"User", []string{"x\n"}, "invalid action name", ""},
	}
	root := newTestApp(t)
	for _, tt := range tests {
		d, err := newMailerData(root, tt.name, tt.actions)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s %v: %v", tt.name, tt.actions, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s %v: error %v; want %q", tt.name, tt.actions, err, tt.err)
		case tt.err == "" && d.Type != tt.typ:
			t.Errorf("%s: type %s; want %s", tt.name, d.Type, tt.typ)
		}
	}
}
