package main

import (
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// FuzzMailerNames feeds `generate mailer` a name and an action: what it
// accepts is safe to write as Go identifiers, file names and the action's
// registered name (a lower_snake path mail.Register takes).
func FuzzMailerNames(f *testing.F) {
	for _, s := range [][2]string{{"User", "welcome"}, {"user_mailer", "PasswordReset"}, {"../x", "a"}, {"Mailer", "x"}, {"User", "a/b"},
		{"User", "we-lcome"}, {"é", "x"}, {"User", "x\n"}, {"A_", "b__c"}, {"X", "_"}, {"X", "9a"}} {
		f.Add(s[0], s[1])
	}
	root := f.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module shop\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	registered := regexp.MustCompile(`^[a-z0-9_]+(/[a-z0-9_]+)*$`) // mail's actionName
	f.Fuzz(func(t *testing.T, name, action string) {
		d, err := newMailerData(root, name, []string{action})
		if err != nil {
			return
		}
		if !token.IsIdentifier(d.Type) || !token.IsExported(d.Type) || !registered.MatchString(d.File) {
			t.Fatalf("%q gives type %q, file %q", name, d.Type, d.File)
		}
		for _, a := range d.Actions {
			if !token.IsIdentifier(a.Type) || !token.IsExported(a.Type) || !token.IsIdentifier(a.Args) || !registered.MatchString(d.File+"/"+a.Name) {
				t.Fatalf("%q %q gives action %+v", name, action, a)
			}
		}
	})
}
