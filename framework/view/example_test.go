package view_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/gorails/gorails/framework/view"
)

type routes struct{}

func (routes) Path(name string, args ...any) (string, error) {
	switch name {
	case "posts":
		return "/posts", nil
	case "post":
		return fmt.Sprintf("/posts/%v", args[0]), nil
	}
	return "", fmt.Errorf("no route %q", name)
}

type Post struct {
	ID    int
	Title string
}

func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range m {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// A layout with a named block, a view that fills it and renders a
// collection partial, and request-scoped helpers: flash, CSRF token, routes.
func Example() {
	views := files(map[string]string{
		"layouts/application.html.tmpl": `<title>{{block "title" .}}Blog{{end}}</title>{{csrf_meta_tags .}}
{{with .Flash.notice}}<p>{{.}}</p>{{end}}
{{template "content" .}}`,
		"posts/index.html.tmpl": `{{define "title"}}{{pluralize (len .Data) "post"}}{{end}}<ul>
{{render_collection . "post" .Data}}</ul>`,
		"posts/_post.html.tmpl": `{{with .Locals.post}}<li id="{{dom_id .}}">{{link_to .Title (path $ "post" .ID)}} {{button_to $ "Delete" (path $ "post" .ID) "method" "delete"}}</li>{{end}}
`,
	})
	set, err := view.New(view.Config{FS: views})
	if err != nil {
		panic(err)
	}
	defer set.Close()
	err = set.Render(os.Stdout, view.Options{
		Controller: "posts",
		Template:   "index",
		Data:       []Post{{1, "Hello <world>"}, {2, "Second"}},
		Helpers: view.Helpers{
			CSRFToken: func() string { return "tok" },
			URLs:      routes{},
			Flash:     map[string]string{"notice": "Welcome & enjoy"},
		},
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// <title>2 posts</title><meta name="csrf-param" content="authenticity_token">
	// <meta name="csrf-token" content="tok">
	// <p>Welcome &amp; enjoy</p>
	// <ul>
	// <li id="post_1"><a href="/posts/1">Hello &lt;world&gt;</a> <form class="button_to" method="post" action="/posts/1"><input type="hidden" name="_method" value="delete" autocomplete="off"><button type="submit">Delete</button><input type="hidden" name="authenticity_token" value="tok" autocomplete="off"></form></li>
	// <li id="post_2"><a href="/posts/2">Second</a> <form class="button_to" method="post" action="/posts/2"><input type="hidden" name="_method" value="delete" autocomplete="off"><button type="submit">Delete</button><input type="hidden" name="authenticity_token" value="tok" autocomplete="off"></form></li>
	// </ul>
}

// form_with builds a form for a model: labels, values, the method and the
// CSRF token.
func Example_formWith() {
	views := files(map[string]string{
		"posts/edit.html.tmpl": `{{with form_with $ .Data}}{{.Begin}}
{{.Label "title"}} {{.TextField "title"}}
{{.Submit}}
{{.End}}{{end}}`,
	})
	set, _ := view.New(view.Config{FS: views})
	_ = set.Render(os.Stdout, view.Options{
		Controller: "posts", Template: "edit", Data: &Post{ID: 4, Title: `"Quoted"`},
		Helpers: view.Helpers{CSRFToken: func() string { return "tok" }, URLs: routes{}},
	})
	// Output:
	// <form action="/posts/4" accept-charset="UTF-8" method="post" id="edit_post_4"><input type="hidden" name="_method" value="patch" autocomplete="off"><input type="hidden" name="authenticity_token" value="tok" autocomplete="off">
	// <label for="post_title">Title</label> <input type="text" name="post[title]" id="post_title" value="&#34;Quoted&#34;">
	// <input type="submit" name="commit" value="Update Post" data-disable-with="Update Post">
	// </form>
}

// Check compiles every template and reports each problem as file:line.
func ExampleSet_Check() {
	views := files(map[string]string{
		"posts/index.html.tmpl": "<h1>Posts</h1>\n{{range .Data}}\n",
		"posts/show.html.tmpl":  "\n{{render . \"missing\"}}",
	})
	set, _ := view.New(view.Config{FS: views})
	fmt.Println(set.Check())
	// Output:
	// posts/index.html.tmpl:3: unexpected EOF
	// posts/show.html.tmpl:2: partial "missing" not found (searched posts/_missing.html.tmpl, posts/_missing.tmpl, application/_missing.html.tmpl, application/_missing.tmpl)
}
