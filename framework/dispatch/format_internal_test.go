package dispatch

import (
	"strings"
	"testing"
)

// mimeFormatByFold is mimeFormat as it was before its table: every
// registered type compared with EqualFold, in mimeTypes' order.
func mimeFormatByFold(mt string) string {
	if strings.EqualFold(mt, "text/*") || strings.EqualFold(mt, "application/*") {
		return "html"
	}
	for _, t := range mimeTypes {
		for _, m := range t.mimes {
			if strings.EqualFold(mt, m) {
				return t.format
			}
		}
	}
	return ""
}

// TestMimeFormatTableAgreesWithFolding: the table and the lower-case
// shortcut answer what comparing with EqualFold answers, for every
// registered type in several spellings and for types it does not know.
func TestMimeFormatTableAgreesWithFolding(t *testing.T) {
	inputs := []string{"*/*", "", "text/*", "TEXT/*", "Application/*", "image/*", "text/unknown", "application/x-unknown",
		"text/\u212Ass", // a Kelvin sign, which EqualFold folds to k
		"Text/HTML", "APPLICATION/JSON", "application/json ", "text/plain;q=1"}
	for _, tt := range mimeTypes {
		for _, m := range tt.mimes {
			inputs = append(inputs, m, strings.ToUpper(m), strings.ToUpper(m[:1])+m[1:], m+"x")
		}
	}
	inputs = append(inputs, "text/c\u017Fs") // a long s, which EqualFold folds to s
	for _, in := range inputs {
		if got, want := mimeFormat(in), mimeFormatByFold(in); got != want {
			t.Errorf("mimeFormat(%q) = %q, by folding %q", in, got, want)
		}
	}
}

// BenchmarkMimeFormat is the format of Accept: */* (what curl and HTTP
// libraries send), of application/json, and of a mixed-case type, through
// the table, against the comparisons with EqualFold it replaces.
func BenchmarkMimeFormat(b *testing.B) {
	for _, mt := range []string{"*/*", "application/json", "Application/JSON"} {
		b.Run(mt+"/table", func(b *testing.B) {
			for b.Loop() {
				_ = mimeFormat(mt)
			}
		})
		b.Run(mt+"/baseline=EqualFold", func(b *testing.B) {
			for b.Loop() {
				_ = mimeFormatByFold(mt)
			}
		})
	}
}
