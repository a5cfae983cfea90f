package framework_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/dbstore"
)

func TestCacheStoreDefaultsPerEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   framework.Env
		vars  map[string]string
		store string
		want  string // the Store's type
	}{
		{"development keeps a memory store", framework.Development, nil, "", "*cache.Memory"},
		{"test keeps nothing", framework.Test, nil, "", "cache.Null"},
		{"production shares the database", framework.Production, nil, "", "*dbstore.Store"},
		{"the config chooses another", framework.Production, nil, "memory", "*cache.Memory"},
		{"GORAILS_CACHE_STORE overrides the config", framework.Development, map[string]string{"GORAILS_CACHE_STORE": "Database"}, "null", "*dbstore.Store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			app, _ := jobsAppIn(t, root, tt.env, tt.vars, func(c *framework.Config) { c.Cache.Store = tt.store })
			if err := app.Boot(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := typeName(app.Cache.Store()); got != tt.want {
				t.Fatalf("store %s; want %s", got, tt.want)
			}
		})
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *cache.Memory:
		return "*cache.Memory"
	case cache.Null:
		return "cache.Null"
	case *dbstore.Store:
		return "*dbstore.Store"
	case *cache.Redis:
		return "*cache.Redis"
	}
	return "?"
}

func TestABadCacheStoreStopsTheBoot(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"memcached", "redis"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			app, _ := jobsAppIn(t, t.TempDir(), framework.Development,
				map[string]string{"GORAILS_CACHE_STORE": name, "REDIS_URL": "redis://user:hunter2@127.0.0.1:1/0"}, nil)
			err := app.Boot(context.Background())
			if !errors.Is(err, framework.ErrCacheStore) {
				t.Fatalf("boot = %v; want ErrCacheStore", err)
			}
			if s := err.Error(); strings.Contains(s, "hunter2") {
				t.Fatalf("the error shows the password: %s", s)
			}
		})
	}
}

func TestDevCacheTogglesFragmentCachingInDevelopment(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	app, _ := jobsAppIn(t, root, framework.Development, nil, nil)
	if app.PerformCaching() {
		t.Fatal("development caches fragments without tmp/caching-dev.txt")
	}
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, framework.DevCachingFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if !app.PerformCaching() {
		t.Fatal("development does not cache fragments with tmp/caching-dev.txt")
	}
	prod, _ := jobsAppIn(t, t.TempDir(), framework.Production, nil, nil)
	test, _ := jobsAppIn(t, t.TempDir(), framework.Test, nil, nil)
	if !prod.PerformCaching() || test.PerformCaching() {
		t.Fatalf("production caches: %v, test caches: %v; want true, false", prod.PerformCaching(), test.PerformCaching())
	}
}
