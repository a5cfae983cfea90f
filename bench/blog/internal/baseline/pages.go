package baseline

import (
	"encoding/json"
	"html/template"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// PageSize is the number of posts the index lists.
const PageSize = 20

// Hello is the body of GET /hello.
const Hello = "Hello, World!"

// Content types of the three answers.
const (
	TextType = "text/plain; charset=utf-8"
	HTMLType = "text/html; charset=utf-8"
	JSONType = "application/json; charset=utf-8"
)

// Templates holds the index page, named "index", inside the layout.
// Parsing happens once; executing is safe for concurrent use.
var Templates = template.Must(template.New("layout").Funcs(template.FuncMap{
	"truncate": Truncate,
	"postPath": postPath,
}).Parse(layout))

const layout = `{{define "index"}}<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="generator" content="gorails">
  <title>Posts | Blog</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 0; color: #27272a; background: #fafafa; }
    main { max-width: 48rem; margin: 0 auto; padding: 2rem 1rem; }
    .notice { background: #ecfdf5; color: #065f46; padding: .75rem 1rem; border-radius: .375rem; }
    .alert { background: #fef2f2; color: #991b1b; padding: .75rem 1rem; border-radius: .375rem; }
  </style>
</head>
<body>
  <nav><a href="/">Blog</a> <a href="/posts">Posts</a> <a href="/hello">Hello</a></nav>
  <main>
    
    
    
<h1>Posts</h1>
<ul>
{{- range .}}
  <li><a href="{{postPath .ID}}">{{.Title}}</a>: {{truncate .Body 100}}</li>
{{- end}}
</ul>

  </main>
</body>
</html>
{{end}}`

// Truncate cuts s to at most n characters, "..." included, as Rails'
// truncate(s, length: n) does.
func Truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for range max(n-3, 0) {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return s[:cut] + "..."
}

// PostJSON is a post in Rails' JSON shape: snake_case keys in column
// order, times in ISO 8601 with milliseconds.
type PostJSON struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// WriteJSON writes p as JSON, without a trailing newline (as Rails and
// gorails send it).
func WriteJSON(w io.Writer, p Post) error {
	b, err := json.Marshal(PostJSON{ID: p.ID, Title: p.Title, Body: p.Body,
		CreatedAt: jsonTime(p.CreatedAt), UpdatedAt: jsonTime(p.UpdatedAt)})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// postPath is the path of the post with the id.
func postPath(id int64) string { return "/posts/" + strconv.FormatInt(id, 10) }
