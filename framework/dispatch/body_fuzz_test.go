package dispatch

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
)

// FuzzParseBody feeds request bodies of each type the params parser reads
// (form, JSON, multipart): it never panics, and whatever it refuses is a
// *ParamError (a 400 naming the problem), never another error.
func FuzzParseBody(f *testing.F) {
	const boundary = "XyZ"
	multipart := "--XyZ\r\nContent-Disposition: form-data; name=\"post[title]\"\r\n\r\nhi\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"post[file]\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nbody\r\n--XyZ--\r\n"
	seeds := []struct {
		kind uint8
		body string
	}{
		{0, "post[title]=a&post[tags][]=x&n=1"},
		{0, "a[b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r][s][t][u][v][w][x][y][z]=1"},
		{0, "a=1&a[b]=2"},
		{0, "%zz=%"},
		{1, `{"post":{"title":"a","tags":["x",1,true,null,{"k":1.5}]}}`},
		{1, `[1,2,3]`},
		{1, `{"a":` + string(bytes.Repeat([]byte(`{"a":`), 200)) + `1` + string(bytes.Repeat([]byte("}"), 201))},
		{1, `{"a":1e999999}`},
		{1, `{"a":"\ud800"}`},
		{2, multipart},
		{2, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
		{3, "anything"},
	}
	for _, s := range seeds {
		f.Add(s.kind, []byte(s.body))
	}
	rs := NewRouteSet(Config{MaxBodyBytes: 64 << 10, MultipartMemory: 8 << 10})
	types := []string{"application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=" + boundary, "application/vnd.api+json"}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", types[int(kind)%len(types)])
		_, files, err := rs.parseBody(r)
		for _, fl := range files {
			if fl.path != "" {
				os.Remove(fl.path)
			}
		}
		var pe *ParamError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("%s body %q: error %v (%T) is not a *ParamError", types[int(kind)%len(types)], body, err, err)
		}
	})
}
