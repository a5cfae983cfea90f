package controller

import (
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

// FuzzPermit feeds strong params whatever Rack-style query parses to: Permit
// and the typed getters must never panic, and Permit must never let a key
// through that its filters do not name.
func FuzzPermit(f *testing.F) {
	for _, s := range []string{
		"post[title]=a&post[tags][]=x&post[author][name]=n",
		"post[comments][0][body]=a&post[comments][1][votes][]=1",
		"post[comments][][body]=a&post[comments][]=b",
		"post[settings][a][b][c]=1&post[settings][l][]=x",
		"post=1", "post[title][x]=1", "n=12", "n[]=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		values, err := dispatch.ParseQuery(query)
		if err != nil {
			return
		}
		root := &Params{values: values}
		for _, key := range []string{"n", "post"} {
			_, _ = root.Int(key)
			_, _ = root.Bool(key)
			_, _ = root.Float(key)
			_, _ = root.Time(key, nil)
			_, _ = root.String(key)
			_, _ = root.Strings(key)
		}
		p, err := root.Require("post").Permit("title", List("tags"), Nested("author", "name"),
			Nested("comments", "body", List("votes")), Nested("settings"))
		if err != nil {
			return
		}
		for k := range p.Raw() {
			switch k {
			case "title", "tags", "author", "comments", "settings":
			default:
				t.Fatalf("Permit let %q through", k)
			}
		}
		if a, ok := p.Raw()["author"].(dispatch.Params); ok {
			for k := range a {
				if k != "name" {
					t.Fatalf("Permit let author[%s] through", k)
				}
			}
		}
	})
}
