package dispatch_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func TestRecognize(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	tests := []struct {
		name, method, target string
		want                 string // "controller#action params", "" when not recognized
	}{
		{"an action with a path param", "GET", "/posts/42.json", "posts#show map[format:json id:42]"},
		{"a nested route", "GET", "/posts/1/comments/2", "comments#show map[id:2 post_id:1]"},
		{"the method picks the action", "DELETE", "/posts/7", "posts#destroy map[id:7]"},
		{"a handler is not an action", "GET", "/files/a/b", ""},
		{"a redirect is not an action", "GET", "/stories", ""},
		{"a mount is not an action", "GET", "/jobs/x", ""},
		{"no route", "GET", "/nope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, params, ok := rs.Recognize(httptest.NewRequest(tt.method, tt.target, nil))
			got := ""
			if ok {
				got = fmt.Sprintf("%s %v", a, params)
			}
			if got != tt.want {
				t.Errorf("Recognize(%s %s) = %q, want %q", tt.method, tt.target, got, tt.want)
			}
		})
	}
}
