package gorailstest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gorails/gorails/framework/session"
)

// Form is a form's fields, as url.Values: Form{"post[title]": {"Hello"}}.
type Form = url.Values

// Session is a browser over the app, in process (no port, no server): it
// keeps cookies (the session, the flash) across requests, reads the CSRF
// token from the last page (a form's authenticity_token field or the
// csrf-token meta tag) and sends it with unsafe requests as a browser's
// form or script would, and follows redirects when asked (Follow). Get one
// from Case.Session; it is not safe for concurrent use.
//
// Requests carry the Case's context, so they run in the test's database
// transaction and record its jobs. They come from 127.0.0.1 to
// http://www.example.com, as Rails' integration tests do.
type Session struct {
	c      *Case
	Host   string      // the Host of every request; "www.example.com"
	Header http.Header // headers sent with every request
	// RemoteAddr is the peer's address of every request, "127.0.0.1:54321"
	// (a trusted proxy by default, whose X-Forwarded-For the app believes);
	// set another to be a client the app does not trust.
	RemoteAddr string
	cookies    map[string]*http.Cookie
	last       *Response
	token      string // the CSRF token of the last HTML page
}

// Session starts a browser session on the app with no cookies.
func (c *Case) Session() *Session {
	return &Session{c: c, Host: "www.example.com", Header: http.Header{}, RemoteAddr: "127.0.0.1:54321", cookies: map[string]*http.Cookie{}}
}

// Get requests path (with query, when given: its values are added to the
// path's).
func (s *Session) Get(path string, query ...url.Values) *Response {
	s.c.t.Helper()
	if len(query) > 0 {
		path = withQuery(path, query[0])
	}
	return s.Do(http.MethodGet, path, nil, "")
}

// Post sends form to path as a browser's form does (urlencoded), with the
// page's CSRF token.
func (s *Session) Post(path string, form Form) *Response {
	s.c.t.Helper()
	return s.send(http.MethodPost, path, form)
}

// Patch sends form to path with PATCH.
func (s *Session) Patch(path string, form Form) *Response {
	s.c.t.Helper()
	return s.send(http.MethodPatch, path, form)
}

// Put sends form to path with PUT.
func (s *Session) Put(path string, form Form) *Response {
	s.c.t.Helper()
	return s.send(http.MethodPut, path, form)
}

// Delete sends a DELETE to path, with the page's CSRF token.
func (s *Session) Delete(path string) *Response {
	s.c.t.Helper()
	return s.send(http.MethodDelete, path, Form{})
}

func (s *Session) send(method, path string, form Form) *Response {
	s.c.t.Helper()
	if form == nil {
		form = Form{}
	}
	if s.token != "" && !form.Has("authenticity_token") {
		form = cloneForm(form)
		form.Set("authenticity_token", s.token)
	}
	return s.Do(method, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// JSON sends v as a JSON body with method (a script's fetch), with the
// page's CSRF token in the X-CSRF-Token header, asking for JSON back.
func (s *Session) JSON(method, path string, v any) *Response {
	s.c.t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			s.c.t.Fatalf("gorailstest: encode the JSON body: %v", err)
		}
		body = bytes.NewReader(b)
	}
	return s.Do(method, path, body, "application/json")
}

// Do sends one request through the app's whole middleware stack and
// returns its response, also kept as the session's last (for Follow,
// Submit and the CSRF token).
func (s *Session) Do(method, path string, body io.Reader, contentType string) *Response {
	s.c.t.Helper()
	cap := &capture{}
	ctx := context.WithValue(s.c.ctx, captureKey{}, cap)
	req := httptest.NewRequestWithContext(ctx, method, path, body)
	req.Host = s.Host
	req.RemoteAddr = s.RemoteAddr
	for k, vs := range s.Header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if contentType == "application/json" {
		req.Header.Set("Accept", "application/json")
		if s.token != "" && req.Header.Get("X-CSRF-Token") == "" {
			req.Header.Set("X-CSRF-Token", s.token)
		}
	}
	now := s.c.App.Now()
	for name, c := range s.cookies {
		if !c.Expires.IsZero() && !now.Before(c.Expires) {
			delete(s.cookies, name)
			continue
		}
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	s.c.App.ServeHTTP(rec, req)
	res := &Response{c: s.c, Request: req, Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), flash: cap.flash}
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(s.cookies, c.Name)
			continue
		}
		if c.MaxAge > 0 {
			c.Expires = now.Add(time.Duration(c.MaxAge) * time.Second)
		}
		s.cookies[c.Name] = c
	}
	if tok := res.csrfToken(); tok != "" {
		s.token = tok
	}
	s.last = res
	return res
}

// Last is the last response, or nil.
func (s *Session) Last() *Response { return s.last }

// Cookie is the value of the cookie named name the session holds, or "".
func (s *Session) Cookie(name string) string {
	if c := s.cookies[name]; c != nil {
		return c.Value
	}
	return ""
}

// Follow requests the Location of the last response, which must be a
// redirect, as a browser does (a GET).
func (s *Session) Follow() *Response {
	s.c.t.Helper()
	if s.last == nil || s.last.Code < 300 || s.last.Code > 399 {
		code := 0
		if s.last != nil {
			code = s.last.Code
		}
		s.c.t.Fatalf("gorailstest: Follow: the last response is not a redirect (status %d)", code)
		return nil
	}
	loc, err := url.Parse(s.last.Header.Get("Location"))
	if err != nil || loc.String() == "" {
		s.c.t.Fatalf("gorailstest: Follow: the redirect has no usable Location (%q)", s.last.Header.Get("Location"))
		return nil
	}
	if loc.Host != "" && loc.Host != s.Host {
		s.c.t.Fatalf("gorailstest: Follow: the redirect leaves the app for %s", loc)
		return nil
	}
	return s.Get(loc.RequestURI())
}

// Submit fills in the form of the last page that selector finds (the
// first match) with fields, on top of the values its inputs, selects and
// text areas already hold (hidden fields such as authenticity_token and
// _method included), and submits it to its action with its method, as a
// browser does. A field the form has no input for fails the test: a
// browser could not send it.
func (s *Session) Submit(selector string, fields Form) *Response {
	s.c.t.Helper()
	if s.last == nil {
		s.c.t.Fatal("gorailstest: Submit: no page yet (Get one first)")
		return nil
	}
	form := s.last.Doc().Find(selector).First()
	if goquery.NodeName(form) != "form" {
		if f := form.Find("form").First(); f.Length() > 0 {
			form = f
		} else {
			s.c.t.Fatalf("gorailstest: Submit: no form matches %q on the last page (%s)", selector, s.last.Request.URL.Path)
			return nil
		}
	}
	values, names := formValues(form)
	for name, vs := range fields {
		if !names[name] {
			s.c.t.Fatalf("gorailstest: Submit: the form has no field named %q (fields: %s)", name, strings.Join(sortedKeys(names), ", "))
			return nil
		}
		values[name] = vs
	}
	action, _ := form.Attr("action")
	if action == "" {
		action = s.last.Request.URL.RequestURI()
	}
	method := strings.ToUpper(form.AttrOr("method", "GET"))
	if method == http.MethodGet {
		return s.Get(withQuery(action, values))
	}
	return s.Do(http.MethodPost, action, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
}

// formValues is what a browser would send for the form as it stands, and
// the names of its fields.
func formValues(form *goquery.Selection) (url.Values, map[string]bool) {
	values, names := url.Values{}, map[string]bool{}
	form.Find("input, select, textarea, button").Each(func(_ int, el *goquery.Selection) {
		name, ok := el.Attr("name")
		if !ok || name == "" {
			return
		}
		names[name] = true
		if _, disabled := el.Attr("disabled"); disabled {
			return
		}
		switch goquery.NodeName(el) {
		case "textarea":
			values.Add(name, el.Text())
		case "select":
			opt := el.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = el.Find("option").First()
			}
			if opt.Length() > 0 {
				values.Add(name, opt.AttrOr("value", opt.Text()))
			}
		case "button":
			// A button sends its value only when it is the one clicked.
		default:
			switch strings.ToLower(el.AttrOr("type", "text")) {
			case "submit", "button", "image", "reset", "file":
			case "checkbox", "radio":
				if _, checked := el.Attr("checked"); checked {
					values.Add(name, el.AttrOr("value", "on"))
				}
			default:
				values.Add(name, el.AttrOr("value", ""))
			}
		}
	})
	return values, names
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	merged := u.Query()
	for k, vs := range q {
		merged[k] = append(merged[k], vs...)
	}
	u.RawQuery = merged.Encode()
	return u.RequestURI()
}

func cloneForm(f Form) Form {
	out := make(Form, len(f)+1)
	for k, v := range f {
		out[k] = v
	}
	return out
}

// capture is where the kit's middleware leaves what a response does not
// show: the flash as the request left it.
type capture struct {
	mu    sync.Mutex
	flash map[string]string
}

type captureKey struct{}

// captureFlash is the kit's middleware (after the session's): it reads
// the flash the request leaves for the next one, once the response has
// been written, so that Response.AssertFlash can check it.
func captureFlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cap, _ := r.Context().Value(captureKey{}).(*capture)
		if cap == nil {
			next.ServeHTTP(w, r)
			return
		}
		sw := &wroteWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s := session.FromContext(r.Context())
		if s == nil || !sw.wrote {
			return // reading the flash now could drop messages left for the next request
		}
		f := s.Flash()
		cap.mu.Lock()
		defer cap.mu.Unlock()
		cap.flash = map[string]string{}
		for _, k := range f.Keys() {
			cap.flash[k] = f.Get(k)
		}
	})
}

type wroteWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *wroteWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *wroteWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
