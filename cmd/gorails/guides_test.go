package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A guide step: a command typed into a terminal (with what its output must
// contain), or a file written.
type guideStep struct {
	line    int
	command string   // a line of an sh block
	expect  []string // its "# =>" lines
	logs    []string // its "# log =>" lines: text the running server's log must show after it
	file    string   // a block's file= name
	content string
}

// parseGuide reads the steps of a guide in docs/guides: every line of an
// ```sh block is a command and a following "# => text" line names text its
// output contains, and a "# log => text" line text the log of the server
// the guide started shows once the command ran; a block opened as
// ```lang file=path is written to path
// (relative to the current directory of the commands). Other blocks are
// prose.
func parseGuide(t *testing.T, path string) []guideStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		steps   []guideStep
		inBlock bool
		kind    string // "sh", "file" or "prose"
		file    string
		content strings.Builder
	)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			if inBlock {
				if kind == "file" {
					steps = append(steps, guideStep{line: n, file: file, content: content.String()})
				}
				inBlock = false
				continue
			}
			inBlock, kind, file = true, "prose", ""
			content.Reset()
			info := strings.Fields(strings.TrimPrefix(line, "```"))
			for _, w := range info {
				if name, ok := strings.CutPrefix(w, "file="); ok {
					kind, file = "file", name
				}
			}
			if kind == "prose" && len(info) > 0 && info[0] == "sh" {
				kind = "sh"
			}
			continue
		}
		if !inBlock {
			continue
		}
		switch kind {
		case "file":
			content.WriteString(line + "\n")
		case "sh":
			switch {
			case strings.HasPrefix(line, "# log =>"):
				if len(steps) == 0 || steps[len(steps)-1].command == "" {
					t.Fatalf("%s:%d: a log expectation without a command before it", path, n)
				}
				steps[len(steps)-1].logs = append(steps[len(steps)-1].logs, strings.TrimSpace(strings.TrimPrefix(line, "# log =>")))
			case strings.HasPrefix(line, "# =>"):
				if len(steps) == 0 || steps[len(steps)-1].command == "" {
					t.Fatalf("%s:%d: an expectation without a command before it", path, n)
				}
				steps[len(steps)-1].expect = append(steps[len(steps)-1].expect, strings.TrimSpace(strings.TrimPrefix(line, "# =>")))
			case strings.TrimSpace(line) == "", strings.HasPrefix(line, "#"):
			default:
				steps = append(steps, guideStep{line: n, command: line})
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// runGuide runs a guide's steps in a temporary directory: gorails commands
// through the CLI under test, `gorails server` in the background (curl's
// localhost:3000 is rewritten to its address), cd, and other commands with
// bash.
func runGuide(t *testing.T, path string) {
	steps := parseGuide(t, path)
	if len(steps) == 0 {
		t.Fatalf("%s has no steps", path)
	}
	dir := t.TempDir()
	var srv *server
	for _, st := range steps {
		if st.file != "" {
			p := filepath.Join(dir, filepath.FromSlash(st.file))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(st.content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		args := strings.Fields(st.command)
		var out string
		switch {
		case args[0] == "cd":
			dir = filepath.Join(dir, args[1])
			continue
		case args[0] == "gorails" && len(args) > 1 && args[1] == "server":
			srv = startServer(t, dir, args[2:]...)
			continue
		case args[0] == "gorails":
			var code int
			out, code = runCLI(t, dir, args[1:]...)
			if code != 0 {
				t.Fatalf("%s:%d: %s: exit %d\n%s", path, st.line, st.command, code, out)
			}
		default:
			cmdline := st.command
			if srv != nil {
				cmdline = strings.ReplaceAll(cmdline, "http://localhost:3000", srv.base)
			}
			cmd := exec.Command("bash", "-c", cmdline)
			cmd.Dir = dir
			b, err := cmd.CombinedOutput()
			out = string(b)
			if err != nil {
				t.Fatalf("%s:%d: %s: %v\n%s", path, st.line, st.command, err, out)
			}
		}
		for _, want := range st.expect {
			if !strings.Contains(out, want) {
				srvLog := ""
				if srv != nil {
					srvLog = srv.out.String()
				}
				t.Fatalf("%s:%d: %s printed\n%s\nwhich lacks %q\nserver log:\n%s", path, st.line, st.command, out, want, srvLog)
			}
		}
		for _, want := range st.logs {
			if srv == nil {
				t.Fatalf("%s:%d: a log expectation, but no server runs", path, st.line)
			}
			// The line may be written just after the response.
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(srv.out.String(), want) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(srv.out.String(), want) {
				t.Fatalf("%s:%d: after %s the server log lacks %q:\n%s", path, st.line, st.command, want, srv.out.String())
			}
		}
	}
}

// TestLoggingGuide runs docs/guides/logging.md: a new app's request log
// as Rails tells it, filtered params, request ids.
func TestLoggingGuide(t *testing.T) { runCurlGuide(t, "logging.md") }

// TestCachingGuide runs docs/guides/caching.md.
func TestCachingGuide(t *testing.T) { runCurlGuide(t, "caching.md") }

// TestTestingGuide runs docs/guides/testing.md: a new app, its generated
// tests, fixtures, an integration test with a form, jobs and time travel,
// all through gorails test.
func TestTestingGuide(t *testing.T) {
	runGuide(t, filepath.Join("..", "..", "docs", "guides", "testing.md"))
}

func TestParseGuide(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "g.md")
	src := "# T\n\n```sh\ngorails new x\n# => created\ncd x\n```\n\n```go file=a/b.go\npackage b\n```\n\n```text\nnot run\n```\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := parseGuide(t, p)
	if len(steps) != 3 || steps[0].command != "gorails new x" || len(steps[0].expect) != 1 || steps[0].expect[0] != "created" ||
		steps[1].command != "cd x" || steps[2].file != "a/b.go" || steps[2].content != "package b\n" {
		t.Fatalf("steps = %+v", steps)
	}
}

// TestRoutingGuide runs docs/guides/routing.md: concerns, optional
// segments, shared segments, defaults, path names, a controller scope and
// a routes file of its own, their generated helpers, `gorails routes
// --expanded` and a server answering them.
func TestRoutingGuide(t *testing.T) { runCurlGuide(t, "routing.md") }

// TestMailersGuide runs docs/guides/mailers.md.
func TestMailersGuide(t *testing.T) { runCurlGuide(t, "mailers.md") }

// TestAuthenticationGuide runs docs/guides/authentication.md: generate
// authentication, sign up, sign out, replay, reset by mail, rate limit.
func TestAuthenticationGuide(t *testing.T) { runCurlGuide(t, "authentication.md") }

// runCurlGuide runs the guide docs/guides/NAME, whose steps use curl.
func runCurlGuide(t *testing.T, name string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the guide uses curl, which is not installed")
		}
		t.Skip("the guide uses curl, which is not installed")
	}
	runGuide(t, filepath.Join("..", "..", "docs", "guides", name))
}
