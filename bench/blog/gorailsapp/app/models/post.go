package models

import (
	"time"

	"github.com/gorails/gorails/framework/record"
)

// Post is a row of the posts table.
type Post struct {
	record.Model
	Title string
	Body  string
}

// PostJSON is a post as Rails renders it with `render json: @post`:
// snake_case keys in column order, times in ISO 8601 with milliseconds.
type PostJSON struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// AsJSON returns the post in Rails' JSON shape.
func (p *Post) AsJSON() PostJSON {
	return PostJSON{ID: p.ID, Title: p.Title, Body: p.Body, CreatedAt: jsonTime(p.CreatedAt), UpdatedAt: jsonTime(p.UpdatedAt)}
}

// jsonTime formats t as ActiveSupport does: UTC, milliseconds, "Z".
func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
