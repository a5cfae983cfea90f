package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

func Example() {
	keys, _ := secrets.New(strings.Repeat("k", 64))
	m, _ := session.New(session.Config{Keys: keys})

	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch r.URL.Path {
		case "/signin":
			s.Reset() // new session id on sign-in
			s.Set("user_id", "42")
			s.Flash().Set("notice", "Signed in.")
			http.Redirect(w, r, "/", http.StatusSeeOther)
		default:
			user, _ := s.Get("user_id")
			fmt.Fprintf(w, "user %s, notice %q", user, s.Flash().Notice())
		}
	}))

	// First request: sign in; the session cookie comes back encrypted.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/signin", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(cookie.Name, cookie.HttpOnly, cookie.SameSite == http.SameSiteLaxMode)

	// The redirected page sees the session and the flash, once.
	for range 2 {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(cookie)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Body.String())
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookie = cs[0]
		}
	}
	// Output:
	// _gorails_session true true
	// user 42, notice "Signed in."
	// user 42, notice ""
}

func ExampleJar_Signed() {
	keys, _ := secrets.New(strings.Repeat("k", 64))
	m, _ := session.New(session.Config{Keys: keys})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := session.Cookies(r).Signed().Get("remember")
		fmt.Printf("%q %v\n", v, ok)
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "remember", Value: "forged"})
	h.ServeHTTP(httptest.NewRecorder(), req)
	// Output: "" false
}
