package framework

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/dbstore"
	"github.com/gorails/gorails/framework/security"
	"github.com/gorails/gorails/framework/view"
)

// The cache stores CacheConfig.Store and GORAILS_CACHE_STORE name.
const (
	CacheStoreMemory   = "memory"
	CacheStoreDatabase = "database"
	CacheStoreRedis    = "redis"
	CacheStoreNull     = "null"
)

// DevCachingFile is the file whose presence turns caching of views and
// responses on in development; `gorails dev:cache` creates and removes it
// (Rails' tmp/caching-dev.txt).
const DevCachingFile = "tmp/caching-dev.txt"

// ErrCacheStore is returned at boot for an unknown or unusable cache store.
var ErrCacheStore = errors.New("cache store")

// CacheConfig configures App.Cache. The zero value gives Rails 8's
// defaults for the environment.
type CacheConfig struct {
	// Store is where App.Cache keeps entries: "memory" (this process, an
	// LRU of MemoryMaxBytes; development's default), "database" (the
	// app's own database, shared by every worker and machine: Solid Cache,
	// production's default; needs the gorails_cache_entries migration a new
	// app lists), "redis" (REDIS_URL) or "null" (keeps nothing; test's
	// default). GORAILS_CACHE_STORE overrides it.
	Store string
	// Namespace is put before every key, so that several apps can share a
	// store ("" for none).
	Namespace string
	// ExpiresIn is the default lifetime of entries (0: none).
	ExpiresIn time.Duration
	// MemoryMaxBytes bounds the memory store (0: 32 MiB).
	MemoryMaxBytes int64
	// Database configures the database store (size and age bounds).
	Database dbstore.Config
	// PerformCaching turns fragment caching in views (render_cached) on or
	// off; nil is Rails' default: on in production, off in test, and in
	// development on only while tmp/caching-dev.txt exists (`gorails
	// dev:cache` toggles it, no restart needed). App.Cache works either way.
	PerformCaching *bool
}

// cacheStoreName chooses the store: GORAILS_CACHE_STORE, else
// Config.Cache.Store, else the environment's default.
func (a *App) cacheStoreName() string {
	if v := strings.TrimSpace(a.Config.Getenv("GORAILS_CACHE_STORE")); v != "" {
		return strings.ToLower(v)
	}
	if s := a.Config.Cache.Store; s != "" {
		return strings.ToLower(s)
	}
	switch {
	case a.Env().IsTest():
		return CacheStoreNull
	case a.Env().IsProduction() && a.DB != nil:
		return CacheStoreDatabase
	default:
		return CacheStoreMemory
	}
}

// initCache builds App.Cache on the configured store.
func initCache(ctx context.Context, a *App) error {
	name := a.cacheStoreName()
	a.cacheStore = name
	cfg := cache.Config{Namespace: a.Config.Cache.Namespace, ExpiresIn: a.Config.Cache.ExpiresIn, Events: a.Events}
	logger := a.Logger.With("component", "cache")
	cfg.OnError = func(ctx context.Context, err *cache.Error) {
		logger.ErrorContext(ctx, "cache: store failed; treated as a miss", "op", err.Op, "key", err.Key, "error", err.Err.Error())
	}
	switch name {
	case CacheStoreMemory:
		cfg.Store = cache.NewMemory(cache.MemoryConfig{MaxBytes: a.Config.Cache.MemoryMaxBytes})
	case CacheStoreNull:
		cfg.Store = cache.Null{}
	case CacheStoreDatabase:
		if a.DB == nil {
			return fmt.Errorf("%w %q: the app has no database (config/database.yml); choose %s, %s or %s with GORAILS_CACHE_STORE",
				ErrCacheStore, name, CacheStoreMemory, CacheStoreRedis, CacheStoreNull)
		}
		dbc := a.Config.Cache.Database
		if dbc.OnTrimError == nil {
			dbc.OnTrimError = func(err error) { logger.Error("cache: trim failed", "error", err.Error()) }
		}
		st := dbstore.New(a.DB, dbc)
		if err := st.Check(ctx); err != nil {
			// Not a boot error: db:migrate boots the app to create it.
			logger.Warn("cache: the database store's table is missing, every read is a miss until db:migrate creates it", "error", err.Error())
		}
		a.OnClose(st.Close)
		cfg.Store = st
	case CacheStoreRedis:
		url := a.Config.Getenv("REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379/0"
		}
		opts, err := redis.ParseURL(url)
		if err != nil {
			// The URL may hold a password: name the variable, not the value.
			return fmt.Errorf("%w %q: REDIS_URL is not a redis:// URL (redis://[user:password@]host:port/db)", ErrCacheStore, name)
		}
		rdb := redis.NewClient(opts)
		if err := rdb.Ping(ctx).Err(); err != nil {
			_ = rdb.Close()
			return fmt.Errorf("%w %q: cannot reach Redis at %s: %w", ErrCacheStore, name, opts.Addr, err)
		}
		a.OnClose(rdb.Close)
		st, err := cache.NewRedis(rdb, cache.RedisConfig{Prefix: a.Config.Name + ":" + string(a.Env()) + ":cache"})
		if err != nil {
			_ = rdb.Close()
			return fmt.Errorf("%w %q: %w", ErrCacheStore, name, err)
		}
		cfg.Store = st
	default:
		return fmt.Errorf("%w %q is unknown: use %s, %s, %s or %s", ErrCacheStore, name,
			CacheStoreMemory, CacheStoreDatabase, CacheStoreRedis, CacheStoreNull)
	}
	c, err := cache.New(cfg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCacheStore, err)
	}
	a.Cache = c
	return nil
}

// CacheStore is the name of the store the "cache" initializer chose
// (memory, database, redis or null); "" before boot.
func (a *App) CacheStore() string { return a.cacheStore }

// PerformCaching reports whether views cache fragments now:
// Config.Cache.PerformCaching, else on in production, off in test, and in
// development while tmp/caching-dev.txt exists (checked on each call, so
// `gorails dev:cache` takes effect at once).
func (a *App) PerformCaching() bool {
	if p := a.Config.Cache.PerformCaching; p != nil {
		return *p
	}
	switch {
	case a.Env().IsProduction():
		return true
	case a.Env().IsDevelopment():
		_, err := os.Stat(a.Path(DevCachingFile))
		return err == nil
	}
	return false
}

// rateStore counts rate limits in the app's cache, so that a limit holds
// across worker processes, restarts and machines when the store is shared
// (database, Redis), as Rails 8's rate_limit does. On the null store (test)
// it counts in process memory instead, so that limits are never silently
// off.
func (a *App) rateStore() security.RateStore {
	if _, null := a.Cache.Store().(cache.Null); null {
		return security.NewMemoryStore()
	}
	return cacheRateStore{a.Cache}
}

// cacheRateStore is a security.RateStore on a cache's counters.
type cacheRateStore struct{ c *cache.Cache }

func (s cacheRateStore) Increment(ctx context.Context, key string, within time.Duration) (int, time.Time, error) {
	n, reset, err := s.c.IncrementWithExpiry(ctx, key, 1, cache.Options{ExpiresIn: within})
	return int(n), reset, err
}

// ClientIP is the request's client address as the app's trusted proxies
// report it (config TrustedProxies; "" when unknown): X-Forwarded-For is
// believed only from a trusted peer. It is what the request log, rate
// limits and the authentication sessions record (Rails' request.remote_ip).
func (a *App) ClientIP(r *http.Request) string {
	return a.guards.proxies.ClientIPString(r)
}

// fragmentCache is the app's cache as the views' fragment store. Failures
// are reported by the cache's OnError (a miss, an unwritten fragment).
type fragmentCache struct{ c *cache.Cache }

func (f fragmentCache) ReadFragments(ctx context.Context, keys []view.Fragment) ([]string, []bool) {
	ks := make([]cache.Key, len(keys))
	for i, k := range keys {
		ks[i] = cache.Key{Name: k.Key, Version: k.Version}
	}
	hits, _ := cache.ReadMulti[string](ctx, f.c, ks)
	html, found := make([]string, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		html[i], found[i] = hits[k.Key]
	}
	return html, found
}

func (f fragmentCache) WriteFragments(ctx context.Context, keys []view.Fragment, html []string) {
	m := make(map[cache.Key]string, len(keys))
	for i, k := range keys {
		m[cache.Key{Name: k.Key, Version: k.Version}] = html[i]
	}
	_ = cache.WriteMulti(ctx, f.c, m, cache.Options{})
}
