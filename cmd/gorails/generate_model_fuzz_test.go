package main

import (
	"go/token"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseColumnArgs feeds `generate model` column arguments: parsing never
// panics, and what it accepts is safe to write into Go and SQL: a
// snake_case column of a known type, given once, and an exported Go
// identifier.
func FuzzParseColumnArgs(f *testing.F) {
	for _, s := range []string{"title:string", "user:references:index", "email:string:uniq", "price:decimal", "a", "x:json:index:uniq",
		"Title", "title:", ":string", "title:string:bogus", "id", "a__b", "a_:int", "drop table;", "naïve:string", "user:belongs_to",
		"title", "author:references", "a:b:c", "x:uniq:index", "published:boolean:index", ":", "é:string", "x:decimal:uniq"} {
		f.Add(s, "body:text")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		cols, err := parseColumnArgs([]string{a, b})
		if err != nil {
			return
		}
		var names []string
		for _, c := range cols {
			if !utf8.ValidString(c.Name) {
				t.Fatalf("accepted column name %q", c.Name)
			}
			if _, ok := fieldTypes[c.Type]; !ok {
				t.Fatalf("accepted type %q", c.Type)
			}
			if slices.Contains(names, c.Name) {
				t.Fatalf("accepted %q twice", c.Name)
			}
			names = append(names, c.Name)
			if !fieldNameRE.MatchString(c.Name) || strings.ContainsAny(c.Name, "\"'`;- ") {
				t.Fatalf("accepted column %q from %q %q", c.Name, a, b)
			}
			if !token.IsIdentifier(c.GoName) || !token.IsExported(c.GoName) {
				t.Fatalf("column %q gives Go field %q, not an exported identifier", c.Name, c.GoName)
			}
			if c.GoType == "" {
				t.Fatalf("column %q has no Go type", c.Name)
			}
		}
	})
}
