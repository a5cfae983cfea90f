package controller_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

type FlashController struct{ controller.Base }

func (c *FlashController) Create() error {
	c.Flash().Set("notice", "Saved <ok>")
	return c.Redirect(flashRoute.Path(nil))
}

func (c *FlashController) Show() error { return nil }

func TestFlashAndCSRFTokenReachTheViews(t *testing.T) {
	t.Parallel()
	keys, err := secrets.New(strings.Repeat("k", 64))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Post("flash", dispatch.To((*FlashController).Create))
		r.Get("flash", dispatch.To((*FlashController).Show))
	})
	h := m.Handler(a.h)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/flash", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/flash" {
		t.Fatalf("POST /flash = %d to %q, want 302 to /flash", rec.Code, rec.Header().Get("Location"))
	}
	req := httptest.NewRequest(http.MethodGet, "/flash", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "notice: Saved &lt;ok&gt;|") {
		t.Fatalf("GET /flash = %d %q, want the escaped notice", rec.Code, body)
	}
	if token := strings.TrimSuffix(body[strings.Index(body, "|")+1:], "</main>"); len(token) < 20 || strings.Contains(token, "<") {
		t.Errorf("token %q does not look like an authenticity token", token)
	}
}
