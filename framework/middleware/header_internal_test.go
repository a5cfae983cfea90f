package middleware

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHeaderValueKeysAreCanonical: headerValue indexes the map with the
// key as given, so every key the package passes it must be spelled as
// http.Header's Get would look it up ("Etag", not "ETag"), or the lookup
// misses a header that is there.
func TestHeaderValueKeysAreCanonical(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "headerValue" || len(call.Args) != 2 {
				return true
			}
			calls++
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: headerValue's key is not a string literal; check it is canonical", fset.Position(call.Pos()))
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			if canonical := http.CanonicalHeaderKey(key); canonical != key {
				t.Errorf("%s: headerValue(_, %q): the canonical key is %q", fset.Position(call.Pos()), key, canonical)
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatal("found no call of headerValue")
	}
}

func TestHeaderValueIsGet(t *testing.T) {
	h := http.Header{}
	h.Set("ETag", `W/"1"`)
	h.Add("Cache-Control", "no-cache")
	h.Add("Cache-Control", "private")
	h["Empty"] = []string{}
	for _, key := range []string{"Etag", "Cache-Control", "Empty", "Missing"} {
		if got, want := headerValue(h, key), h.Get(key); got != want {
			t.Errorf("headerValue(%q) = %q, Get = %q", key, got, want)
		}
	}
}
