package controller

import (
	"strings"
	"testing"
)

// TestLogFormatIsToUpper: the constants of logFormat are what
// strings.ToUpper made of every format, and "*/*" for none.
func TestLogFormatIsToUpper(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"html", "json", "text", "xml", "js", "turbo_stream", "css", "csv", "ics", "png", "Html", "JSON", "x-custom", "émoji", "ß"} {
		if got, want := logFormat(f), strings.ToUpper(f); got != want {
			t.Errorf("logFormat(%q) = %q, want %q", f, got, want)
		}
	}
	if got := logFormat(""); got != "*/*" {
		t.Errorf(`logFormat("") = %q, want "*/*"`, got)
	}
}

func FuzzLogFormat(f *testing.F) {
	for _, s := range []string{"", "html", "json", "turbo_stream", "ſ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.ToUpper(s)
		if s == "" {
			want = "*/*"
		}
		if got := logFormat(s); got != want {
			t.Fatalf("logFormat(%q) = %q, want %q", s, got, want)
		}
	})
}
