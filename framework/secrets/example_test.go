package secrets_test

import (
	"fmt"
	"strings"

	"github.com/gorails/gorails/framework/secrets"
)

func ExampleSecrets_Key() {
	s, err := secrets.New(strings.Repeat("0123456789abcdef", 8))
	if err != nil {
		panic(err)
	}
	cookies := s.Key("cookies/signed", 64)
	csrf := s.Key("csrf", 32)
	fmt.Println(len(cookies), len(csrf), string(cookies[:32]) != string(csrf))
	// Output: 64 32 true
}

func ExampleLoad() {
	_, err := secrets.Load(secrets.Options{Root: "testdata/empty", Env: "production", Getenv: func(string) string { return "" }})
	fmt.Println(err)
	// Output: secrets: secret_key_base is not set for the production environment: set SECRET_KEY_BASE (generate one with `openssl rand -hex 64`) or add secret_key_base to config/credentials.yml.enc with `gorails credentials:edit`
}
