// Command gorailsapp is the blog benchmark's gorails application, written
// as `gorails new blog` and `gorails generate model Post title:string
// body:text` leave it, plus a posts controller and views. Its binary runs
// the app's commands: `gorailsapp server`, `gorailsapp db:migrate`,
// `gorailsapp routes`.
package main

import (
	"context"
	"embed"
	"os"

	"github.com/gorails/gorails/framework/cli"

	"github.com/gorails/gorails/bench/blog/gorailsapp/config"
	"github.com/gorails/gorails/bench/blog/internal/cpuprofile"
)

// files are the app's views, public files and configuration, embedded so
// that the binary runs anywhere. In development the files on disk are used
// instead, so edits show without a rebuild.
//
//go:embed all:app/views all:public config/*.yml
var files embed.FS

func main() {
	// The benchmark's addition to the generated main: BLOGBENCH_CPUPROFILE
	// names a file to write a CPU profile of this process to, until it
	// exits. cli.Run is cli.Main followed by os.Exit.
	stop := cpuprofile.Start()
	code := cli.Main(context.Background(), config.App(files), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
