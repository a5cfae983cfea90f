package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialsEditThenShow runs the real CLI with a scripted editor: edit
// creates master.key and the encrypted file, show prints what was written,
// and the file on disk does not hold the plain text.
func TestCredentialsEditThenShow(t *testing.T) {
	dir := generateApp(t, "creds")
	editor := filepath.Join(t.TempDir(), "editor.sh")
	script := "#!/bin/sh\nprintf 'secret_key_base: %s\\napi_token: sekrit-value\\n' \"$(printf 'a%.0s' $(seq 1 64))\" > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", editor)
	out, code := runCLI(t, dir, "credentials:edit")
	if code != 0 {
		t.Fatalf("credentials:edit exit %d\n%s", code, out)
	}
	key, err := os.ReadFile(filepath.Join(dir, "config", "master.key"))
	if err != nil || len(strings.TrimSpace(string(key))) == 0 {
		t.Fatalf("no master key written: %v", err)
	}
	enc, err := os.ReadFile(filepath.Join(dir, "config", "credentials.yml.enc"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(enc), "sekrit-value") {
		t.Fatal("the credentials file holds the plain text")
	}
	out, code = runCLI(t, dir, "credentials:show")
	if code != 0 || !strings.Contains(out, "api_token: sekrit-value") {
		t.Fatalf("credentials:show exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, t.TempDir(), "credentials:show"); code == 0 || !strings.Contains(out, "not inside a gorails application") {
		t.Errorf("credentials:show outside an app: exit %d\n%s", code, out)
	}
}
