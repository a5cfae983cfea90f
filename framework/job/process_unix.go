//go:build unix

package job

import (
	"errors"
	"syscall"
)

// processExists reports whether process pid exists on this host (it may
// belong to another user).
func processExists(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
