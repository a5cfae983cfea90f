package csrf

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// How much of a form body the middleware reads to find the token. The body
// is restored afterwards, so the router's params parser still reads all of
// it: the middleware never consumes what the app needs. The view helpers put
// the token first in every form, well inside these windows.
const (
	urlencodedScan = 1 << 20  // 1 MiB of an application/x-www-form-urlencoded body
	multipartScan  = 64 << 10 // 64 KiB of a multipart/form-data body
	maxTokenLen    = 1 << 10
)

type readCloser struct {
	io.Reader
	io.Closer
}

// formToken returns the authenticity_token field of r's form body without
// consuming the body: it reads the start of the body, looks for the field,
// and puts back a body that yields every byte again.
func formToken(r *http.Request) string {
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	var limit int64
	switch mt {
	case "application/x-www-form-urlencoded":
		limit = urlencodedScan
	case "multipart/form-data":
		limit = multipartScan
	default:
		return ""
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil {
		return ""
	}
	if mt == "multipart/form-data" {
		return multipartToken(head, params["boundary"])
	}
	return urlencodedToken(head, int64(len(head)) < limit)
}

// urlencodedToken finds the token pair in body. complete says body is the
// whole body; otherwise its last pair may be cut short and is not trusted.
func urlencodedToken(body []byte, complete bool) string {
	s := string(body)
	for s != "" {
		pair, rest, more := strings.Cut(s, "&")
		if !more && !complete {
			return ""
		}
		s = rest
		k, v, _ := strings.Cut(pair, "=")
		if k != ParamName || len(v) > 3*maxTokenLen {
			continue
		}
		if tok, err := url.QueryUnescape(v); err == nil {
			return tok
		}
	}
	return ""
}

// multipartToken finds the token part in the first bytes of a multipart body.
func multipartToken(head []byte, boundary string) string {
	if boundary == "" {
		return ""
	}
	mr := multipart.NewReader(bytes.NewReader(head), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return "" // io.EOF, or the window ended inside a part
		}
		if part.FormName() != ParamName || part.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxTokenLen+1))
		if err != nil && !errors.Is(err, io.EOF) || len(v) > maxTokenLen {
			return ""
		}
		return string(v)
	}
}
