package dispatch_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

// githubTable is shared with bench/routing, which compares against chi.
const githubTable = "../../testdata/dispatch/github_api.txt"

type apiRoute struct{ method, path string }

func loadGitHub(tb testing.TB) []apiRoute {
	tb.Helper()
	f, err := os.Open(githubTable)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []apiRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && line[0] != '#' {
			m, p, _ := strings.Cut(line, " ")
			out = append(out, apiRoute{m, p})
		}
	}
	return out
}

// samplePath fills each :param with a value.
func samplePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "gorails" + s[1:]
		}
	}
	return strings.Join(parts, "/")
}

// noopController is the cheapest controller: nothing to allocate.
type noopController struct{}

func (*noopController) setRequest(http.ResponseWriter, *dispatch.Request) {}
func (*noopController) Act() error                                        { return nil }

// realController keeps the writer and request as controller.Base does.
type realController struct{ base }

func (*realController) Act() error { return nil }

func githubRouteSet(tb testing.TB, routes []apiRoute, t dispatch.Target) *dispatch.RouteSet {
	return draw(tb, dispatch.Config{}, func(r *dispatch.Mapper) {
		for _, rt := range routes {
			r.Match(rt.path, t, dispatch.Via(rt.method))
		}
	})
}

func githubServeMux(routes []apiRoute) *http.ServeMux {
	mux := http.NewServeMux()
	noop := func(http.ResponseWriter, *http.Request) {}
	for _, rt := range routes {
		parts := strings.Split(rt.path, "/")
		for i, s := range parts {
			if strings.HasPrefix(s, ":") {
				parts[i] = "{" + s[1:] + "}"
			}
		}
		mux.HandleFunc(rt.method+" "+strings.Join(parts, "/"), noop)
	}
	return mux
}

type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func githubRequests(routes []apiRoute) map[string][]*http.Request {
	all := make([]*http.Request, len(routes))
	for i, rt := range routes {
		all[i] = httptest.NewRequest(rt.method, samplePath(rt.path), nil)
	}
	return map[string][]*http.Request{
		"static": {httptest.NewRequest("GET", "/user/repos", nil)},
		"param":  {httptest.NewRequest("GET", "/repos/julienschmidt/httprouter/stargazers", nil)},
		"all":    all,
	}
}

// BenchmarkGitHub matches the GitHub API table (203 routes) with dispatch
// and http.ServeMux in the same run: one static path, one path with two
// params, and all 203 routes per op.
func BenchmarkGitHub(b *testing.B) {
	routes := loadGitHub(b)
	routers := []struct {
		name string
		h    http.Handler
	}{
		{"dispatch", githubRouteSet(b, routes, dispatch.To((*noopController).Act))},
		{"dispatch_controller", githubRouteSet(b, routes, dispatch.To((*realController).Act))},
		{"servemux", githubServeMux(routes)},
	}
	reqs := githubRequests(routes)
	for _, c := range []string{"static", "param", "all"} {
		for _, rt := range routers {
			mustServe(b, rt.h, reqs[c])
			b.Run(c+"/"+rt.name, func(b *testing.B) {
				w := &nopWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					for _, r := range reqs[c] {
						rt.h.ServeHTTP(w, r)
					}
				}
			})
		}
	}
}

func mustServe(tb testing.TB, h http.Handler, reqs []*http.Request) {
	tb.Helper()
	for _, r := range reqs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			tb.Fatalf("%s %s: %d", r.Method, r.URL.Path, rec.Code)
		}
	}
}

func TestGitHubTableRoutesEveryRequest(t *testing.T) {
	t.Parallel()
	routes := loadGitHub(t)
	rs := githubRouteSet(t, routes, dispatch.To((*noopController).Act))
	for _, reqs := range githubRequests(routes) {
		mustServe(t, rs, reqs)
	}
}

func TestStaticMatchDoesNotAllocate(t *testing.T) {
	routes := loadGitHub(t)
	rs := githubRouteSet(t, routes, dispatch.To((*noopController).Act))
	w := &nopWriter{h: http.Header{}}
	for name, path := range map[string]string{"static": "/user/repos", "param": "/repos/julienschmidt/httprouter/stargazers"} {
		req := httptest.NewRequest("GET", path, nil)
		if n := testing.AllocsPerRun(100, func() { rs.ServeHTTP(w, req) }); n != 0 {
			t.Errorf("%s: %v allocs per request, want 0", name, n)
		}
	}
}
