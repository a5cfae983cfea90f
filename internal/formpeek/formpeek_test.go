package formpeek

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestField(t *testing.T) {
	t.Parallel()
	limits := Limits{URLEncoded: 64, Multipart: 256, Value: 16}
	mp := func(parts ...string) string {
		var b strings.Builder
		for i := 0; i+1 < len(parts); i += 2 {
			b.WriteString("--XX\r\nContent-Disposition: form-data; name=\"" + parts[i] + "\"\r\n\r\n" + parts[i+1] + "\r\n")
		}
		return b.String() + "--XX--\r\n"
	}
	tests := []struct {
		name, contentType, body, want string
	}{
		{"a urlencoded field", "application/x-www-form-urlencoded", "a=1&_method=delete&b=2", "delete"},
		{"an escaped urlencoded value", "application/x-www-form-urlencoded", "_method=d%65lete", "delete"},
		{"the last pair of a complete body", "application/x-www-form-urlencoded", "a=1&_method=patch", "patch"},
		{"a pair cut off by the limit does not count", "application/x-www-form-urlencoded", strings.Repeat("a", 58) + "&_method=delete", ""},
		{"a value over the length limit does not count", "application/x-www-form-urlencoded", "_method=" + strings.Repeat("x", 17), ""},
		{"no such field", "application/x-www-form-urlencoded", "a=1", ""},
		{"a multipart field", "multipart/form-data; boundary=XX", mp("a", "1", "_method", "put"), "put"},
		{"a multipart part past the limit does not count", "multipart/form-data; boundary=XX", mp("a", strings.Repeat("z", 300), "_method", "put"), ""},
		{"another content type is not read", "application/json", `{"_method":"delete"}`, ""},
		{"a malformed content type is not read", "multipart/form-data; boundary=", mp("_method", "put"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			if got := Field(r, "_method", limits); got != tt.want {
				t.Errorf("Field = %q, want %q", got, tt.want)
			}
			rest, _ := io.ReadAll(r.Body)
			if string(rest) != tt.body {
				t.Errorf("the body reads %q afterwards, want it whole", rest)
			}
		})
	}
}

func FuzzField(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "a=1&_method=delete")
	f.Add("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\nput\r\n--XX--\r\n")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		got := Field(r, "_method", Limits{URLEncoded: 64, Multipart: 128, Value: 16})
		if len(got) > 16 {
			t.Fatalf("value %q longer than the limit", got)
		}
		rest, _ := io.ReadAll(r.Body)
		if string(rest) != body {
			t.Fatalf("the body was consumed: %q, want %q", rest, body)
		}
	})
}
