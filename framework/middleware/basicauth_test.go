package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorails/gorails/framework/middleware"
)

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret page")) })
	tests := []struct {
		name                string
		realm, user, pass   string
		sendUser, sendPass  string
		send                bool
		want                int
		wantChallengePrefix string
	}{
		{"no credentials are challenged", "jobs", "admin", "pw", "", "", false, 401, `Basic realm="jobs", charset="UTF-8"`},
		{"a wrong password is refused", "jobs", "admin", "pw", "admin", "nope", true, 401, `Basic realm="jobs"`},
		{"a wrong user is refused", "jobs", "admin", "pw", "root", "pw", true, 401, `Basic realm="jobs"`},
		{"a password that only starts right is refused", "jobs", "admin", "pw", "admin", "pw2", true, 401, `Basic realm="jobs"`},
		{"the right user and password pass", "jobs", "admin", "pw", "admin", "pw", true, 200, ""},
		{"an empty configured password lets nobody in", "jobs", "admin", "", "admin", "", true, 401, `Basic realm="jobs"`},
		{"an empty configured user lets nobody in", "jobs", "", "pw", "", "pw", true, 401, `Basic realm="jobs"`},
		{"a quote in the realm cannot break the header", `a"b\c`, "admin", "pw", "", "", false, 401, `Basic realm="a\"b\\c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/jobs", nil)
			if tt.send {
				r.SetBasicAuth(tt.sendUser, tt.sendPass)
			}
			w := httptest.NewRecorder()
			middleware.BasicAuth(tt.realm, tt.user, tt.pass)(ok).ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			challenge := w.Header().Get("WWW-Authenticate")
			if tt.want == 200 && (challenge != "" || w.Body.String() != "secret page") {
				t.Fatalf("challenge %q, body %q", challenge, w.Body)
			}
			if tt.want == 401 && (len(challenge) < len(tt.wantChallengePrefix) || challenge[:len(tt.wantChallengePrefix)] != tt.wantChallengePrefix || w.Body.String() == "secret page") {
				t.Fatalf("challenge %q, want it to start %q; body %q", challenge, tt.wantChallengePrefix, w.Body)
			}
		})
	}
}
