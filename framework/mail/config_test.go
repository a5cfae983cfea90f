package mail

import (
	"go/build"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestConfigDecodesFromYAMLPerEnvironment decodes a config/mail.yml as
// the framework will: one section per environment, Rails' names.
func TestConfigDecodesFromYAMLPerEnvironment(t *testing.T) {
	doc := `
development:
  delivery_method: file
  file_location: tmp/letters
test:
  delivery_method: test
production:
  delivery_method: smtp
  default:
    from: "Shop <no-reply@shop.example.com>"
    headers: {X-App: shop}
  smtp_settings:
    address: smtp.example.com
    port: 2525
    user_name: apikey
    authentication: login
    tls: starttls
    open_timeout: 3s
    read_timeout: 1m
`
	var envs map[string]Config
	if err := yaml.Unmarshal([]byte(doc), &envs); err != nil {
		t.Fatal(err)
	}
	prod := envs["production"]
	s := prod.SMTP
	if prod.DeliveryMethod != "smtp" || prod.Defaults.From != "Shop <no-reply@shop.example.com>" || prod.Defaults.Headers["X-App"] != "shop" {
		t.Errorf("production = %+v", prod)
	}
	if s.Host != "smtp.example.com" || s.Port != 2525 || s.Username != "apikey" || s.Auth != "login" || s.TLS != TLSStartTLS ||
		s.OpenTimeout != 3*time.Second || s.ReadTimeout != time.Minute {
		t.Errorf("smtp_settings = %+v", s)
	}
	s.Password = "from-credentials"
	prod.SMTP, prod.Env = s, "production"
	if _, err := New(prod); err != nil {
		t.Errorf("production config: %v", err)
	}
	dev := envs["development"]
	dev.Root = "/app"
	m, err := New(dev)
	if err != nil || m.FileDir() != "/app/tmp/letters" {
		t.Errorf("development: %v, dir %q", err, m.FileDir())
	}
	// A password written in the YAML still never prints.
	var leaked SMTPConfig
	yaml.Unmarshal([]byte("password: hunter2"), &leaked)
	if string(leaked.Password) != "hunter2" || strings.Contains(leaked.String(), "hunter2") {
		t.Errorf("password %q printed as %s", string(leaked.Password), leaked)
	}
}

// TestImportsOnlyTheStandardLibrary keeps mail below the web stack,
// record and job (doc.go): the framework adapts them to its seams. The
// event bus, which imports the standard library only, is the exception.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") && imp != "github.com/gorails/gorails/framework/event" {
			t.Errorf("mail imports %s; it may import the standard library only", imp)
		}
	}
}
