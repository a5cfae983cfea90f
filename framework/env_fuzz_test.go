package framework_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework"
)

// FuzzParseEnv: any GORAILS_ENV value is one of the three environments or
// an error matching ErrBadEnv that quotes it on one line; never a panic,
// never a silent default (but "", which is development, or test under go
// test).
func FuzzParseEnv(f *testing.F) {
	for _, s := range []string{"", "development", "test", "production", "Production", " production", "prod", "production\n", "\x00", "développement", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		env, err := framework.ParseEnv(s)
		switch s {
		case "":
			if err != nil || env != framework.Test {
				t.Fatalf("ParseEnv(\"\") under go test = %q, %v", env, err)
			}
		case "development", "test", "production":
			if err != nil || string(env) != s {
				t.Fatalf("ParseEnv(%q) = %q, %v", s, env, err)
			}
		default:
			if !errors.Is(err, framework.ErrBadEnv) || env != "" {
				t.Fatalf("ParseEnv(%q) = %q, %v; want ErrBadEnv", s, env, err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") || !strings.Contains(err.Error(), "GORAILS_ENV") {
				t.Fatalf("ParseEnv(%q)'s error is not one line naming the variable: %q", s, err)
			}
		}
	})
}

// FuzzEnvironmentConfig: an app made from any GORAILS_ENV and
// GORAILS_LOG_LEVEL validates, or fails with an error naming the bad
// setting; New never panics.
func FuzzEnvironmentConfig(f *testing.F) {
	for _, s := range [][2]string{
		{"production", "info"}, {"development", ""}, {"test", "DEBUG"}, {"", " warn "}, {"staging", "info"},
		{"production", "verbose"}, {"production\n", "error\n"}, {"\xff", "\x00"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, env, level string) {
		vars := map[string]string{"GORAILS_ENV": env, "GORAILS_LOG_LEVEL": level}
		app := framework.New(framework.Config{LogOutput: io.Discard, Root: t.TempDir(), Getenv: func(k string) string { return vars[k] }})
		err := app.Validate()
		_, envErr := framework.ParseEnv(env)
		_, levelErr := framework.ParseLogLevel(level)
		if level == "" {
			levelErr = nil
		}
		if (envErr == nil && levelErr == nil) != (err == nil) {
			t.Fatalf("GORAILS_ENV=%q GORAILS_LOG_LEVEL=%q: Validate = %v", env, level, err)
		}
		if envErr != nil && !errors.Is(err, framework.ErrBadEnv) {
			t.Fatalf("GORAILS_ENV=%q: %v does not match ErrBadEnv", env, err)
		}
		if levelErr != nil && (!errors.Is(err, framework.ErrBadLogSetting) || !strings.Contains(err.Error(), "GORAILS_LOG_LEVEL")) {
			t.Fatalf("GORAILS_LOG_LEVEL=%q: %v does not name it", level, err)
		}
		if err == nil && app.Env() != framework.Env(map[string]string{"": "test"}[env]+env) {
			t.Fatalf("GORAILS_ENV=%q: the app runs in %q", env, app.Env())
		}
		_ = app.Close()
	})
}
