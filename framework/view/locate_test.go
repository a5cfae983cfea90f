package view_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/view"
)

func TestLocate(t *testing.T) {
	t.Parallel()
	set, err := view.New(view.Config{FS: fstest.MapFS{"posts/index.html.tmpl": {Data: []byte("one\n{{index \"ab\" 5}}\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	execErr := set.Render(new(strings.Builder), view.Options{Controller: "posts", Template: "index"})
	tests := []struct {
		name string
		err  error
		file string
		line int
	}{
		{"a template error with a line", fmt.Errorf("render: %w", &view.TemplateError{File: "a.html.tmpl", Line: 4, Msg: "bad"}), "a.html.tmpl", 4},
		{"an execution error", execErr, "posts/index.html.tmpl", 2},
		{"a template error without a line", &view.TemplateError{File: "a.html.tmpl", Msg: "bad"}, "", 0},
		{"an error of no template", errors.New("boom"), "", 0},
		{"no error", nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := view.Locate(tt.err)
			if tt.file == "" {
				if te != nil {
					t.Fatalf("Locate(%v) = %v, want nil", tt.err, te)
				}
				return
			}
			if te == nil || te.File != tt.file || te.Line != tt.line {
				t.Fatalf("Locate(%v) = %+v, want %s:%d", tt.err, te, tt.file, tt.line)
			}
		})
	}
}
