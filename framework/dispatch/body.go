package dispatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"unicode/utf8"
)

// parseBody parses r's body by content type: urlencoded, multipart or JSON.
func (rs *RouteSet) parseBody(r *http.Request) (Params, []*File, error) {
	out := Params{}
	ct := r.Header.Get("Content-Type")
	if r.Body == nil || r.Body == http.NoBody || ct == "" {
		return out, nil, nil
	}
	mt, mtParams, err := mime.ParseMediaType(ct)
	if err != nil {
		return out, nil, nil // a body we cannot type is not params
	}
	p := &parser{lim: rs.limits(), src: SourceBody}
	switch {
	case mt == "application/x-www-form-urlencoded":
		body, rewind := rewindable(r)
		defer rewind()
		return out, nil, rs.parseForm(p, body, out)
	case mt == "multipart/form-data":
		files, err := rs.parseMultipart(p, r.Body, mtParams["boundary"], out)
		return out, files, err
	case mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json"):
		body, rewind := rewindable(r)
		defer rewind()
		return out, nil, rs.parseJSON(p, body, out)
	}
	return out, nil, nil
}

// rewindable returns a reader of r's body and a func that puts back what
// was read, so that the action can still read the raw body (r.FormValue,
// its own decoder) after the params were parsed, for the request log or
// anything else, as a Rails action can rewind request.body. Multipart
// bodies (files) are not kept.
func rewindable(r *http.Request) (io.Reader, func()) {
	var buf bytes.Buffer
	orig := r.Body
	return io.TeeReader(orig, &buf), func() {
		r.Body = rewoundBody{Reader: io.MultiReader(&buf, orig), Closer: orig}
	}
}

type rewoundBody struct {
	io.Reader
	io.Closer
}

// Unwrap returns the body the params were parsed from, for middleware that
// wrapped it before the router (the development debug page keeps a copy of
// what was read, to list a form's fields after a panic).
func (b rewoundBody) Unwrap() io.ReadCloser { return b.Closer.(io.ReadCloser) }

func (p *parser) tooLarge(limit int64) error {
	return p.fail("", fmt.Errorf("%w: body over %d bytes", ErrParamsTooLarge, limit))
}

func readLimited(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	return b, int64(len(b)) > limit, err
}

func (rs *RouteSet) parseForm(p *parser, body io.Reader, out Params) error {
	b, over, err := readLimited(body, rs.cfg.MaxBodyBytes)
	switch {
	case err != nil:
		return p.fail("", fmt.Errorf("%w: reading body: %w", ErrMalformedParams, err))
	case over:
		return p.tooLarge(rs.cfg.MaxBodyBytes)
	}
	return p.query(string(b), out)
}

// parseJSON decodes a JSON body: an object's keys become params, anything
// else is put under "_json", as Rails does.
func (rs *RouteSet) parseJSON(p *parser, body io.Reader, out Params) error {
	b, over, err := readLimited(body, rs.cfg.MaxBodyBytes)
	switch {
	case err != nil:
		return p.fail("", fmt.Errorf("%w: reading body: %w", ErrMalformedParams, err))
	case over:
		return p.tooLarge(rs.cfg.MaxBodyBytes)
	case len(bytes.TrimSpace(b)) == 0:
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return p.fail("", fmt.Errorf("%w: %w", ErrMalformedParams, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return p.fail("", fmt.Errorf("%w: data after the JSON value", ErrMalformedParams))
	}
	v, err = p.fromJSON(v, 0)
	if err != nil {
		return err
	}
	if obj, ok := v.(Params); ok {
		for k, x := range obj {
			out[k] = x
		}
		return nil
	}
	out["_json"] = v
	return nil
}

// fromJSON turns decoded JSON objects into Params, checking depth (JSON
// bodies are bounded by MaxBodyBytes, not MaxParams).
func (p *parser) fromJSON(v any, depth int) (any, error) {
	if depth > p.lim.depth {
		return nil, p.fail("", fmt.Errorf("%w: more than %d levels", ErrParamsTooDeep, p.lim.depth))
	}
	var err error
	switch x := v.(type) {
	case map[string]any:
		out := make(Params, len(x))
		for k, e := range x {
			if out[k], err = p.fromJSON(e, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		for i, e := range x {
			if x[i], err = p.fromJSON(e, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// File is an uploaded file from a multipart body. Its content lives in
// memory or in a temporary file removed when the request ends.
type File struct {
	Filename string
	Header   textproto.MIMEHeader
	Size     int64
	data     []byte
	path     string
}

// ContentType returns the part's Content-Type.
func (f *File) ContentType() string { return f.Header.Get("Content-Type") }

// Open returns the content. The caller closes it.
func (f *File) Open() (multipart.File, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return sectionCloser{io.NewSectionReader(bytes.NewReader(f.data), 0, int64(len(f.data)))}, nil
}

type sectionCloser struct{ *io.SectionReader }

func (sectionCloser) Close() error { return nil }

var errBodyCap = errors.New("body cap reached")

// capReader fails, rather than ending, when its limit is passed.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.n <= 0 {
		return 0, errBodyCap
	}
	if int64(len(b)) > c.n {
		b = b[:c.n]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	return n, err
}

// parseMultipart reads parts in order (so a[][x] groups as Rack groups it),
// keeping up to MultipartMemory of files in memory and the rest on disk.
func (rs *RouteSet) parseMultipart(p *parser, body io.Reader, boundary string, out Params) ([]*File, error) {
	if boundary == "" {
		return nil, p.fail("", fmt.Errorf("%w: multipart without boundary", ErrMalformedParams))
	}
	mr := multipart.NewReader(&capReader{r: body, n: rs.cfg.MaxMultipartBytes}, boundary)
	mem := rs.cfg.MultipartMemory
	var files []*File
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return files, p.multipartErr(err, rs.cfg.MaxMultipartBytes)
		}
		f, err := rs.readPart(p, part, &mem, out)
		if f != nil {
			files = append(files, f)
		}
		if err != nil {
			return files, err
		}
	}
}

func (p *parser) multipartErr(err error, limit int64) error {
	if errors.Is(err, errBodyCap) {
		return p.tooLarge(limit)
	}
	var pe *ParamError
	if errors.As(err, &pe) {
		return err
	}
	return p.fail("", fmt.Errorf("%w: multipart: %w", ErrMalformedParams, err))
}

func (rs *RouteSet) readPart(p *parser, part *multipart.Part, mem *int64, out Params) (*File, error) {
	defer part.Close()
	name := part.FormName()
	if name == "" {
		return nil, nil
	}
	if part.FileName() == "" {
		return nil, rs.readField(p, name, part, out)
	}
	f, err := rs.saveFile(part, mem)
	if err != nil {
		return f, p.multipartErr(err, rs.cfg.MaxMultipartBytes)
	}
	return f, p.add(out, name, f)
}

func (rs *RouteSet) readField(p *parser, name string, part io.Reader, out Params) error {
	b, over, err := readLimited(part, rs.cfg.MaxBodyBytes)
	switch {
	case err != nil:
		return p.multipartErr(err, rs.cfg.MaxMultipartBytes)
	case over:
		return p.tooLarge(rs.cfg.MaxBodyBytes)
	case !utf8.Valid(b) || !utf8.ValidString(name):
		return p.fail(name, fmt.Errorf("%w: invalid UTF-8", ErrMalformedParams))
	}
	return p.add(out, name, string(b))
}

func (rs *RouteSet) saveFile(part *multipart.Part, mem *int64) (*File, error) {
	f := &File{Filename: part.FileName(), Header: part.Header}
	b, err := io.ReadAll(io.LimitReader(part, *mem+1))
	if err != nil {
		return nil, err
	}
	f.Size = int64(len(b))
	if f.Size <= *mem {
		*mem -= f.Size
		f.data = b
		return f, nil
	}
	tmp, err := os.CreateTemp(rs.cfg.TempDir, "gorails-upload-")
	if err != nil {
		return f, err
	}
	f.path = tmp.Name()
	n, err := io.Copy(tmp, io.MultiReader(bytes.NewReader(b), part))
	f.Size = n
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return f, err
}
