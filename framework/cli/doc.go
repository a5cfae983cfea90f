// Package cli is the command line of a gorails app binary: a generated
// main.go is
//
//	func main() { cli.Run(config.App(files)) }
//
// and the binary answers server, routes, ctl, db:create, db:drop,
// db:migrate, db:rollback, db:migrate:redo, db:migrate:status, db:version,
// db:seed, db:reset, db:prepare, db:schema:dump, db:schema:load, jobs and
// jobs:stats, as Rails' bin/rails does. The gorails command builds the app
// binary and hands these commands to it.
//
// The commands are built on cobra, which stays inside this package: its
// API is Run and Main, and no cobra type is part of it.
//
// cli sits on top: it imports framework and the layers under it (server,
// job, record, migrate, dispatch); nothing in the framework imports cli.
package cli
