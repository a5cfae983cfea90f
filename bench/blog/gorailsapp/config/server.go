package config

import "github.com/gorails/gorails/framework/server"

// Server is the defaults of `gorails server` (Puma's config/puma.rb); the
// command's flags override them: gorails server -p 4000 -w 2 -t 5.
func Server() server.Config {
	return server.Config{
		Port:    3000,
		Workers: 0, // worker processes; 0 serves from one process
		// Threads: requests running app code at once, per process; default
		// 4 per CPU, at least 16 (server.DefaultThreadCount).

		// `gorails ctl stats` (and phased-restart, restart, stop) talk to this.
		ControlURL: "unix://tmp/control.sock",
	}
}
