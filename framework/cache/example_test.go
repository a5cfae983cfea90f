package cache_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

func ExampleFetch() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{}) // a Memory store
	type Stats struct{ Posts, Comments int }
	compute := func() (Stats, error) {
		fmt.Println("computing")
		return Stats{Posts: 3, Comments: 12}, nil
	}
	for range 2 {
		s, err := cache.Fetch(ctx, c, "stats", cache.Options{ExpiresIn: time.Hour}, compute)
		fmt.Println(s, err)
	}
	// Output:
	// computing
	// {3 12} <nil>
	// {3 12} <nil>
}

// A record keys its entry by table and id and versions it by updated_at:
// after an update the old entry is a miss, replaced under the same key.
func ExampleRecordKey() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{})
	p := article{ID: 42, UpdatedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	render := func() (string, error) { return "<h1>Post " + p.CacheID() + "</h1>", nil }
	html, _ := cache.Fetch(ctx, c, cache.RecordKey(p), cache.Options{Version: cache.RecordVersion(p)}, render)
	fmt.Println(cache.RecordKey(p), cache.RecordVersion(p), html)

	p.UpdatedAt = p.UpdatedAt.Add(time.Minute)
	_, hit, _ := cache.Read[string](ctx, c, cache.RecordKey(p), cache.Options{Version: cache.RecordVersion(p)})
	fmt.Println("hit after the update:", hit)
	// Output:
	// articles/42 20240501120000000000 <h1>Post 42</h1>
	// hit after the update: false
}

func ExampleFetchMulti() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{})
	_ = cache.Write(ctx, c, "user/1", "Ada", cache.Options{})
	names, _ := cache.FetchMulti(ctx, c, cache.Keys("user/1", "user/2", "user/3"), cache.Options{},
		func(missing []cache.Key) ([]string, error) {
			fmt.Println("loading", len(missing), "users in one query")
			return []string{"Grace", "Linus"}, nil
		})
	fmt.Println(names)
	// Output:
	// loading 2 users in one query
	// [Ada Grace Linus]
}

func ExampleCache_Increment() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{})
	for range 3 {
		n, _ := c.Increment(ctx, "signups:"+time.Now().Format("2006-01-02"), 1, cache.Options{ExpiresIn: 48 * time.Hour})
		fmt.Println(n)
	}
	// Output:
	// 1
	// 2
	// 3
}

func ExampleCache_WithNamespace() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{Namespace: "blog"})
	admin := c.WithNamespace("admin")
	_ = cache.Write(ctx, c, "menu", "public menu", cache.Options{})
	_ = cache.Write(ctx, admin, "menu", "admin menu", cache.Options{})
	_ = admin.Clear(ctx)
	pub, _, _ := cache.Read[string](ctx, c, "menu", cache.Options{})
	_, hit, _ := cache.Read[string](ctx, admin, "menu", cache.Options{})
	fmt.Printf("%q %v\n", pub, hit)
	// Output:
	// "public menu" false
}

// A store that fails is a miss: the value is computed, and the failure
// goes to OnError.
func ExampleConfig_onError() {
	ctx := context.Background()
	c, _ := cache.New(cache.Config{
		Store: downStore{},
		OnError: func(_ context.Context, err *cache.Error) {
			fmt.Println("reported:", err.Op, errors.Is(err, errDown))
		},
	})
	v, err := cache.Fetch(ctx, c, "k", cache.Options{}, func() (int, error) { return strconv.Atoi("7") })
	fmt.Println(v, err)
	// Output:
	// reported: read true
	// reported: write true
	// 7 <nil>
}
