package dispatch

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// overrideScan bounds how much of a POST body MethodOverride reads to find
// _method; the rest is left for the params parser.
const overrideScan = 64 << 10

// MethodOverride lets HTML forms send PUT, PATCH and DELETE: a POST whose
// form body has a _method field (Rails' hidden field), or whose
// X-HTTP-Method-Override header names one of those methods, reaches the
// router with that method. Like Rack::MethodOverride, it only looks at the
// first 64 KiB of the body, which it puts back for the params parser.
func MethodOverride(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if m := overrideMethod(r); m != "" {
				r2 := new(http.Request)
				*r2 = *r
				r2.Method = m
				r = r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

func overrideMethod(r *http.Request) string {
	m := r.Header.Get("X-HTTP-Method-Override")
	if m == "" {
		m = formMethod(r)
	}
	switch m = strings.ToUpper(m); m {
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return m
	}
	return ""
}

// formMethod reads _method from the start of a form body and restores the
// body.
func formMethod(r *http.Request) string {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || r.Body == nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") {
		return ""
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, overrideScan))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil {
		return ""
	}
	if mt == "multipart/form-data" {
		return multipartMethod(head, params["boundary"])
	}
	return urlencodedMethod(string(head))
}

func urlencodedMethod(body string) string {
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if k, v, ok := strings.Cut(pair, "="); ok && k == "_method" {
			m, _ := url.QueryUnescape(v)
			return m
		}
	}
	return ""
}

func multipartMethod(head []byte, boundary string) string {
	if boundary == "" {
		return ""
	}
	mr := multipart.NewReader(bytes.NewReader(head), boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		if p.FormName() == "_method" && p.FileName() == "" {
			b, _ := io.ReadAll(io.LimitReader(p, 16))
			return string(b)
		}
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}
