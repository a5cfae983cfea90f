package dispatch_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func draw(t testing.TB, cfg dispatch.Config, fn func(*dispatch.Mapper)) *dispatch.RouteSet {
	t.Helper()
	rs := dispatch.NewRouteSet(withInvoker(cfg))
	if err := rs.Draw(fn); err != nil {
		t.Fatalf("Draw: %v", err)
	}
	return rs
}

// rows renders routes as "name VERB /path endpoint" lines.
func rows(rs *dispatch.RouteSet) []string {
	var out []string
	for _, r := range rs.Routes() {
		var f []string
		for _, s := range []string{r.Name, r.Verb, r.Path, r.Endpoint} {
			if s != "" {
				f = append(f, s)
			}
		}
		out = append(out, strings.Join(f, " "))
	}
	return out
}

// The expected tables are what `rails routes` prints for the Ruby DSL in
// each case's name (Rails 7.1).
var railsTables = []struct {
	name string
	draw func(r *dispatch.Mapper)
	want []string
}{
	{
		name: "resources :posts do resources :comments; member { get :preview } end",
		draw: func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
				r.Resources("comments", dispatch.For[CommentsController]())
				r.Member(func(r *dispatch.Mapper) { r.Get("preview", dispatch.To((*PostsController).Preview)) })
			})
		},
		want: []string{
			"post_comments GET /posts/:post_id/comments(.:format) comments#index",
			"POST /posts/:post_id/comments(.:format) comments#create",
			"new_post_comment GET /posts/:post_id/comments/new(.:format) comments#new",
			"edit_post_comment GET /posts/:post_id/comments/:id/edit(.:format) comments#edit",
			"post_comment GET /posts/:post_id/comments/:id(.:format) comments#show",
			"PATCH /posts/:post_id/comments/:id(.:format) comments#update",
			"PUT /posts/:post_id/comments/:id(.:format) comments#update",
			"DELETE /posts/:post_id/comments/:id(.:format) comments#destroy",
			"preview_post GET /posts/:id/preview(.:format) posts#preview",
			"posts GET /posts(.:format) posts#index",
			"POST /posts(.:format) posts#create",
			"new_post GET /posts/new(.:format) posts#new",
			"edit_post GET /posts/:id/edit(.:format) posts#edit",
			"post GET /posts/:id(.:format) posts#show",
			"PATCH /posts/:id(.:format) posts#update",
			"PUT /posts/:id(.:format) posts#update",
			"DELETE /posts/:id(.:format) posts#destroy",
		},
	},
	{
		name: "namespace :admin do resources :users, only: [:index, :show]; root 'welcome#index' end",
		draw: func(r *dispatch.Mapper) {
			r.Namespace("admin", func(r *dispatch.Mapper) {
				r.Resources("users", dispatch.For[AdminUsersController](), dispatch.Only("index", "show"))
				r.Root(dispatch.To((*WelcomeController).Index))
			})
		},
		want: []string{
			"admin_users GET /admin/users(.:format) admin/users#index",
			"admin_user GET /admin/users/:id(.:format) admin/users#show",
			"admin_root GET /admin(.:format) admin/welcome#index",
		},
	},
	{
		name: "namespace :admin, path: 'backstage', as: 'bo' do resources :users, only: :index end",
		draw: func(r *dispatch.Mapper) {
			r.Namespace("admin", dispatch.Path("backstage"), dispatch.As("bo"), func(r *dispatch.Mapper) {
				r.Resources("users", dispatch.For[AdminUsersController](), dispatch.Only("index"))
			})
		},
		want: []string{"bo_users GET /backstage/users(.:format) admin/users#index"},
	},
	{
		name: "resource :profile",
		draw: func(r *dispatch.Mapper) { r.Resource("profile", dispatch.For[ProfilesController]()) },
		want: []string{
			"new_profile GET /profile/new(.:format) profiles#new",
			"edit_profile GET /profile/edit(.:format) profiles#edit",
			"profile GET /profile(.:format) profiles#show",
			"PATCH /profile(.:format) profiles#update",
			"PUT /profile(.:format) profiles#update",
			"DELETE /profile(.:format) profiles#destroy",
			"POST /profile(.:format) profiles#create",
		},
	},
	{
		name: "scope '/v1', as: 'v1' do resources :posts, only: [:index, :show] end",
		draw: func(r *dispatch.Mapper) {
			r.Scope("/v1", dispatch.As("v1"), func(r *dispatch.Mapper) {
				r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("index", "show"))
			})
		},
		want: []string{
			"v1_posts GET /v1/posts(.:format) posts#index",
			"v1_post GET /v1/posts/:id(.:format) posts#show",
		},
	},
	{
		name: "scope module: 'admin' do resources :users, only: :index end",
		draw: func(r *dispatch.Mapper) {
			r.Scope("", dispatch.Module("admin"), func(r *dispatch.Mapper) {
				r.Resources("users", dispatch.For[AdminUsersController](), dispatch.Only("index"))
			})
		},
		want: []string{"users GET /users(.:format) admin/users#index"},
	},
	{
		name: "resources :posts, shallow: true do resources :comments end",
		draw: func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController](), dispatch.Shallow(), func(r *dispatch.Mapper) {
				r.Resources("comments", dispatch.For[CommentsController]())
			})
		},
		want: []string{
			"post_comments GET /posts/:post_id/comments(.:format) comments#index",
			"POST /posts/:post_id/comments(.:format) comments#create",
			"new_post_comment GET /posts/:post_id/comments/new(.:format) comments#new",
			"edit_comment GET /comments/:id/edit(.:format) comments#edit",
			"comment GET /comments/:id(.:format) comments#show",
			"PATCH /comments/:id(.:format) comments#update",
			"PUT /comments/:id(.:format) comments#update",
			"DELETE /comments/:id(.:format) comments#destroy",
			"posts GET /posts(.:format) posts#index",
			"POST /posts(.:format) posts#create",
			"new_post GET /posts/new(.:format) posts#new",
			"edit_post GET /posts/:id/edit(.:format) posts#edit",
			"post GET /posts/:id(.:format) posts#show",
			"PATCH /posts/:id(.:format) posts#update",
			"PUT /posts/:id(.:format) posts#update",
			"DELETE /posts/:id(.:format) posts#destroy",
		},
	},
	{
		name: "scope shallow_path: 'sekret' do resources :articles, only: :show do resources :comments, shallow: true end end",
		draw: func(r *dispatch.Mapper) {
			r.Scope("", dispatch.ShallowPath("sekret"), func(r *dispatch.Mapper) {
				r.Resources("articles", dispatch.For[PostsController](), dispatch.Only("show"), func(r *dispatch.Mapper) {
					r.Resources("comments", dispatch.For[CommentsController](), dispatch.Shallow())
				})
			})
		},
		want: []string{
			"article_comments GET /articles/:article_id/comments(.:format) comments#index",
			"POST /articles/:article_id/comments(.:format) comments#create",
			"new_article_comment GET /articles/:article_id/comments/new(.:format) comments#new",
			"edit_comment GET /sekret/comments/:id/edit(.:format) comments#edit",
			"comment GET /sekret/comments/:id(.:format) comments#show",
			"PATCH /sekret/comments/:id(.:format) comments#update",
			"PUT /sekret/comments/:id(.:format) comments#update",
			"DELETE /sekret/comments/:id(.:format) comments#destroy",
			"article GET /articles/:id(.:format) posts#show",
		},
	},
	{
		name: "scope shallow_prefix: 'sekret' do resources :articles, only: [] do resources :comments, shallow: true, only: [:index, :show] end end",
		draw: func(r *dispatch.Mapper) {
			r.Scope("", dispatch.ShallowPrefix("sekret"), func(r *dispatch.Mapper) {
				r.Resources("articles", dispatch.For[PostsController](), dispatch.Only(), func(r *dispatch.Mapper) {
					r.Resources("comments", dispatch.For[CommentsController](), dispatch.Shallow(), dispatch.Only("index", "show"))
				})
			})
		},
		want: []string{
			"article_comments GET /articles/:article_id/comments(.:format) comments#index",
			"sekret_comment GET /comments/:id(.:format) comments#show",
		},
	},
	{
		name: "namespace :admin do resources :posts, shallow: true do resources :comments, only: [:index, :show] end end",
		draw: func(r *dispatch.Mapper) {
			r.Namespace("admin", func(r *dispatch.Mapper) {
				r.Resources("posts", dispatch.For[PostsController](), dispatch.Shallow(), dispatch.Only("show"), func(r *dispatch.Mapper) {
					r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index", "show"))
				})
			})
		},
		want: []string{
			"admin_post_comments GET /admin/posts/:post_id/comments(.:format) admin/comments#index",
			"admin_comment GET /admin/comments/:id(.:format) admin/comments#show",
			"admin_post GET /admin/posts/:id(.:format) admin/posts#show",
		},
	},
	{
		name: "resources :posts, only: [] do collection { get :search }; get :preview end",
		draw: func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController](), dispatch.Only(), func(r *dispatch.Mapper) {
				r.Collection(func(r *dispatch.Mapper) { r.Get("search", dispatch.To((*PostsController).Search)) })
				r.Get("preview", dispatch.To((*PostsController).Preview))
			})
		},
		want: []string{
			"search_posts GET /posts/search(.:format) posts#search",
			"post_preview GET /posts/:post_id/preview(.:format) posts#preview",
		},
	},
	{
		name: "resources :posts, param: :slug, except: [:new, :edit, :update, :destroy, :create] do resources :comments, only: :index end",
		draw: func(r *dispatch.Mapper) {
			r.Resources("posts", dispatch.For[PostsController](), dispatch.Param("slug"),
				dispatch.Except("new", "edit", "update", "destroy", "create"), func(r *dispatch.Mapper) {
					r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index"))
				})
		},
		want: []string{
			"post_comments GET /posts/:post_slug/comments(.:format) comments#index",
			"posts GET /posts(.:format) posts#index",
			"post GET /posts/:slug(.:format) posts#show",
		},
	},
	{
		name: "resources :photos, path: 'images', only: :show; resources :articles, as: 'stories', only: :index",
		draw: func(r *dispatch.Mapper) {
			r.Resources("photos", dispatch.For[PostsController](), dispatch.Path("images"), dispatch.Only("show"))
			r.Resources("articles", dispatch.For[PostsController](), dispatch.As("stories"), dispatch.Only("index"))
		},
		want: []string{
			"photo GET /images/:id(.:format) posts#show",
			"stories GET /articles(.:format) posts#index",
		},
	},
	{
		name: "resources :news, only: [:index, :show]",
		draw: func(r *dispatch.Mapper) {
			r.Resources("news", dispatch.For[PostsController](), dispatch.Only("index", "show"))
		},
		want: []string{
			"news_index GET /news(.:format) posts#index",
			"news GET /news/:id(.:format) posts#show",
		},
	},
	{
		name: "root 'welcome#index'; get 'about'; get 'help/contact'; get 'photos/:id'; post 'search', as: 'find'; match 'x', via: [:get, :post]",
		draw: func(r *dispatch.Mapper) {
			r.Root(dispatch.To((*WelcomeController).Index))
			r.Get("about", dispatch.To((*WelcomeController).About))
			r.Get("help/contact", dispatch.To((*WelcomeController).About))
			r.Get("photos/:id", dispatch.To((*PostsController).Show))
			r.Post("search", dispatch.To((*PostsController).Search), dispatch.As("find"))
			r.Match("x", dispatch.To((*PostsController).Search), dispatch.Via("get", "post"))
		},
		want: []string{
			"root GET / welcome#index",
			"about GET /about(.:format) welcome#about",
			"help_contact GET /help/contact(.:format) welcome#about",
			"GET /photos/:id(.:format) posts#show",
			"find POST /search(.:format) posts#search",
			"x GET|POST /x(.:format) posts#search",
		},
	},
	{
		name: "resource :profile do resources :comments, only: :index; get :preview end",
		draw: func(r *dispatch.Mapper) {
			r.Resource("profile", dispatch.For[ProfilesController](), dispatch.Only("show"), func(r *dispatch.Mapper) {
				r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index"))
				r.Get("preview", dispatch.To((*PostsController).Preview))
			})
		},
		want: []string{
			"profile_comments GET /profile/comments(.:format) comments#index",
			"preview_profile GET /profile/preview(.:format) posts#preview",
			"profile GET /profile(.:format) profiles#show",
		},
	},
	{
		name: "get 'stories', to: redirect('/articles'); get 'old/:id', to: redirect('/posts/%{id}', status: 302); mount",
		draw: func(r *dispatch.Mapper) {
			r.Get("stories", dispatch.Redirect("/articles", 0))
			r.Get("old/:id", dispatch.Redirect("/posts/%{id}", 302))
			r.Mount("/jobs", jobsDashboard{}, dispatch.As("jobs"))
		},
		want: []string{
			"stories GET /stories(.:format) redirect(301, /articles)",
			"GET /old/:id(.:format) redirect(302, /posts/%{id})",
			"jobs /jobs JobsDashboard",
		},
	},
}

type jobsDashboard struct{}

func (jobsDashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("jobs " + r.URL.Path))
}

func (jobsDashboard) String() string { return "JobsDashboard" }

func TestMapperDrawsWhatRailsDraws(t *testing.T) {
	t.Parallel()
	for _, tc := range railsTables {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rows(draw(t, dispatch.Config{}, tc.draw))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("routes:\n%s\nwant (Rails):\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
