package cache_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

// Each benchmark runs its raw baseline in the same run: compare the ns/op
// of sibling sub-benchmarks.

// benchPost is what an app caches: a record with a body of some length.
type benchPost struct {
	ID        int64
	Title     string
	Body      string
	Tags      []string
	CreatedAt time.Time
}

func samplePost() benchPost {
	return benchPost{ID: 42, Title: "Caching in gorails", Body: strings.Repeat("Lorem ipsum dolor sit amet. ", 18),
		Tags: []string{"go", "rails", "cache"}, CreatedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

// fragment is a rendered partial of about 2 KiB: a list of posts.
var fragment = renderList(0, 16)

func renderList(from, n int) string {
	var b strings.Builder
	b.WriteString("<ul class=\"posts\">\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "  <li id=\"post_%d\"><a href=\"/posts/%d\">Post number %d about caching</a> <time datetime=\"2024-05-%02dT12:00:00Z\">May %d</time></li>\n",
			i, i, i*7919%1000, i%28+1, i%28+1)
	}
	b.WriteString("</ul>\n")
	return b.String()
}

type mutexMap[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

func (m *mutexMap[T]) get(k string) (T, bool) {
	m.mu.Lock()
	v, ok := m.m[k]
	m.mu.Unlock()
	return v, ok
}

type rwMap[T any] struct {
	mu sync.RWMutex
	m  map[string]T
}

func (m *rwMap[T]) get(k string) (T, bool) {
	m.mu.RLock()
	v, ok := m.m[k]
	m.mu.RUnlock()
	return v, ok
}

func BenchmarkMemoryHit(b *testing.B) {
	val := []byte(fragment)
	b.Run("baseline=map+mutex", func(b *testing.B) {
		m := &mutexMap[[]byte]{m: map[string][]byte{"posts/42": val}}
		for b.Loop() {
			if _, ok := m.get("posts/42"); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("Memory.Get", func(b *testing.B) {
		st := cache.NewMemory(cache.MemoryConfig{})
		_ = st.Set(ctx, "posts/42", val, time.Now().Add(time.Hour))
		for b.Loop() {
			if _, ok, _ := st.Get(ctx, "posts/42"); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("Memory.Get-no-expiry", func(b *testing.B) {
		st := cache.NewMemory(cache.MemoryConfig{})
		_ = st.Set(ctx, "posts/42", val, time.Time{})
		for b.Loop() {
			if _, ok, _ := st.Get(ctx, "posts/42"); !ok {
				b.Fatal("miss")
			}
		}
	})
	// What an expiring entry adds: one read of the clock.
	b.Run("clock=time.Now", func(b *testing.B) {
		for b.Loop() {
			_ = time.Now()
		}
	})
	b.Run("baseline=map+mutex-string", func(b *testing.B) {
		m := &mutexMap[string]{m: map[string]string{"posts/42": fragment}}
		for b.Loop() {
			if _, ok := m.get("posts/42"); !ok {
				b.Fatal("miss")
			}
		}
	})
	for name, opts := range map[string]cache.Options{"Read[string]": {ExpiresIn: time.Hour}, "Read[string]-no-expiry": {}} {
		b.Run(name, func(b *testing.B) {
			c, _ := cache.New(cache.Config{})
			_ = cache.Write(ctx, c, "posts/42", fragment, opts)
			for b.Loop() {
				if _, ok, _ := cache.Read[string](ctx, c, "posts/42", cache.Options{}); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

func BenchmarkMemoryHitParallel(b *testing.B) {
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprintf("posts/%d", i)
	}
	b.Run("baseline=map+rwmutex", func(b *testing.B) {
		m := &rwMap[[]byte]{m: map[string][]byte{}}
		for _, k := range keys {
			m.m[k] = []byte(fragment)
		}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				m.get(keys[i%len(keys)])
				i++
			}
		})
	})
	b.Run("Memory.Get", func(b *testing.B) {
		st := cache.NewMemory(cache.MemoryConfig{})
		for _, k := range keys {
			_ = st.Set(ctx, k, []byte(fragment), time.Time{})
		}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_, _, _ = st.Get(ctx, keys[i%len(keys)])
				i++
			}
		})
	})
}

func BenchmarkFetchHit(b *testing.B) {
	p := samplePost()
	b.Run("memory/baseline=map+mutex", func(b *testing.B) {
		m := &mutexMap[benchPost]{m: map[string]benchPost{"posts/42": p}}
		for b.Loop() {
			if _, ok := m.get("posts/42"); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("memory/baseline=map+mutex+json", func(b *testing.B) {
		enc, _ := json.Marshal(p)
		m := &mutexMap[[]byte]{m: map[string][]byte{"posts/42": enc}}
		for b.Loop() {
			raw, _ := m.get("posts/42")
			var v benchPost
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("memory/Fetch[struct]", func(b *testing.B) {
		c, _ := cache.New(cache.Config{})
		benchFetch(b, c, "posts/42", p)
	})
	b.Run("memory/Fetch[string]", func(b *testing.B) {
		c, _ := cache.New(cache.Config{})
		benchFetch(b, c, "fragment", fragment)
	})
	b.Run("redis/baseline=GET+json", func(b *testing.B) {
		rdb := openRedis(b)
		prefix := testPrefix(b, rdb)
		enc, _ := json.Marshal(p)
		rdb.Set(ctx, prefix+":posts/42", enc, time.Hour)
		for b.Loop() {
			raw, err := rdb.Get(ctx, prefix+":posts/42").Bytes()
			var v benchPost
			if err != nil || json.Unmarshal(raw, &v) != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("redis/Fetch[struct]", func(b *testing.B) {
		c, _ := cache.New(cache.Config{Store: newRedisStore(b, openRedis(b))})
		benchFetch(b, c, "posts/42", p)
	})
}

func benchFetch[T any](b *testing.B, c *cache.Cache, key string, v T) {
	opts := cache.Options{ExpiresIn: time.Hour, Version: "20240501120000000000"}
	if _, err := cache.Fetch(ctx, c, key, opts, value(v)); err != nil {
		b.Fatal(err)
	}
	miss := func() (T, error) { b.Fatal("miss"); return v, nil }
	for b.Loop() {
		if _, err := cache.Fetch(ctx, c, key, opts, miss); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedisHit reads a 2 KiB fragment: the baseline GETs the very key
// and bytes the store reads. By default the Cache compresses it for Redis
// (to about a fifth), so a Read also inflates it; "uncompressed" turns
// that off.
func BenchmarkRedisHit(b *testing.B) {
	rdb := openRedis(b)
	prefix := testPrefix(b, rdb)
	st, _ := cache.NewRedis(rdb, cache.RedisConfig{Prefix: prefix})
	for _, variant := range []struct {
		name      string
		threshold int
	}{{"compressed", 0}, {"uncompressed", -1}} {
		c, _ := cache.New(cache.Config{Store: st, CompressThreshold: variant.threshold})
		key := "fragment-" + variant.name
		_ = cache.Write(ctx, c, key, fragment, cache.Options{ExpiresIn: time.Hour})
		b.Run(variant.name+"/baseline=GET", func(b *testing.B) {
			for b.Loop() {
				if _, err := rdb.Get(ctx, prefix+":"+key).Result(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(variant.name+"/Redis.Get", func(b *testing.B) {
			for b.Loop() {
				if _, ok, err := st.Get(ctx, key); !ok || err != nil {
					b.Fatal("miss", err)
				}
			}
		})
		b.Run(variant.name+"/Read[string]", func(b *testing.B) {
			for b.Loop() {
				if _, ok, err := cache.Read[string](ctx, c, key, cache.Options{}); !ok || err != nil {
					b.Fatal("miss", err)
				}
			}
		})
	}
}

// BenchmarkReadMulti20 reads 20 entries of 200 bytes, versioned: the
// baseline MGETs the same keys.
func BenchmarkReadMulti20(b *testing.B) {
	rdb := openRedis(b)
	prefix := testPrefix(b, rdb)
	st, _ := cache.NewRedis(rdb, cache.RedisConfig{Prefix: prefix})
	c, _ := cache.New(cache.Config{Store: st})
	keys := make([]cache.Key, 20)
	raw := make([]string, 20)
	for i := range keys {
		keys[i] = cache.Key{Name: fmt.Sprintf("posts/%d", i), Version: "20240501120000000000"}
		raw[i] = prefix + ":" + keys[i].Name
		_ = cache.Write(ctx, c, keys[i].Name, renderList(i, 1), cache.Options{Version: keys[i].Version})
	}
	b.Run("baseline=MGET", func(b *testing.B) {
		for b.Loop() {
			vals, err := rdb.MGet(ctx, raw...).Result()
			if err != nil || len(vals) != 20 {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadMulti", func(b *testing.B) {
		for b.Loop() {
			hits, err := cache.ReadMulti[string](ctx, c, keys)
			if err != nil || len(hits) != 20 {
				b.Fatal(len(hits), err)
			}
		}
	})
	b.Run("memory/ReadMulti", func(b *testing.B) {
		mc, _ := cache.New(cache.Config{})
		for i, k := range keys {
			_ = cache.Write(ctx, mc, k.Name, renderList(i, 1), cache.Options{Version: k.Version})
		}
		for b.Loop() {
			if hits, _ := cache.ReadMulti[string](ctx, mc, keys); len(hits) != 20 {
				b.Fatal(len(hits))
			}
		}
	})
}

// BenchmarkCoders compares the two shipped coders on one post and on a
// page of 20: encode then decode, as a miss then a hit does.
func BenchmarkCoders(b *testing.B) {
	one := samplePost()
	page := make([]benchPost, 20)
	for i := range page {
		page[i] = samplePost()
	}
	for _, coder := range []cache.Coder{cache.JSONCoder{}, cache.GobCoder{}} {
		for name, v := range map[string]any{"post": one, "page20": page} {
			b.Run(coder.Name()+"/"+name, func(b *testing.B) {
				var size int
				for b.Loop() {
					enc, err := coder.Marshal(v)
					if err != nil {
						b.Fatal(err)
					}
					size = len(enc)
					if name == "post" {
						var out benchPost
						err = coder.Unmarshal(enc, &out)
					} else {
						var out []benchPost
						err = coder.Unmarshal(enc, &out)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(size), "bytes")
			})
		}
	}
}

// BenchmarkCompression compares DEFLATE levels and gzip on an 8 KiB
// page fragment: compress then decompress with reused writers and readers
// (as the Cache does), reporting the compressed size.
func BenchmarkCompression(b *testing.B) {
	page := []byte(renderList(0, 64))
	b.Logf("page: %d bytes", len(page))
	type codec struct {
		name   string
		writer io.WriteCloser
		reset  func(w io.Writer)
		read   func(r io.Reader) io.Reader
	}
	flateAt := func(level int) codec {
		w, _ := flate.NewWriter(io.Discard, level)
		fr := flate.NewReader(bytes.NewReader(nil))
		return codec{writer: w, reset: w.Reset, read: func(r io.Reader) io.Reader {
			_ = fr.(flate.Resetter).Reset(r, nil)
			return fr
		}}
	}
	bestSpeed, def := flateAt(flate.BestSpeed), flateAt(flate.DefaultCompression)
	bestSpeed.name, def.name = "flate-bestspeed", "flate-default"
	gw := gzip.NewWriter(io.Discard)
	gr := new(gzip.Reader)
	gz := codec{name: "gzip-default", writer: gw, reset: gw.Reset, read: func(r io.Reader) io.Reader {
		_ = gr.Reset(r)
		return gr
	}}
	for _, cd := range []codec{bestSpeed, def, gz} {
		b.Run(cd.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				cd.reset(&buf)
				_, _ = cd.writer.Write(page)
				_ = cd.writer.Close()
				if n, _ := io.Copy(io.Discard, cd.read(bytes.NewReader(buf.Bytes()))); n != int64(len(page)) {
					b.Fatal("short")
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
	b.Run("cache-write+read", func(b *testing.B) {
		c, _ := cache.New(cache.Config{CompressThreshold: 1024})
		for b.Loop() {
			_ = cache.Write(ctx, c, "page", page, cache.Options{})
			if _, ok, _ := cache.Read[[]byte](ctx, c, "page", cache.Options{}); !ok {
				b.Fatal("miss")
			}
		}
	})
}
