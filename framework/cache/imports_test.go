package cache_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCacheImportsNoOtherGorailsPackage keeps the package below the web
// stack and beside record (see doc.go): of gorails, only internal/ helpers
// and the event bus (which imports nothing of gorails).
func TestCacheImportsNoOtherGorailsPackage(t *testing.T) {
	const module = "github.com/gorails/gorails/"
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, module) && !strings.HasPrefix(path, module+"internal/") && path != module+"framework/event" {
				t.Errorf("%s imports %s; framework/cache may import only gorails' internal/ packages and framework/event", f, path)
			}
		}
	}
}
