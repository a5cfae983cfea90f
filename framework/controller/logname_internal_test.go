package controller

import (
	"reflect"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

type (
	PostsController          struct{}
	AdminArticlesController  struct{}
	UsersController          struct{}
	APIV1WidgetsController   struct{}
	AdministratorsController struct{}
)

// TestLogName: the controller's name in "Processing by ..." is Rails':
// namespaces as Admin::, and a generated type that already spells them
// (AdminArticlesController) does not repeat them.
func TestLogName(t *testing.T) {
	for _, tt := range []struct {
		controller string
		typ        any
		want       string
	}{
		{"posts", PostsController{}, "PostsController"},
		{"admin/articles", AdminArticlesController{}, "Admin::ArticlesController"},
		{"admin/users", UsersController{}, "Admin::UsersController"},
		{"api/v1/widgets", APIV1WidgetsController{}, "API::V1::WidgetsController"},
		{"admin/administrators", AdministratorsController{}, "Admin::AdministratorsController"},
	} {
		a := dispatch.ControllerAction{Action: dispatch.Action{Controller: tt.controller, Name: "index"}, Type: reflect.TypeOf(tt.typ)}
		if got := logName(a); got != tt.want {
			t.Errorf("logName(%s, %T) = %q, want %q", tt.controller, tt.typ, got, tt.want)
		}
	}
}
