package framework

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

// encodingJSON is what appendJSONValue wrote for every map before its
// fast path: encoding/json without HTML escaping.
func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// TestParamsJSONAsEncodingJSON: request params (strings, lists, nested
// maps) are written without encoding/json, to the same JSON: byte for byte
// but for the escapes of \b and \f, which encoding/json spells short and
// slog's handler as \u00XX (the same string once decoded). A map holding
// anything else is encoding/json's.
func TestParamsJSONAsEncodingJSON(t *testing.T) {
	t.Parallel()
	many := map[string]any{}
	for i := range 40 {
		many[fmt.Sprintf("k%02d", 39-i)] = fmt.Sprint(i)
	}
	deep := map[string]any{"v": "x"}
	for range 12 {
		deep = map[string]any{"d": deep}
	}
	tests := []struct {
		name      string
		v         map[string]any
		sameBytes bool
		fast      bool
	}{
		{"path param", map[string]any{"id": "500"}, true, true},
		{"sorted keys, nested", map[string]any{"post": map[string]any{"title": "Hi", "body": "x"}, "page": "2", "a": ""}, true, true},
		{"lists", map[string]any{"tags": []string{"a", "b"}, "none": []string{}, "nil": []string(nil)}, true, true},
		{"html and quotes", map[string]any{"q": `<a href="x">&'</a>`, `k"\`: "\\"}, true, true},
		{"control and unicode", map[string]any{"c": "a\n\r\t\x00\x1f\u2028\u2029é😀", "bad": "\xff\xfe"}, true, true},
		{"backspace and form feed", map[string]any{"b": "\b\f"}, false, true},
		{"more than 16 keys", many, true, true},
		{"nil map inside", map[string]any{"m": map[string]any(nil)}, true, true},
		{"deeper than 8", deep, true, false},
		{"a number", map[string]any{"n": 1.5, "s": "x"}, true, false},
		{"nested other", map[string]any{"m": map[string]any{"n": true}}, true, false},
		{"a file", map[string]any{"f": &dispatch.File{Filename: "a.txt"}}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := encodingJSON(t, tt.v)
			got := string(appendJSONValue([]byte("x"), slog.AnyValue(tt.v)))[1:]
			if tt.sameBytes && got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			_ = json.Unmarshal([]byte(want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("decodes to %v, want %v", g, w)
			}
			_, fast := appendJSONStringMap(nil, tt.v, 0)
			if fast != tt.fast {
				t.Errorf("fast path %v, want %v", fast, tt.fast)
			}
		})
	}
	if got := string(appendJSONValue(nil, slog.AnyValue(map[string]any(nil)))); got != "null" {
		t.Errorf("nil map: %s, want null", got)
	}
}

func TestInspectParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want string
	}{
		{map[string]any{"id": "500"}, `{"id" => "500"}`},
		{dispatch.Params{"post": map[string]any{"title": "Hi", "body": "a\"b"}, "page": "2"}, `{"page" => "2", "post" => {"body" => "a\"b", "title" => "Hi"}}`},
		{map[string]any{"tags": []string{"a", "b"}, "ids": []any{"1", 2}, "f": &dispatch.File{Filename: "x.png"}, "n": nil}, `{"f" => #<File "x.png">, "ids" => ["1", "2"], "n" => nil, "tags" => ["a", "b"]}`},
		{"é\n", `"é\n"`},
	}
	for _, tt := range tests {
		if got := string(appendInspect(nil, tt.v, 0)); got != tt.want {
			t.Errorf("appendInspect(%v) = %s, want %s", tt.v, got, tt.want)
		}
	}
	deep := any("x")
	for range 10 {
		deep = []any{deep}
	}
	if got := string(appendInspect(nil, deep, 0)); got != `[[[[[[[[[…]]]]]]]]]` {
		t.Errorf("deep: %s", got)
	}
}
