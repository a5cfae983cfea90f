//go:build !unix

package server

import (
	"context"
	"errors"
	"net/http"
)

// ErrUnsupported is returned by Run and Control on systems without unix
// processes, signals and descriptor passing (Windows): develop under WSL.
var ErrUnsupported = errors.New("server: needs a unix system (Linux, macOS, BSD)")

// Run returns ErrUnsupported on this system.
func Run(ctx context.Context, cfg Config, boot func() (http.Handler, error)) error {
	return ErrUnsupported
}

// Control returns ErrUnsupported on this system.
func Control(ctx context.Context, controlURL, token, command string) ([]byte, error) {
	return nil, ErrUnsupported
}
