package cache_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

// article stands for a model: record.Model will satisfy cache.Record.
type article struct {
	ID        int64
	UpdatedAt time.Time
}

func (a article) CacheTable() string { return "articles" }
func (a article) CacheID() string {
	if a.ID == 0 {
		return ""
	}
	return strconv.FormatInt(a.ID, 10)
}
func (a article) CacheUpdatedAt() time.Time { return a.UpdatedAt }

func TestRecordKeysFollowRails(t *testing.T) {
	paris := time.FixedZone("Paris", 3600)
	tests := []struct {
		name                  string
		rec                   article
		key, version, withVer string
	}{
		{"a saved record", article{ID: 42, UpdatedAt: time.Date(2024, 1, 2, 15, 4, 5, 123456789, time.UTC)},
			"articles/42", "20240102150405123456", "articles/42-20240102150405123456"},
		{"a time zone is turned into UTC", article{ID: 7, UpdatedAt: time.Date(2024, 1, 2, 0, 30, 0, 0, paris)},
			"articles/7", "20240101233000000000", "articles/7-20240101233000000000"},
		{"a record not saved yet", article{}, "articles/new", "", "articles/new"},
		{"a table without updated_at", article{ID: 3}, "articles/3", "", "articles/3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cache.RecordKey(tt.rec); got != tt.key {
				t.Errorf("RecordKey = %q; want %q", got, tt.key)
			}
			if got := cache.RecordVersion(tt.rec); got != tt.version {
				t.Errorf("RecordVersion = %q; want %q", got, tt.version)
			}
			if got := cache.RecordKeyWithVersion(tt.rec); got != tt.withVer {
				t.Errorf("RecordKeyWithVersion = %q; want %q", got, tt.withVer)
			}
			if got := cache.KeyOf(tt.rec); got != (cache.Key{Name: tt.key, Version: tt.version}) {
				t.Errorf("KeyOf = %+v", got)
			}
		})
	}
}

func TestAnUpdatedRecordMissesAndReplacesItsEntry(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{})
	c, _ := newCache(t, cache.Config{Store: st})
	a := article{ID: 1, UpdatedAt: time.Now()}
	render := func(a article) func() (string, error) {
		return func() (string, error) { return "rendered at " + cache.RecordVersion(a), nil }
	}
	first, _ := cache.Fetch(ctx, c, cache.RecordKey(a), cache.Options{Version: cache.RecordVersion(a)}, render(a))
	a.UpdatedAt = a.UpdatedAt.Add(time.Second)
	second, _ := cache.Fetch(ctx, c, cache.RecordKey(a), cache.Options{Version: cache.RecordVersion(a)}, render(a))
	if first == second {
		t.Fatal("the updated record hit the old entry")
	}
	if n := st.Stats().Entries; n != 1 {
		t.Fatalf("%d entries; want the new version in place of the old one", n)
	}
}
