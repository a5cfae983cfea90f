package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

type P = dispatch.Params
type L = []any

// Cases from Rack's spec_utils "parses nested query strings correctly".
var rackNested = []struct {
	query string
	want  P
}{
	{"foo", P{"foo": nil}},
	{"foo=", P{"foo": ""}},
	{"foo=bar", P{"foo": "bar"}},
	{`foo="bar"`, P{"foo": `"bar"`}},
	{"foo=bar&foo=quux", P{"foo": "quux"}},
	{"foo&foo=", P{"foo": ""}},
	{"foo=1& bar=2&  baz=3", P{"foo": "1", "bar": "2", "baz": "3"}}, // DEFAULT_SEP is /& */
	{" foo=1", P{" foo": "1"}},
	{"foo=1;bar=2", P{"foo": "1;bar=2"}},
	// Rack's params[k] ||= {} and ||= []: a key first seen without a value
	// becomes the hash or array (Rack 3.1 spec_utils).
	{"foo&foo[bar]=1", P{"foo": P{"bar": "1"}}},
	{"foo&foo[]=1", P{"foo": L{"1"}}},
	{"foo&foo[][bar]=1", P{"foo": L{P{"bar": "1"}}}},
	{"x[y]&x[y][z]=1", P{"x": P{"y": P{"z": "1"}}}},
	{"foo[bar]=1&foo", P{"foo": nil}},
	{"foo=1&bar=2", P{"foo": "1", "bar": "2"}},
	{"&foo=1&&bar=2", P{"foo": "1", "bar": "2"}},
	{"foo&bar=", P{"foo": nil, "bar": ""}},
	{"my+weird+field=q1%212%22%27w%245%267%2Fz8%29%3F", P{"my weird field": "q1!2\"'w$5&7/z8)?"}},
	{"a=b&pid%3D1234=1023", P{"pid=1234": "1023", "a": "b"}},
	{"foo[]", P{"foo": L{nil}}},
	{"foo[]=", P{"foo": L{""}}},
	{"foo[]=bar", P{"foo": L{"bar"}}},
	{"foo[]=bar&foo[", P{"foo": L{"bar"}, "foo[": nil}},
	{"foo[]=bar&foo[=baz", P{"foo": L{"bar"}, "foo[": "baz"}},
	{"foo[]=bar&foo[]", P{"foo": L{"bar", nil}}},
	{"foo[]=bar&foo[]=", P{"foo": L{"bar", ""}}},
	{"foo[]=1&foo[]=2", P{"foo": L{"1", "2"}}},
	{"foo=bar&baz[]=1&baz[]=2&baz[]=3", P{"foo": "bar", "baz": L{"1", "2", "3"}}},
	{"x[y][z]", P{"x": P{"y": P{"z": nil}}}},
	{"x[y][z]=1", P{"x": P{"y": P{"z": "1"}}}},
	{"x[y][z][]=1", P{"x": P{"y": P{"z": L{"1"}}}}},
	{"x[y][z]=1&x[y][z]=2", P{"x": P{"y": P{"z": "2"}}}},
	{"x[y][z][]=1&x[y][z][]=2", P{"x": P{"y": P{"z": L{"1", "2"}}}}},
	{"x[y][][z]=1", P{"x": P{"y": L{P{"z": "1"}}}}},
	{"x[y][][z][]=1", P{"x": P{"y": L{P{"z": L{"1"}}}}}},
	{"x[y][][z]=1&x[y][][w]=2", P{"x": P{"y": L{P{"z": "1", "w": "2"}}}}},
	{"x[y][][v][w]=1", P{"x": P{"y": L{P{"v": P{"w": "1"}}}}}},
	{"x[y][][z]=1&x[y][][v][w]=2", P{"x": P{"y": L{P{"z": "1", "v": P{"w": "2"}}}}}},
	{"x[y][][z]=1&x[y][][z]=2", P{"x": P{"y": L{P{"z": "1"}, P{"z": "2"}}}}},
	{"x[y][][z]=1&x[y][][w]=a&x[y][][z]=2&x[y][][w]=3", P{"x": P{"y": L{P{"z": "1", "w": "a"}, P{"z": "2", "w": "3"}}}}},
	{"x[][y]=1&x[][z][w]=a&x[][y]=2&x[][z][w]=b", P{"x": L{P{"y": "1", "z": P{"w": "a"}}, P{"y": "2", "z": P{"w": "b"}}}}},
	{"x[][z][w]=a&x[][y]=1&x[][z][w]=b&x[][y]=2", P{"x": L{P{"y": "1", "z": P{"w": "a"}}, P{"y": "2", "z": P{"w": "b"}}}}},
	{"data[books][][data][page]=1&data[books][][data][page]=2", P{"data": P{"books": L{P{"data": P{"page": "1"}}, P{"data": P{"page": "2"}}}}}},
	{"post[comments][0][body]=a&post[comments][1][body]=b", P{"post": P{"comments": P{"0": P{"body": "a"}, "1": P{"body": "b"}}}}},
	{"a[b]=1&a=2", P{"a": "2"}},
}

func TestParseQueryNestsAsRack(t *testing.T) {
	t.Parallel()
	for _, tc := range rackNested {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			got, err := dispatch.ParseQuery(tc.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tc.query, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseQuery(%q) =\n%#v\nwant\n%#v", tc.query, got, tc.want)
			}
		})
	}
}

func TestParseQueryRejectsWhatRackRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  error
		msg   string
	}{
		{"a=1&a[b]=2", dispatch.ErrParamConflict, "expected Hash (got String) for param `a'"},
		{"x[y]=1&x[y]z=2", dispatch.ErrParamConflict, "expected Hash (got String) for param `y'"},
		{"x[y]=1&x[]=1", dispatch.ErrParamConflict, "expected Array (got Hash) for param `x'"},
		{"x[y]=1&x[y][][w]=2", dispatch.ErrParamConflict, "expected Array (got String) for param `y'"},
		{"a=%zz", dispatch.ErrMalformedParams, "invalid %-encoding"},
		{"%ff=1", dispatch.ErrMalformedParams, "invalid UTF-8"},
		{"a" + strings.Repeat("[a]", 40) + "=1", dispatch.ErrParamsTooDeep, "more than 32 levels"},
		{strings.Repeat("a=1&", 4097), dispatch.ErrTooManyParams, "more than 4096"},
	}
	for _, tc := range tests {
		t.Run(tc.msg, func(t *testing.T) {
			t.Parallel()
			_, err := dispatch.ParseQuery(tc.query)
			var pe *dispatch.ParamError
			if !errors.As(err, &pe) || !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("ParseQuery: %v, want a *ParamError wrapping %v with %q", err, tc.want, tc.msg)
			}
			if pe.StatusCode() != http.StatusBadRequest {
				t.Fatalf("status %d", pe.StatusCode())
			}
		})
	}
}

type captureKey struct{}

// capture is what captureController saw.
type capture struct {
	params  P
	sources map[string]dispatch.Source
	format  string
	file    string // the content of post[photo], read during the request
	err     error
	may     bool // MayHaveParams before Params
}

type captureController struct{ base }

func (c *captureController) Show() error {
	got := c.r.Context().Value(captureKey{}).(*capture)
	got.may = c.r.MayHaveParams()
	got.params, got.err = c.r.Params()
	got.format = c.r.Format()
	if f := got.params.Map("post").File("photo"); f != nil {
		r, err := f.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		got.file = string(b)
	}
	got.sources = map[string]dispatch.Source{}
	for k := range got.params {
		got.sources[k] = c.r.ParamSource(k)
	}
	return got.err
}

// paramsOf serves req to a route that captures its params.
func paramsOf(t *testing.T, cfg dispatch.Config, req *http.Request) (*capture, *httptest.ResponseRecorder) {
	t.Helper()
	rs := draw(t, cfg, func(r *dispatch.Mapper) {
		r.Match("things/:id", dispatch.To((*captureController).Show), dispatch.Via("all"))
	})
	c := &capture{}
	req = req.WithContext(context.WithValue(req.Context(), captureKey{}, c))
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, req)
	return c, rec
}

func TestParamsMergePathOverQueryOverBody(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/things/7.json?id=q&a=query&q[x]=1", strings.NewReader("a=body&b=body&post[title]=t"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c, _ := paramsOf(t, dispatch.Config{}, req)
	want := P{"id": "7", "format": "json", "a": "query", "b": "body", "q": P{"x": "1"}, "post": P{"title": "t"},
		"controller": "capture", "action": "show"}
	if c.err != nil || !reflect.DeepEqual(c.params, want) {
		t.Fatalf("params %#v (err %v)\nwant %#v", c.params, c.err, want)
	}
	sources := map[string]dispatch.Source{"id": dispatch.SourcePath, "format": dispatch.SourcePath, "a": dispatch.SourceQuery,
		"b": dispatch.SourceBody, "q": dispatch.SourceQuery, "post": dispatch.SourceBody,
		"controller": dispatch.SourcePath, "action": dispatch.SourcePath}
	if !reflect.DeepEqual(c.sources, sources) {
		t.Fatalf("sources %v, want %v", c.sources, sources)
	}
	if c.format != "json" {
		t.Fatalf("format %q", c.format)
	}
}

// TestMayHaveParams: MayHaveParams is false only when Params holds
// nothing but the route's controller and action.
func TestMayHaveParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, target, ctype, body string
		want                              bool
	}{
		{"a GET without query", "GET", "/plain", "", "", false},
		{"a query", "GET", "/plain?page=2", "", "", true},
		{"an empty query", "GET", "/plain?", "", "", false},
		{"a typed body", "POST", "/plain", "application/x-www-form-urlencoded", "a=1", true},
		{"an untyped body", "POST", "/plain", "", "a=1", false},
		{"a path param", "GET", "/things/7", "", "", true},
		{"a format", "GET", "/plain.json", "", "", true},
		{"a default", "GET", "/defaulted", "", "", true},
		{"a default format", "GET", "/jsonish", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			c := &capture{}
			req = req.WithContext(context.WithValue(req.Context(), captureKey{}, c))
			rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
				r.Match("things/:id", dispatch.To((*captureController).Show), dispatch.Via("all"))
				r.Match("plain", dispatch.To((*captureController).Show), dispatch.Via("all"))
				r.Match("defaulted", dispatch.To((*captureController).Show), dispatch.Via("all"), dispatch.Default("page", "1"))
				r.Match("jsonish", dispatch.To((*captureController).Show), dispatch.Via("all"), dispatch.DefaultFormat("json"))
			})
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, req)
			if c.err != nil || c.params == nil {
				t.Fatalf("params %v, err %v (%d %s)", c.params, c.err, rec.Code, rec.Body)
			}
			if c.may != tt.want {
				t.Errorf("MayHaveParams = %v, want %v (params %v)", c.may, tt.want, c.params)
			}
			only := len(c.params) == 2 && c.params["controller"] != nil && c.params["action"] != nil
			if !c.may && !only {
				t.Errorf("MayHaveParams false, yet Params = %v", c.params)
			}
		})
	}
}

func TestJSONBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       P
		err        error
	}{
		{"an object's keys become params", `{"post":{"title":"x","tags":["a",1]},"n":2.5,"ok":true}`,
			P{"post": P{"title": "x", "tags": L{"a", json.Number("1")}}, "n": json.Number("2.5"), "ok": true}, nil},
		{"anything else goes under _json", `[1,2]`, P{"_json": L{json.Number("1"), json.Number("2")}}, nil},
		{"invalid JSON is malformed", `{"a":`, nil, dispatch.ErrMalformedParams},
		{"trailing data is malformed", `{} {}`, nil, dispatch.ErrMalformedParams},
		{"nils are removed from arrays (deep_munge)", `{"a":[null,1,[null,"x"],{"b":[null]}],"c":null,"d":[]}`,
			P{"a": L{json.Number("1"), L{"x"}, P{"b": L{}}}, "c": nil, "d": L{}}, nil},
		{"JSON 90 deep is fine", strings.Repeat(`{"a":`, 90) + "1" + strings.Repeat("}", 90), nil, nil},
		{"deep JSON is too deep", strings.Repeat(`{"a":`, 110) + "1" + strings.Repeat("}", 110), nil, dispatch.ErrParamsTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("PUT", "/things/1", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			c, rec := paramsOf(t, dispatch.Config{}, req)
			if tc.err != nil {
				if !errors.Is(c.err, tc.err) || rec.Code != 400 {
					t.Fatalf("err %v status %d, want %v and 400", c.err, rec.Code, tc.err)
				}
				return
			}
			if c.err != nil {
				t.Fatalf("err %v", c.err)
			}
			for k, v := range tc.want {
				if !reflect.DeepEqual(c.params[k], v) {
					t.Errorf("params[%q] = %#v, want %#v", k, c.params[k], v)
				}
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	cfg := dispatch.Config{MaxBodyBytes: 10, MaxParams: 2}
	tests := []struct {
		name, ct, body string
		want           error
	}{
		{"a large urlencoded body", "application/x-www-form-urlencoded", "a=12345678901", dispatch.ErrParamsTooLarge},
		{"a large JSON body", "application/json", `{"a":"12345678"}`, dispatch.ErrParamsTooLarge},
		{"too many body params", "application/x-www-form-urlencoded", "a&b&c", dispatch.ErrTooManyParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("POST", "/things/1", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ct)
			c, rec := paramsOf(t, cfg, req)
			if !errors.Is(c.err, tc.want) || rec.Code != 400 {
				t.Fatalf("err %v status %d, want %v and 400", c.err, rec.Code, tc.want)
			}
		})
	}
}

func multipartBody(t *testing.T, fields [][2]string, file string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != "" {
		fw, err := mw.CreateFormFile("post[photo]", "cat.txt")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(fw, file)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &buf
}

func TestMultipartKeepsFieldOrderAndFiles(t *testing.T) {
	t.Parallel()
	for _, memory := range []int64{1 << 20, 1} { // in memory, then spilled to disk
		t.Run(fmt.Sprintf("memory %d", memory), func(t *testing.T) {
			t.Parallel()
			ct, body := multipartBody(t, [][2]string{
				{"items[][name]", "a"}, {"items[][qty]", "1"}, {"items[][name]", "b"}, {"items[][qty]", "2"}, {"post[title]", "hi"},
			}, "meow")
			req := httptest.NewRequest("POST", "/things/1", body)
			req.Header.Set("Content-Type", ct)
			c, _ := paramsOf(t, dispatch.Config{MultipartMemory: memory, TempDir: t.TempDir()}, req)
			if c.err != nil {
				t.Fatal(c.err)
			}
			items := L{P{"name": "a", "qty": "1"}, P{"name": "b", "qty": "2"}}
			if !reflect.DeepEqual(c.params["items"], items) {
				t.Fatalf("items %#v", c.params["items"])
			}
			f := c.params.Map("post").File("photo")
			if f == nil || f.Filename != "cat.txt" || f.Size != 4 || f.ContentType() != "application/octet-stream" {
				t.Fatalf("file %#v", f)
			}
			if c.file != "meow" {
				t.Fatalf("file content %q", c.file)
			}
			if _, err := f.Open(); memory == 1 && err == nil {
				t.Fatal("the spilled upload outlived its request")
			}
		})
	}
}

func TestMalformedMultipartIsABadRequest(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("POST", "/things/1", strings.NewReader("--XX\r\ngarbage"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
	c, rec := paramsOf(t, dispatch.Config{}, req)
	if !errors.Is(c.err, dispatch.ErrMalformedParams) || rec.Code != 400 {
		t.Fatalf("err %v status %d", c.err, rec.Code)
	}
}

func TestParamsAccessors(t *testing.T) {
	t.Parallel()
	p, err := dispatch.ParseQuery("tags[]=a&tags[]=b&post[comments][0][body]=hi&n")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Strings("tags"); len(got) != 2 || got[1] != "b" {
		t.Errorf("Strings = %v", got)
	}
	if got := p.List("tags"); len(got) != 2 {
		t.Errorf("List = %v", got)
	}
	if got := p.Dig("post", "comments", "0", "body"); got != "hi" {
		t.Errorf("Dig = %v", got)
	}
	if got := p.Dig("tags", "x"); got != nil {
		t.Errorf("Dig through a list = %v", got)
	}
	if p.String("n") != "" || p.Map("tags") != nil || p.File("tags") != nil {
		t.Error("accessors on the wrong shape did not return zero values")
	}
	if dispatch.SourceBody.String() != "body" || dispatch.SourceNone.String() != "none" {
		t.Error("Source.String")
	}
}

// TestDeepMunge: Rails' deep_munge (perform_deep_munge, on by default)
// removes nils from arrays in the params Rack parsed; nils in hashes stay.
func TestDeepMunge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		want        P
	}{
		{"a[] is an empty array", "a[]", P{"a": L{}}},
		{"a valueless element is dropped", "a[]=1&a[]&a[]=2", P{"a": L{"1", "2"}}},
		{"an empty value is kept", "a[]=", P{"a": L{""}}},
		{"arrays inside hashes are munged", "x[y][]", P{"x": P{"y": L{}}}},
		{"arrays inside arrays of hashes are munged", "x[][y][]&x[][z]=1", P{"x": L{P{"y": L{}, "z": "1"}}}},
		{"a nil in a hash stays", "x[y]", P{"x": P{"y": nil}}},
		{"a key without value stays nil", "a", P{"a": nil}},
		{"a nil replaced by a hash", "a&a[b]=1", P{"a": P{"b": "1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, body := range []bool{false, true} {
				var req *http.Request
				if body {
					req = httptest.NewRequest("POST", "/things/1", strings.NewReader(tc.query))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				} else {
					req = httptest.NewRequest("GET", "/things/1?"+tc.query, nil)
				}
				c, _ := paramsOf(t, dispatch.Config{}, req)
				for k, v := range tc.want {
					if !reflect.DeepEqual(c.params[k], v) {
						t.Errorf("body %v: params[%q] = %#v, want %#v", body, k, c.params[k], v)
					}
				}
			}
		})
	}
}

// TestMalformedQueryIsA400Everywhere: Rails parses the params of every
// action, so a malformed query string is a 400 naming the problem even for
// an action that never reads params.
func TestMalformedQueryIsA400Everywhere(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("about", dispatch.To((*WelcomeController).About))
	})
	tests := []struct {
		query, msg string
	}{
		{"a=%zz", `invalid %-encoding in "%zz"`},
		{"a=%ff", "invalid UTF-8"},
		{"a=1&a[b]=2", "expected Hash (got String) for param `a'"},
		{"a[b]=1&a[]=2", "expected Array (got Hash) for param `a'"},
		{"a" + strings.Repeat("[a]", 110) + "=1", "more than 100 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/about", nil)
			req.URL.RawQuery = tc.query
			rs.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.msg) {
				t.Fatalf("GET /about?%s: %d %q, want 400 with %q", tc.query, rec.Code, rec.Body, tc.msg)
			}
		})
	}
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/about?a&a[b]=1&c[]", nil))
	if rec.Code != 200 {
		t.Fatalf("a well-formed query: %d %q", rec.Code, rec.Body)
	}
}
