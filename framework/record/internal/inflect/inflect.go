// Package inflect turns Go names into table and column names the way Rails
// does: Underscore ("BlogPost" -> "blog_post"), Pluralize ("person" ->
// "people"), Tableize ("BlogPost" -> "blog_posts") and Camelize, the inverse
// of Underscore. It is small on purpose: English rules covering the words a
// model is usually named after, plus irregular and uncountable words.
//
// Every function is pure and safe for concurrent use.
package inflect

import (
	"strings"
	"unicode"
)

type rule struct{ suffix, replace string }

// pluralRules are tried in order; the first matching suffix wins.
var pluralRules = []rule{
	{"quiz", "quizzes"},
	{"matrix", "matrices"}, {"vertex", "vertices"}, {"index", "indices"},
	{"alias", "aliases"}, {"status", "statuses"},
	{"octopus", "octopi"}, {"virus", "viri"},
	{"axis", "axes"}, {"testis", "testes"}, {"crisis", "crises"}, {"analysis", "analyses"}, {"basis", "bases"},
	{"ss", "sses"}, {"sh", "shes"}, {"ch", "ches"}, {"x", "xes"}, {"z", "zes"},
	{"ife", "ives"}, {"lf", "lves"}, {"rf", "rves"},
	{"ay", "ays"}, {"ey", "eys"}, {"iy", "iys"}, {"oy", "oys"}, {"uy", "uys"}, {"y", "ies"},
	{"hive", "hives"},
	{"tomato", "tomatoes"}, {"potato", "potatoes"}, {"hero", "heroes"}, {"buffalo", "buffaloes"},
	{"um", "a"}, // datum -> data, medium -> media
	{"us", "uses"},
	{"s", "s"},
}

var irregular = map[string]string{
	"person": "people", "ox": "oxen", "man": "men", "woman": "women", "child": "children",
	"sex": "sexes", "move": "moves", "zombie": "zombies", "mouse": "mice",
	"louse": "lice", "goose": "geese", "foot": "feet", "tooth": "teeth",
	"album": "albums", "forum": "forums", "stadium": "stadiums", "museum": "museums",
}

var uncountable = map[string]bool{
	"equipment": true, "information": true, "rice": true, "money": true,
	"species": true, "series": true, "fish": true, "sheep": true, "jeans": true,
	"police": true, "news": true, "metadata": true, "data": true, "media": true,
}

// Pluralize returns the plural of an English word (lower or mixed case). Only
// the last underscore-separated word is inflected: "blog_post" -> "blog_posts".
func Pluralize(word string) string {
	if word == "" {
		return ""
	}
	head, last := "", word
	if i := strings.LastIndexByte(word, '_'); i >= 0 {
		head, last = word[:i+1], word[i+1:]
	}
	lower := strings.ToLower(last)
	if uncountable[lower] {
		return word
	}
	if p, ok := irregular[lower]; ok {
		return head + matchCase(last, p)
	}
	for _, r := range pluralRules {
		if strings.HasSuffix(lower, r.suffix) {
			return head + last[:len(last)-len(r.suffix)] + matchCase(last[len(last)-len(r.suffix):], r.replace)
		}
	}
	return head + last + "s"
}

// matchCase returns repl upper-cased when orig is all upper case.
func matchCase(orig, repl string) string {
	if orig != "" && strings.ToUpper(orig) == orig && strings.ToLower(orig) != orig {
		return strings.ToUpper(repl)
	}
	return repl
}

// Underscore turns a Go identifier into snake_case, keeping acronyms
// together: "UserID" -> "user_id", "HTTPServer" -> "http_server".
func Underscore(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	rs := []rune(s)
	for i, r := range rs {
		if isUpper(r) {
			if i > 0 && rs[i-1] != '_' {
				prevLower := !isUpper(rs[i-1])
				nextLower := i+1 < len(rs) && !isUpper(rs[i+1]) && rs[i+1] != '_'
				if prevLower || nextLower {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isUpper reports whether r is an upper-case letter that has a distinct lower case.
func isUpper(r rune) bool { return unicode.IsUpper(r) && unicode.ToLower(r) != r }

// Tableize is the conventional table name of a type name: Pluralize(Underscore(name)).
func Tableize(typeName string) string { return Pluralize(Underscore(typeName)) }

// Camelize turns snake_case into CamelCase: "user_id" -> "UserID" (the
// common Go initialisms ID, URL, HTTP, UUID, API, JSON, SQL, IP are upper-cased).
func Camelize(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
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

// Humanize turns a column name into words for messages: "user_id" -> "User", "first_name" -> "First name".
func Humanize(column string) string {
	s := strings.TrimSuffix(column, "_id")
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
