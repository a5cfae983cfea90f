package server_test

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/gorails/gorails/framework/server"
)

// An app binary's `server` command registers the flags, parses its
// arguments and calls Run; workers re-run the same command line.
func ExampleConfig_BindFlags() {
	cfg := server.Config{Workers: 2} // defaults from config/server.go
	fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
	cfg.BindFlags(fs)
	if err := fs.Parse([]string{"-t", "0:8", "-b", "unix:///tmp/app.sock", "-b", "127.0.0.1", "-p", "4000"}); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	fmt.Println(cfg.Workers, cfg.Threads, cfg.Binds, cfg.Port)
	// Output: 2 8 [unix:///tmp/app.sock 127.0.0.1] 4000
}
