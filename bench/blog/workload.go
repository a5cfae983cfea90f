package blog

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Endpoint is one of the benchmarked requests.
type Endpoint struct {
	Name string // short name for tables: hello, posts, json
	Path string
}

// Endpoints are the three requests every server answers.
var Endpoints = []Endpoint{
	{Name: "hello", Path: "/hello"},
	{Name: "posts", Path: "/posts"},
	{Name: "json", Path: "/posts/500.json"},
}

// Post is a seeded row of the posts table.
type Post struct {
	ID        int64
	Title     string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SeedCount is the number of posts the benchmark seeds.
const SeedCount = 1000

// words make up titles and bodies: HTML's special characters (<, >, &, ')
// and multi-byte characters are in them, so that escaping and truncation by
// characters (not bytes) are exercised by every page.
var words = strings.Fields(`the quick brown fox jumps over a lazy dog <b>bold</b> fish & chips
it's don't a<b b>a "quoted" café naïve façade — résumé 日本語 x&y <script>alert('x')</script>
lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor`)

// Posts returns n posts with ids 1..n, the same on every call: titles and
// bodies built from words, bodies 40 to 600 characters long, created_at
// increasing with the id except that every tenth post shares the previous
// one's (so the index's "id DESC" tie-break decides their order), with
// microseconds, in UTC. The newest three bodies are 100, 101 and 97
// characters long, the edges of truncation at 100.
func Posts(n int) []Post {
	rng := rand.New(rand.NewPCG(22, 1000))
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	posts := make([]Post, n)
	created := base
	for i := range posts {
		id := int64(i + 1)
		if id%10 != 0 {
			created = base.Add(time.Duration(id)*37*time.Minute + time.Duration(rng.IntN(1_000_000))*time.Microsecond)
		}
		length := 40 + rng.IntN(560)
		switch int64(n) - id {
		case 0:
			length = 100
		case 1:
			length = 101
		case 2:
			length = 97
		}
		posts[i] = Post{
			ID:        id,
			Title:     text(rng, 15+rng.IntN(40)) + " #" + strconv.FormatInt(id, 10),
			Body:      cut(text(rng, length), length),
			CreatedAt: created,
			UpdatedAt: created.Add(time.Duration(rng.IntN(86_400_000_000)) * time.Microsecond),
		}
	}
	return posts
}

// text joins words picked by rng until it has at least min characters.
func text(rng *rand.Rand, min int) string {
	var b strings.Builder
	for count := 0; count < min; {
		if b.Len() > 0 {
			b.WriteByte(' ')
			count++
		}
		w := words[rng.IntN(len(words))]
		b.WriteString(w)
		count += len([]rune(w))
	}
	return b.String()
}

// cut cuts s to n characters.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
