package dispatch

import (
	"strings"
	"unicode"
)

// underscore turns a Go identifier into Rails' snake case:
// "AdminUsers" -> "admin_users", "HTTPStatus" -> "http_status".
func underscore(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// controllerName derives the controller name from a type name:
// "PostsController" -> "posts", "AdminUsersController" -> "admin_users".
func controllerName(typeName string) string {
	return underscore(strings.TrimSuffix(typeName, "Controller"))
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

var uncountable = map[string]bool{
	"equipment": true, "information": true, "rice": true, "money": true, "species": true,
	"series": true, "fish": true, "sheep": true, "jeans": true, "police": true, "news": true,
	"metadata": true, "data": true,
}

var irregularSingular = map[string]string{
	"people": "person", "men": "man", "women": "woman", "children": "child", "sexes": "sex",
	"moves": "move", "zombies": "zombie", "mice": "mouse", "geese": "goose", "teeth": "tooth",
	"feet": "foot", "oxen": "ox",
}

// singularSuffixes are ActiveSupport's most used singular rules, longest
// match first.
var singularSuffixes = []struct{ from, to string }{
	{"quizzes", "quiz"}, {"matrices", "matrix"}, {"vertices", "vertex"}, {"indices", "index"},
	{"statuses", "status"}, {"aliases", "alias"}, {"buses", "bus"}, {"analyses", "analysis"},
	{"theses", "thesis"}, {"crises", "crisis"}, {"databases", "database"},
	{"xes", "x"}, {"ches", "ch"}, {"shes", "sh"}, {"sses", "ss"},
	{"movies", "movie"}, {"ies", "y"},
	{"ss", "ss"}, {"us", "us"}, {"is", "is"}, {"s", ""},
}

// singularize returns the singular of an English plural, the way
// ActiveSupport does for the common cases: "posts" -> "post",
// "categories" -> "category", "people" -> "person".
func singularize(word string) string {
	prefix, last := splitLastWord(word)
	lower := strings.ToLower(last)
	if uncountable[lower] {
		return word
	}
	if s, ok := irregularSingular[lower]; ok {
		return prefix + s
	}
	for _, r := range singularSuffixes {
		if strings.HasSuffix(lower, r.from) {
			return prefix + last[:len(last)-len(r.from)] + r.to
		}
	}
	return word
}

func splitLastWord(word string) (string, string) {
	i := strings.LastIndexByte(word, '_')
	return word[:i+1], word[i+1:]
}
