package railsjson_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/railsjson"
)

type benchPost struct {
	Model
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	PublishedAt *time.Time `json:"published_at"`
}

func benchPosts() []benchPost {
	at := time.Date(2026, 12, 5, 10, 31, 2, 123456789, time.UTC)
	posts := make([]benchPost, 20)
	for i := range posts {
		posts[i] = benchPost{Model: Model{ID: int64(i + 1), CreatedAt: at, UpdatedAt: at}, Title: "A title", Body: "Some body text of the post", PublishedAt: &at}
	}
	return posts
}

// BenchmarkMarshal20Posts: render json of an index (20 records with three
// times each) against encoding/json on the same value, the raw baseline.
func BenchmarkMarshal20Posts(b *testing.B) {
	posts := benchPosts()
	b.Run("railsjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := railsjson.Marshal(posts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(posts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMarshalWithoutTimes: a value without times goes straight to
// encoding/json after one cached lookup.
func BenchmarkMarshalWithoutTimes(b *testing.B) {
	v := map[string][]string{"title": {"can't be blank"}}
	b.Run("railsjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = railsjson.Marshal(v)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(v)
		}
	})
}
