// Package cpuprofile lets the blog benchmark profile its servers: each
// server's main calls Start, which profiles the process when the
// environment variable BLOGBENCH_CPUPROFILE names a file.
package cpuprofile

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Env names the file the profile is written to.
const Env = "BLOGBENCH_CPUPROFILE"

// Start begins a CPU profile when Env is set and returns the function that
// ends it and writes the file; without Env it does nothing. A failure is
// printed on stderr and leaves the server running unprofiled.
func Start() (stop func()) {
	path := os.Getenv(Env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprofile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cpuprofile:", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "cpuprofile:", err)
		}
	}
}
