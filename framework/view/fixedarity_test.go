package view_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/view"
)

var errShout = errors.New("shout: nothing to shout")

// shoutFuncs is a variadic helper with a fixed-arity form for one
// argument that says it ran, so a test sees which one a view called.
func shoutFuncs() map[string]any {
	shout := func(args ...any) (string, error) {
		if len(args) == 1 && args[0] == "" {
			return "", errShout
		}
		return "variadic" + fmt.Sprint(args...), nil
	}
	return map[string]any{
		"shout": shout,
		view.FixedArity("shout", 1): func(a any) string {
			if a == "" {
				panic(errShout)
			}
			return "fixed" + fmt.Sprint(a)
		},
	}
}

func TestFixedArityForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src, want string
		err             error
	}{
		{"one argument calls the fixed form", `{{shout "a"}}`, "fixeda", nil},
		{"a piped value counts as an argument", `{{"a" | shout}}`, "fixeda", nil},
		{"two arguments call the variadic helper", `{{shout "a" "b"}}`, "variadicab", nil},
		{"a helper as an argument is a call without arguments", `{{print shout}}`, "variadic", nil},
		{"inside a range and a with", `{{range .Data}}{{with .}}{{shout .}}{{end}}{{end}}`, "fixedxfixedy", nil},
		{"inside a parenthesized pipeline", `{{print (shout "a")}}`, "fixeda", nil},
		{"the fixed form's panic is the helper's error", `{{shout ""}}`, "", errShout},
		{"the variadic helper's error", `{{print (shout "")}}`, "", errShout},
		{"truncate without options", `{{truncate "<b>héllo wörld</b>" 8}}`, "&lt;b&gt;hé...", nil},
		{"truncate with options", `{{truncate "héllo wörld again" 12 "separator" " "}}`, "héllo...", nil},
		{"link_to escapes its body and URL", `{{link_to "<x>" "/a?b=1&c=\"2\""}}`, `<a href="/a?b=1&amp;c=&#34;2&#34;">&lt;x&gt;</a>`, nil},
		{"link_to in an attribute-free call with a bad URL", `{{link_to "x" "javascript:alert(1)"}}`, `<a href="#ZgotmplZ">x</a>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set, err := view.New(view.Config{Funcs: shoutFuncs(), FS: fstest.MapFS{"posts/index.html.tmpl": {Data: []byte(tc.src)}}})
			if err != nil {
				t.Fatal(err)
			}
			defer set.Close()
			var b strings.Builder
			err = set.Render(&b, view.Options{Controller: "posts", Template: "index", Data: []string{"x", "y"}})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), "shout") {
					t.Fatalf("err = %v, want %v naming the helper", err, tc.err)
				}
				return
			}
			if err != nil || b.String() != tc.want {
				t.Fatalf("= %q, %v; want %q", b.String(), err, tc.want)
			}
		})
	}
}

func ExampleFixedArity() {
	fmt.Println(view.FixedArity("truncate", 2))
	// Output: truncate__2
}
