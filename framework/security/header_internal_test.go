package security

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

// TestHeaderIndexKeysAreCanonical: the package reads and sets headers by
// indexing the map (r.Header["X-Forwarded-For"], w.Header()[key]) without
// Get's and Set's canonicalisation, so every literal key must be spelled
// as they would spell it, or a header that is there is missed.
func TestHeaderIndexKeysAreCanonical(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ix, ok := n.(*ast.IndexExpr)
			if !ok || !isHeader(ix.X) {
				return true
			}
			lit, ok := ix.Index.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			found++
			key, _ := strconv.Unquote(lit.Value)
			if canonical := http.CanonicalHeaderKey(key); canonical != key {
				t.Errorf("%s: header key %q: the canonical key is %q", fset.Position(ix.Pos()), key, canonical)
			}
			return true
		})
	}
	if found == 0 {
		t.Fatal("found no header indexed by a literal key")
	}
}

// isHeader reports whether x is r.Header or w.Header().
func isHeader(x ast.Expr) bool {
	if call, ok := x.(*ast.CallExpr); ok {
		x = call.Fun
	}
	sel, ok := x.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Header"
}
