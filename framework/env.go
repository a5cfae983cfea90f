package framework

import (
	"errors"
	"fmt"
	"testing"
)

// Env is the environment an app runs in: development, test or production.
type Env string

// The three environments, as in Rails.
const (
	Development Env = "development"
	Test        Env = "test"
	Production  Env = "production"
)

// ErrBadEnv is returned for an environment name other than the three known ones.
var ErrBadEnv = errors.New("unknown environment")

// ParseEnv turns a GORAILS_ENV value into an Env. "" means development,
// or test inside a test binary (go test), as Rails' tests run in test.
func ParseEnv(s string) (Env, error) {
	switch Env(s) {
	case "":
		if testing.Testing() {
			return Test, nil
		}
		return Development, nil
	case Development, Test, Production:
		return Env(s), nil
	}
	return "", fmt.Errorf("GORAILS_ENV=%q: %w (use development, test or production)", s, ErrBadEnv)
}

// IsDevelopment reports whether e is the development environment.
func (e Env) IsDevelopment() bool { return e == Development }

// IsTest reports whether e is the test environment.
func (e Env) IsTest() bool { return e == Test }

// IsProduction reports whether e is the production environment.
func (e Env) IsProduction() bool { return e == Production }
