package dispatch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/gorails/gorails/framework/dispatch"
)

// ArticlesController is a controller as an application writes it. With
// framework/controller it would embed controller.Base; used alone, dispatch
// needs an Invoker that hands each fresh controller its request.
type ArticlesController struct {
	w http.ResponseWriter
	r *dispatch.Request
}

// invoker is a minimal Invoker: per request, a fresh controller gets the
// writer and request, then the action runs. framework/controller's Env is
// the full one (callbacks, rendering, rescue handlers).
type invoker struct{}

func (invoker) Invoke(a dispatch.ControllerAction) (dispatch.ActionFunc, error) {
	if _, ok := a.New().(*ArticlesController); !ok {
		return nil, fmt.Errorf("invoker: %s is not a controller it knows", a.Type)
	}
	return func(w http.ResponseWriter, r *dispatch.Request) error {
		c := a.New()
		c.(*ArticlesController).w, c.(*ArticlesController).r = w, r
		return a.Run(c)
	}, nil
}

func (c *ArticlesController) Index() error {
	_, err := fmt.Fprintln(c.w, "all articles")
	return err
}

func (c *ArticlesController) Show() error {
	p, err := c.r.Params()
	if err != nil {
		return err // a *dispatch.ParamError: the ErrorHandler answers 400
	}
	_, err = fmt.Fprintf(c.w, "article %s as %s, page %s\n", c.r.PathParam("id"), c.r.Format(), p.String("page"))
	return err
}

// article is the helper of the route "article", as `gorails generate
// routes` writes it into an app's app/routes package.
var article = dispatch.NewRouteHelper("article", "/articles/:id(.:format)")

// ArticlePath is the path of the route article: GET /articles/:id(.:format).
func ArticlePath(id any, query ...dispatch.Params) string { return article.Path(query, id) }

func (c *ArticlesController) Feature() error {
	http.Redirect(c.w, c.r.HTTP(), ArticlePath(c.r.PathParam("id")), http.StatusSeeOther)
	return nil
}

func Example() {
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: invoker{}})
	err := rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("articles", dispatch.For[ArticlesController](), func(r *dispatch.Mapper) {
			r.Member(func(r *dispatch.Mapper) {
				r.Post("feature", dispatch.To((*ArticlesController).Feature))
			})
		})
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, target := range []string{"/articles", "/articles/7.json?page=2"} {
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Print(rec.Body)
	}
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("POST", "/articles/7/feature", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	_ = dispatch.WriteRoutes(os.Stdout, rs.Routes(), "")
	// Output:
	// all articles
	// article 7 as json, page 2
	// 303 /articles/7
	//          Prefix Verb URI Pattern                     Controller#Action
	// feature_article POST /articles/:id/feature(.:format) articles#feature
	//        articles GET  /articles(.:format)             articles#index
	//         article GET  /articles/:id(.:format)         articles#show
}

func ExampleRouteSet_Path() {
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: testInvoker{}})
	_ = rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
			r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("show"))
		})
	})
	fmt.Println(rs.Path("post", 1))
	fmt.Println(rs.Path("post_comment", 1, 2, "json"))
	fmt.Println(rs.Path("posts", dispatch.Params{"page": 2, "q": dispatch.Params{"tag": "go"}}))
	fmt.Println(rs.Path("post"))
	// Output:
	// /posts/1 <nil>
	// /posts/1/comments/2.json <nil>
	// /posts?page=2&q%5Btag%5D=go <nil>
	//  dispatch: path "post": missing route param "id"
}

func ExampleParseQuery() {
	p, err := dispatch.ParseQuery("post[title]=Hi&post[tags][]=go&post[tags][]=web&items[][id]=1&items[][id]=2")
	fmt.Println(p, err)
	_, err = dispatch.ParseQuery("a=1&a[b]=2")
	fmt.Println(err)
	// Output:
	// map[items:[map[id:1] map[id:2]] post:map[tags:[go web] title:Hi]] <nil>
	// invalid query params: conflicting param shapes: expected Hash (got String) for param `a' (param "a")
}

func ExampleMethodOverride() {
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: testInvoker{}})
	_ = rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("destroy"))
	})
	h := dispatch.MethodOverride(rs)
	req := httptest.NewRequest("POST", "/posts/3", strings.NewReader("_method=delete"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Body)
	// Output: posts#destroy
}

// Rails' routing forms beyond resources: a concern, an optional segment
// with a default, and params sharing a segment.
func ExampleMapper_Concern() {
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: testInvoker{}})
	err := rs.Draw(func(r *dispatch.Mapper) {
		r.Concern("commentable", func(r *dispatch.Mapper) {
			r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index"))
		})
		r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("show"), dispatch.Concerns("commentable"))
		r.Get("photos(/:page)", dispatch.To((*PostsController).Index), dispatch.As("photos"), dispatch.Default("page", "1"))
		r.Get("read/:id-:slug", dispatch.To((*PostsController).Show), dispatch.As("slugged"), dispatch.Constrain("id", `\d+`))
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = dispatch.WriteRoutes(os.Stdout, rs.Routes(), "")
	p1, _ := rs.Path("photos")
	p2, _ := rs.Path("photos", dispatch.Params{"page": 2})
	p3, _ := rs.Path("slugged", 12, "my-post")
	fmt.Println(p1, p2, p3)
	// Output:
	//        Prefix Verb URI Pattern                        Controller#Action
	// post_comments GET  /posts/:post_id/comments(.:format) comments#index
	//          post GET  /posts/:id(.:format)               posts#show
	//        photos GET  /photos(/:page)(.:format)          posts#index {page: "1"}
	//       slugged GET  /read/:id-:slug(.:format)          posts#show {id: /\d+/}
	// /photos /photos/2 /read/12-my-post
}
