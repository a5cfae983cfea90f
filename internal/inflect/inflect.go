// Package inflect is gorails' one English inflector, so that every layer
// names things the same way: the controller a route points at (dispatch),
// the table a model maps to (record), the words a view prints (view) and
// the files a generator writes (cmd/gorails). Plurals and singulars follow
// Rails' default rules, with its irregular and uncountable words;
// Underscore and Camelize convert between Go identifiers and snake_case.
//
// The rule tables are immutable; every function is safe for concurrent use.
package inflect

import (
	"regexp"
	"strings"
	"unicode"
)

type rule struct {
	re   *regexp.Regexp
	repl string
}

func rules(pairs ...string) []rule {
	out := make([]rule, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, rule{regexp.MustCompile("(?i)" + pairs[i]), pairs[i+1]})
	}
	return out
}

// Rules are tried in order; the first match wins (Rails' order, reversed).
var (
	pluralRules = rules(
		`(quiz)$`, `${1}zes`,
		`^(oxen)$`, `${1}`,
		`^(ox)$`, `${1}en`,
		`^(m|l)ice$`, `${1}ice`,
		`^(m|l)ouse$`, `${1}ice`,
		`(matr|vert|ind)(?:ix|ex)$`, `${1}ices`,
		`(x|ch|ss|sh)$`, `${1}es`,
		`([^aeiouy]|qu)y$`, `${1}ies`,
		`(hive)$`, `${1}s`,
		`(?:([^f])fe|([lr])f)$`, `${1}${2}ves`,
		`sis$`, `ses`,
		`([ti])a$`, `${1}a`,
		`([ti])um$`, `${1}a`,
		`(buffal|tomat|potat|her)o$`, `${1}oes`,
		`(bu)s$`, `${1}ses`,
		`(alias|status)$`, `${1}es`,
		`(octop|vir)i$`, `${1}i`,
		`(octop|vir)us$`, `${1}i`,
		`^(ax|test)is$`, `${1}es`,
		`s$`, `s`,
		`$`, `s`,
	)
	singularRules = rules(
		`(database)s$`, `${1}`,
		`(quiz)zes$`, `${1}`,
		`(matr)ices$`, `${1}ix`,
		`(vert|ind)ices$`, `${1}ex`,
		`^(ox)en`, `${1}`,
		`(alias|status)(es)?$`, `${1}`,
		`(octop|vir)(us|i)$`, `${1}us`,
		`^(a)x[ie]s$`, `${1}xis`,
		`(cris|test)(is|es)$`, `${1}is`,
		`(shoe)s$`, `${1}`,
		`(o)es$`, `${1}`,
		`(bus)(es)?$`, `${1}`,
		`^(m|l)ice$`, `${1}ouse`,
		`(x|ch|ss|sh)es$`, `${1}`,
		`(m)ovies$`, `${1}ovie`,
		`(s)eries$`, `${1}eries`,
		`([^aeiouy]|qu)ies$`, `${1}y`,
		`([lr])ves$`, `${1}f`,
		`(tive)s$`, `${1}`,
		`(hive)s$`, `${1}`,
		`([^f])ves$`, `${1}fe`,
		`(^analy)(sis|ses)$`, `${1}sis`,
		`((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$`, `${1}sis`,
		`([ti])a$`, `${1}um`,
		`(n)ews$`, `${1}ews`,
		`(ss)$`, `${1}`,
		`s$`, ``,
	)
	irregulars = [][2]string{
		{"person", "people"}, {"man", "men"}, {"woman", "women"}, {"child", "children"},
		{"sex", "sexes"}, {"move", "moves"}, {"zombie", "zombies"},
		{"goose", "geese"}, {"foot", "feet"}, {"tooth", "teeth"},
		{"album", "albums"}, {"forum", "forums"}, {"stadium", "stadiums"}, {"museum", "museums"},
	}
	uncountables = map[string]bool{
		"equipment": true, "information": true, "rice": true, "money": true,
		"species": true, "series": true, "fish": true, "sheep": true,
		"jeans": true, "police": true, "news": true,
	}
)

// Pluralize returns the plural of an English word: "post" -> "posts",
// "person" -> "people", "category" -> "categories". Only the last word of a
// snake_case, dashed or spaced phrase changes ("blog_post" -> "blog_posts").
func Pluralize(word string) string { return inflect(word, pluralRules, 0) }

// Singularize returns the singular of an English word: "posts" -> "post",
// "people" -> "person".
func Singularize(word string) string { return inflect(word, singularRules, 1) }

func inflect(word string, rs []rule, dir int) string {
	if word == "" {
		return word
	}
	head, last := splitLast(word)
	lower := strings.ToLower(last)
	if uncountables[lower] {
		return word
	}
	for _, ir := range irregulars {
		from, to := ir[dir], ir[1-dir]
		if lower == from {
			return head + matchCase(last, to)
		}
		if lower == to { // already in the wanted form
			return word
		}
	}
	for _, r := range rs {
		if r.re.MatchString(last) {
			return head + r.re.ReplaceAllString(last, r.repl)
		}
	}
	return word
}

// splitLast splits "blog_post" into "blog_" and "post".
func splitLast(s string) (string, string) {
	i := strings.LastIndexAny(s, "_ -/")
	return s[:i+1], s[i+1:]
}

// matchCase gives s the case of model: all upper, capitalized, or as is.
func matchCase(model, s string) string {
	switch {
	case model == "" || s == "":
		return s
	case len(model) > 1 && strings.ToUpper(model) == model && strings.ToLower(model) != model:
		return strings.ToUpper(s)
	case unicode.IsUpper(rune(model[0])):
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// Underscore turns a Go identifier into snake_case, keeping acronyms
// together: "BlogPost" -> "blog_post", "AuthorID" -> "author_id",
// "HTTPStatus" -> "http_status". Dashes and spaces become underscores.
func Underscore(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	rs := []rune(s)
	for i, r := range rs {
		if isUpper(r) {
			if i > 0 && rs[i-1] != '_' && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		if r == '-' || r == ' ' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isUpper reports whether r is an upper-case letter that has a distinct lower case.
func isUpper(r rune) bool { return unicode.IsUpper(r) && unicode.ToLower(r) != r }

// Tableize is the conventional table name of a type name:
// Pluralize(Underscore(name)), "BlogPost" -> "blog_posts".
func Tableize(typeName string) string { return Pluralize(Underscore(typeName)) }

// Camelize turns snake_case into CamelCase: "user_id" -> "UserID" (the
// common Go initialisms ID, URL, HTTP, UUID, API, JSON, SQL, IP are upper-cased).
func Camelize(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' }) {
		if up := strings.ToUpper(part); initialisms[up] {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

var initialisms = map[string]bool{"ID": true, "URL": true, "HTTP": true, "UUID": true, "API": true, "JSON": true, "SQL": true, "IP": true}

// Humanize turns an attribute name into a label: "author_id" -> "Author",
// "created_at" -> "Created at", "FirstName" -> "First name".
func Humanize(s string) string {
	s = Underscore(s)
	s = strings.TrimSuffix(s, "_id")
	s = strings.TrimPrefix(s, "_")
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
