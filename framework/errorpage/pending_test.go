package errorpage_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/errorpage"
)

func TestServePending(t *testing.T) {
	t.Parallel()
	files := []string{"20260101000000_create_posts.go", "20260102000000_add_user_id_to_posts.go"}
	tests := []struct {
		name, accept string
		info         errorpage.PendingInfo
		want, not    []string
	}{
		{"the page lists them with the button", "text/html", errorpage.PendingInfo{Migrations: files, RunPath: "/gorails/pending_migrations", Token: `t"ok<`, ReturnTo: `/posts?q="><script>`},
			[]string{"<td>20260101000000</td><td>Create posts</td>", "<td>Add user id to posts</td>", `action="/gorails/pending_migrations"`,
				`value="t&#34;ok&lt;"`, `value="/posts?q=&#34;&gt;&lt;script&gt;"`, "gorails db:migrate"},
			[]string{"<script>"}},
		{"without a run path there is no button", "", errorpage.PendingInfo{Migrations: files},
			[]string{"Only a request from this machine"}, []string{"<form", "authenticity_token"}},
		{"a failed run is shown", "", errorpage.PendingInfo{Migrations: files, Err: errors.New("20260102000000_add_user_id_to_posts.go: <duplicate column>")},
			[]string{`<pre id="run-error">20260102000000_add_user_id_to_posts.go: &lt;duplicate column&gt;</pre>`}, nil},
		{"a JSON client gets JSON", "application/json", errorpage.PendingInfo{Migrations: files, RunPath: "/x", Token: "secret-token"},
			[]string{`{"status":500,"error":"Migrations are pending: 20260101000000_create_posts.go, 20260102000000_add_user_id_to_posts.go. Run gorails db:migrate to apply them.","pending":["20260101000000_create_posts.go","20260102000000_add_user_id_to_posts.go"]}`},
			[]string{"secret-token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/posts", nil)
			r.Header.Set("Accept", tt.accept)
			w := httptest.NewRecorder()
			errorpage.ServePending(w, r, tt.info)
			if w.Code != 500 || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("status %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body lacks %q:\n%s", s, w.Body)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("body shows %q", s)
				}
			}
		})
	}
}
