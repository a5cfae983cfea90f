package dispatch_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
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

// BenchmarkRouteHelper builds the link of a post, /posts/500: the helper a
// view calls ({{post_path .ID}}, through RouteHelpers.Funcs), the typed
// function `gorails generate routes` writes (RouteHelper.Path), and the
// hand-written concatenation.
func BenchmarkRouteHelper(b *testing.B) {
	h := dispatch.NewRouteHelper("post", "/posts/:id(.:format)")
	fn := dispatch.RouteHelpers{h}.Funcs()["post_path"].(func(...any) (string, error))
	var id int64 = 500
	if p, err := fn(id); err != nil || p != "/posts/500" {
		b.Fatalf("post_path(500) = %q, %v", p, err)
	}
	b.Run("view-func", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fn(id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Path(nil, id)
		}
	})
	b.Run("raw/concat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = "/posts/" + strconv.FormatInt(id, 10)
		}
	})
}

// negotiateController reads the format and the params, as an action that
// calls respond_to and params does.
type negotiateController struct{ base }

func (c *negotiateController) Act() error {
	p, err := c.r.Params()
	if err != nil {
		return err
	}
	_, _ = c.r.Format(), p.Map("q")
	return nil
}

// BenchmarkNegotiate: a request with a nested query and a browser's Accept
// header, through dispatch (params with deep_munge, Rails' format rules)
// and through http.ServeMux with url.ParseQuery and a string check of
// Accept, in the same run.
func BenchmarkNegotiate(b *testing.B) {
	const target = "/posts/42?page=2&q[title]=go&q[tags][]=a&q[tags][]=b"
	const accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	rs := draw(b, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("posts/:id", dispatch.To((*negotiateController).Act))
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		_, _, _ = r.PathValue("id"), strings.HasPrefix(r.Header.Get("Accept"), "application/json"), q["q[title]"]
	})
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"dispatch", rs}, {"servemux", mux}} {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Accept", accept)
		mustServe(b, h.h, []*http.Request{req})
		b.Run(h.name, func(b *testing.B) {
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkDSLForms matches an optional segment (/photos/7 on
// photos(/:id)) and segments with two params (/files/report.pdf on
// files/:name.:ext; /posts/12-my-post on posts/:id-:slug with id
// constrained, which takes the regexp) against the raw baseline in the
// same run: http.ServeMux on one param, split by hand.
func BenchmarkDSLForms(b *testing.B) {
	act := dispatch.To((*noopController).Act)
	rs := draw(b, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("photos(/:id)", act, dispatch.As("photos"))
		r.Get("posts/:id-:slug", act, dispatch.As("slugged"), dispatch.Constrain("id", `\d+`))
		r.Get("files/:name.:ext", act, dispatch.As("file"))
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /photos/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /posts/{slug}", func(_ http.ResponseWriter, r *http.Request) {
		id, _, _ := strings.Cut(r.PathValue("slug"), "-")
		_, _ = strconv.Atoi(id)
	})
	mux.HandleFunc("GET /files/{file}", func(_ http.ResponseWriter, r *http.Request) {
		_, _, _ = strings.Cut(r.PathValue("file"), ".")
	})
	for _, c := range []struct{ name, path string }{{"optional", "/photos/7"}, {"shared", "/files/report.pdf"}, {"shared_constrained", "/posts/12-my-post"}} {
		req := httptest.NewRequest("GET", c.path, nil)
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"dispatch", rs}, {"servemux", mux}} {
			mustServe(b, h.h, []*http.Request{req})
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				w := &nopWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					h.h.ServeHTTP(w, req)
				}
			})
		}
	}
}
