package routing

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/gorails/gorails/framework/dispatch"
)

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

// braces turns /repos/:owner into /repos/{owner} for chi and ServeMux.
func braces(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func samplePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "gorails" + s[1:]
		}
	}
	return strings.Join(parts, "/")
}

type noopController struct{}

func (*noopController) Act() error { return nil }

// invoker runs an action on a fresh controller and nothing else: the
// cheapest dispatch.Invoker, so that routing is what is measured.
type invoker struct{}

func (invoker) Invoke(a dispatch.ControllerAction) (dispatch.ActionFunc, error) {
	return func(http.ResponseWriter, *dispatch.Request) error { return a.Run(a.New()) }, nil
}

func noop(http.ResponseWriter, *http.Request) {}

func newDispatch(tb testing.TB, routes []apiRoute) http.Handler {
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: invoker{}})
	err := rs.Draw(func(r *dispatch.Mapper) {
		for _, rt := range routes {
			r.Match(rt.path, dispatch.To((*noopController).Act), dispatch.Via(rt.method))
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func newChi(routes []apiRoute) http.Handler {
	r := chi.NewRouter()
	for _, rt := range routes {
		r.MethodFunc(rt.method, braces(rt.path), noop)
	}
	return r
}

func newServeMux(routes []apiRoute) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+braces(rt.path), noop)
	}
	return mux
}

type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// routers builds the three routers on the table.
func routers(tb testing.TB, routes []apiRoute) []namedRouter {
	return []namedRouter{
		{"dispatch", newDispatch(tb, routes)},
		{"chi", newChi(routes)},
		{"servemux", newServeMux(routes)},
	}
}

type namedRouter struct {
	name string
	h    http.Handler
}

func githubCases(routes []apiRoute) []benchCase {
	all := make([]*http.Request, len(routes))
	for i, rt := range routes {
		all[i] = httptest.NewRequest(rt.method, samplePath(rt.path), nil)
	}
	return []benchCase{
		{"static", []*http.Request{httptest.NewRequest("GET", "/user/repos", nil)}},
		{"param", []*http.Request{httptest.NewRequest("GET", "/repos/julienschmidt/httprouter/stargazers", nil)}},
		{"all", all},
	}
}

type benchCase struct {
	name string
	reqs []*http.Request
}

func mustAnswer(tb testing.TB, rt namedRouter, reqs []*http.Request) {
	tb.Helper()
	for _, r := range reqs {
		rec := httptest.NewRecorder()
		rt.h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			tb.Fatalf("%s: %s %s: %d", rt.name, r.Method, r.URL.Path, rec.Code)
		}
	}
}

// TestRoutersAnswerEveryRoute checks the comparison is fair: every router
// routes every request of the table.
func TestRoutersAnswerEveryRoute(t *testing.T) {
	routes := loadGitHub(t)
	for _, c := range githubCases(routes) {
		for _, rt := range routers(t, routes) {
			mustAnswer(t, rt, c.reqs)
		}
	}
}

// BenchmarkGitHub: static is GET /user/repos, param is
// GET /repos/julienschmidt/httprouter/stargazers, all is the 203 routes.
func BenchmarkGitHub(b *testing.B) {
	routes := loadGitHub(b)
	rts := routers(b, routes)
	for _, c := range githubCases(routes) {
		for _, rt := range rts {
			mustAnswer(b, rt, c.reqs)
			b.Run(c.name+"/"+rt.name, func(b *testing.B) {
				w := &nopWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					for _, r := range c.reqs {
						rt.h.ServeHTTP(w, r)
					}
				}
			})
		}
	}
}
