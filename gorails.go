// Package gorails is the root of the gorails module: a full-stack MVC web
// framework for Go in the spirit of Ruby on Rails. The framework lives in the
// framework/ packages and the CLI in cmd/gorails; this package only carries
// facts about the module itself that generated applications need.
package gorails

import (
	_ "embed"
	"runtime/debug"
)

// ModulePath is the import path of the framework module.
const ModulePath = "github.com/gorails/gorails"

// GoMod and GoSum are the framework's own go.mod and go.sum, embedded so that
// `gorails new` can give a generated app every requirement and checksum it
// needs to build offline.
var (
	//go:embed go.mod
	GoMod string
	//go:embed go.sum
	GoSum string
)

// Version reports the framework version: the module version when gorails was
// installed with `go install ...@version` or required at a version, or
// "devel" when built from a source checkout (directly or through a replace).
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
			if m.Path != ModulePath {
				continue
			}
			if m.Replace != nil || m.Version == "" || m.Version == "(devel)" {
				return "devel" // a source checkout, directly or through a replace
			}
			return m.Version
		}
	}
	return "devel"
}
