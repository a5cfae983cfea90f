package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gorails/gorails/framework/auth"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

// A sign-in form on the "user" scope: the password strategy runs only
// where the sign-in action names it; a page that needs a user gets the
// failure handler.
func Example() {
	keys, _ := secrets.New(strings.Repeat("k", 64))
	sm, _ := session.New(session.Config{Keys: keys})
	m, _ := auth.New(auth.Config{
		Sessions: &auth.MemorySessions{},
		Scopes: []auth.Scope{{
			Name: "user", SignInPath: "/session/new", Default: []string{},
			Strategies: []auth.Strategy{&auth.PasswordStrategy{Check: func(_ context.Context, login, pw string) (auth.User, error) {
				if login == "ann@example.com" && pw == "secret" {
					return auth.IDUser("1"), nil
				}
				return nil, nil // wrong credentials
			}}},
		}},
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /session", func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromRequest(r)
		if _, err := p.Authenticate("user", "password"); err != nil {
			p.Failure("user", err).ServeHTTP(w, r)
			return
		}
		fmt.Fprint(w, "signed in")
	})
	mux.HandleFunc("GET /private", func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromRequest(r)
		u, err := p.Authenticate("user")
		if err != nil {
			p.Failure("user", err).ServeHTTP(w, r)
			return
		}
		fmt.Fprint(w, "hello ", u.AuthID())
	})
	h := sm.Handler(m.Handler(mux))

	signIn := func(pw string) *httptest.ResponseRecorder {
		form := url.Values{"email_address": {"ann@example.com"}, "password": {pw}}
		req := httptest.NewRequest("POST", "/session", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := signIn("wrong")
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	rec = signIn("secret")
	fmt.Println(rec.Code, rec.Body.String())

	req := httptest.NewRequest("GET", "/private", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	page := httptest.NewRecorder()
	h.ServeHTTP(page, req)
	fmt.Println(page.Body.String())
	// Output:
	// 303 /session/new
	// 200 signed in
	// hello 1
}
