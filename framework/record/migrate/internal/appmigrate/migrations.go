// Package appmigrate is an app's db/migrate package in miniature, for the
// tests of migrate.Methods: Migrations declares two migrations, one file
// each; Bad declares every mistake Methods reports.
package appmigrate

import "github.com/gorails/gorails/framework/record/migrate"

// Migrations holds the migrations, one method per file.
type Migrations struct{}

// All returns the migrations, as an app's All does.
func All() []migrate.Migration { return migrate.Methods(Migrations{}) }

// Bad holds methods Methods refuses.
type Bad struct{}

// Misplaced is a migration in a file not named VERSION_name.go.
func (Bad) Misplaced() migrate.Migration { return migrate.Migration{Change: func(*migrate.Schema) {}} }

// Helper is exported and is not a migration.
func (Bad) Helper() string { return "not a migration" }

// Pointer has a pointer receiver, which Methods cannot see on a value.
func (*Bad) Pointer() migrate.Migration { return migrate.Migration{} }
