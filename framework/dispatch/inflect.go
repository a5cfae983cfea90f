package dispatch

import (
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// controllerName derives the controller name from a type name:
// "PostsController" -> "posts", "AdminUsersController" -> "admin_users".
func controllerName(typeName string) string {
	return inflect.Underscore(strings.TrimSuffix(typeName, "Controller"))
}

// namespaced puts a type-derived controller name under a module path:
// ("admin", "admin_users") -> "admin/users", ("admin", "users") -> "admin/users".
func namespaced(module, ctrl string) string {
	if module == "" {
		return ctrl
	}
	if rest, ok := stripModule(module, ctrl); ok {
		ctrl = rest
	}
	return module + "/" + ctrl
}

// stripModule removes the module's words from the front of ctrl, ignoring
// underscores and slashes: ("api/v1", "apiv1_users") -> "users".
func stripModule(module, ctrl string) (string, bool) {
	i := 0
	for _, r := range module {
		if r == '/' || r == '_' {
			continue
		}
		for i < len(ctrl) && ctrl[i] == '_' {
			i++
		}
		if i >= len(ctrl) || rune(ctrl[i]) != r {
			return "", false
		}
		i++
	}
	if i < len(ctrl) && ctrl[i] == '_' {
		return ctrl[i+1:], true
	}
	return "", false
}
