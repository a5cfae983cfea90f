// Package formpeek finds one field of a form body without consuming the
// body, for middleware that must look at a form before the router parses
// it: dispatch's method override (_method) and the CSRF check
// (authenticity_token). It reads a bounded prefix of the body and puts it
// back, so whoever reads the body next reads every byte.
package formpeek

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

// Limits bound how much of a body is read: URLEncoded for
// application/x-www-form-urlencoded, Multipart for multipart/form-data, and
// Value for the field's value.
type Limits struct {
	URLEncoded, Multipart int64
	Value                 int
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Field returns the value of the first field called name in r's form body,
// or "" when there is none within the limits (a value cut off by the limit,
// longer than l.Value, or in a file part does not count). r.Body is
// replaced by one that yields the whole original body.
func Field(r *http.Request, name string, l Limits) string {
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
		limit = l.URLEncoded
	case "multipart/form-data":
		limit = l.Multipart
	default:
		return ""
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil {
		return ""
	}
	if mt == "multipart/form-data" {
		return multipartField(head, params["boundary"], name, l.Value)
	}
	return urlencodedField(head, int64(len(head)) < limit, name, l.Value)
}

// urlencodedField finds name in body. complete says body is the whole body;
// otherwise its last pair may be cut short and is not trusted.
func urlencodedField(body []byte, complete bool, name string, maxLen int) string {
	s := string(body)
	for s != "" {
		pair, rest, more := strings.Cut(s, "&")
		if !more && !complete {
			return ""
		}
		s = rest
		k, v, _ := strings.Cut(pair, "=")
		if k != name || len(v) > 3*maxLen {
			continue
		}
		if val, err := url.QueryUnescape(v); err == nil && len(val) <= maxLen {
			return val
		}
	}
	return ""
}

// multipartField finds name's part in the first bytes of a multipart body.
func multipartField(head []byte, boundary, name string, maxLen int) string {
	if boundary == "" {
		return ""
	}
	mr := multipart.NewReader(bytes.NewReader(head), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return "" // io.EOF, or the prefix ended inside a part
		}
		if part.FormName() != name || part.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(maxLen)+1))
		if err != nil && !errors.Is(err, io.EOF) || len(v) > maxLen {
			return ""
		}
		return string(v)
	}
}
