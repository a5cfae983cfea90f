// Package inflect is a small English inflector for the view helpers:
// plurals and singulars (Rails' default rules), underscore and humanize.
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
		`(buffal|tomat)o$`, `${1}oes`,
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
		{"person", "people"}, {"man", "men"}, {"child", "children"},
		{"sex", "sexes"}, {"move", "moves"}, {"zombie", "zombies"},
	}
	uncountables = map[string]bool{
		"equipment": true, "information": true, "rice": true, "money": true,
		"species": true, "series": true, "fish": true, "sheep": true,
		"jeans": true, "police": true,
	}
)

// Plural returns the plural of an English word: "post" -> "posts",
// "person" -> "people", "category" -> "categories". Only the last word of a
// snake_case or spaced phrase changes ("blog_post" -> "blog_posts").
func Plural(word string) string { return inflect(word, pluralRules, 0) }

// Singular returns the singular of an English word: "posts" -> "post",
// "people" -> "person".
func Singular(word string) string { return inflect(word, singularRules, 1) }

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

func matchCase(model, s string) string {
	if model != "" && unicode.IsUpper(rune(model[0])) {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// Underscore turns a Go or Ruby style identifier into snake_case:
// "BlogPost" -> "blog_post", "AuthorID" -> "author_id", "HTMLPage" ->
// "html_page".
func Underscore(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
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
