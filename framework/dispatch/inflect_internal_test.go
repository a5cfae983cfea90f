package dispatch

import (
	"testing"

	"github.com/gorails/gorails/internal/inflect"
)

func TestSingularize(t *testing.T) {
	t.Parallel()
	for plural, want := range map[string]string{
		"posts": "post", "comments": "comment", "categories": "category", "people": "person",
		"addresses": "address", "boxes": "box", "statuses": "status", "news": "news", "series": "series",
		"matches": "match", "wishes": "wish", "quizzes": "quiz", "analyses": "analysis", "movies": "movie",
		"blog_posts": "blog_post", "line_items": "line_item", "status": "status", "children": "child",
		"databases": "database", "responses": "response", "houses": "house",
	} {
		if got := inflect.Singularize(plural); got != want {
			t.Errorf("singularize(%q) = %q, want %q", plural, got, want)
		}
	}
}

func TestControllerNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ module, typeName, want string }{
		{"", "PostsController", "posts"},
		{"", "LineItemsController", "line_items"},
		{"", "HTMLPagesController", "html_pages"},
		{"admin", "AdminUsersController", "admin/users"},
		{"admin", "UsersController", "admin/users"},
		{"api/v1", "APIV1UsersController", "api/v1/users"},
		{"admin", "AdministratorsController", "admin/administrators"},
	} {
		if got := namespaced(tc.module, controllerName(tc.typeName)); got != tc.want {
			t.Errorf("namespaced(%q, %q) = %q, want %q", tc.module, tc.typeName, got, tc.want)
		}
	}
}
