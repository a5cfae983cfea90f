package cache

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

// DefaultMemoryBytes is a Memory store's bound when MemoryConfig.MaxBytes
// is 0 (Rails' MemoryStore default).
const DefaultMemoryBytes = 32 << 20

// memItemOverhead approximates the bytes an entry costs beyond its key and
// value: the item struct, the map slot and the list links.
const memItemOverhead = 96

// MemoryConfig configures a [Memory] store.
type MemoryConfig struct {
	// MaxBytes bounds the keys, values and bookkeeping held; 0 means
	// DefaultMemoryBytes. Past it, the least recently used entries go.
	MaxBytes int64
	// Now is the store's clock, read to expire entries; nil: time.Now.
	// Tests set a fake one (cachetest.Clock).
	Now func() time.Time
}

// Memory is a Store in the memory of one process (Rails' MemoryStore):
// bounded by bytes, least recently used entries evicted first, expired
// entries dropped when met or by Cleanup. Each process of a pre-forking
// server has its own. Safe for concurrent use; it needs no Close and
// starts no goroutine.
type Memory struct {
	mu        sync.Mutex
	items     map[string]*memItem
	head      *memItem // most recently used
	tail      *memItem // least recently used
	bytes     int64
	max       int64
	evictions uint64
	now       func() time.Time
}

type memItem struct {
	key        string
	value      []byte
	expires    int64 // Unix nanoseconds; 0: none
	size       int64
	prev, next *memItem
}

var (
	_ Store   = (*Memory)(nil)
	_ Matcher = (*Memory)(nil)
	_ Cleaner = (*Memory)(nil)
)

// NewMemory returns an empty Memory store.
func NewMemory(cfg MemoryConfig) *Memory {
	m := cfg.MaxBytes
	if m <= 0 {
		m = DefaultMemoryBytes
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Memory{items: map[string]*memItem{}, max: m, now: now}
}

// MemoryStats is a snapshot of a Memory store.
type MemoryStats struct {
	Entries   int
	Bytes     int64  // keys, values and bookkeeping
	MaxBytes  int64  // the bound
	Evictions uint64 // entries dropped to stay under MaxBytes
}

// Stats returns the store's current size.
func (m *Memory) Stats() MemoryStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MemoryStats{Entries: len(m.items), Bytes: m.bytes, MaxBytes: m.max, Evictions: m.evictions}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// live returns the item under key, dropping it if it expired at now
// (read from the clock only when the item expires at all).
func (m *Memory) live(key string, now int64) *memItem {
	it := m.items[key]
	if it == nil || it.expires == 0 {
		return it
	}
	if now == 0 {
		now = m.now().UnixNano()
	}
	if now >= it.expires {
		m.remove(it)
		return nil
	}
	return it
}

// Get implements Store. The returned slice is the store's own: do not
// modify it.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.live(key, 0)
	if it == nil {
		return nil, false, nil
	}
	m.touch(it)
	return it.value, true, nil
}

// GetMulti implements Store.
func (m *Memory) GetMulti(_ context.Context, keys []string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		if it := m.live(k, 0); it != nil {
			m.touch(it)
			out[i] = it.value
		}
	}
	return out, nil
}

// Set implements Store; it keeps value without copying it. A value too
// large for MaxBytes fails with ErrTooLarge and leaves the key absent.
func (m *Memory) Set(_ context.Context, key string, value []byte, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.set(key, value, unixNano(expires), m.now().UnixNano())
}

// SetMulti implements Store.
func (m *Memory) SetMulti(_ context.Context, items []Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	for _, it := range items {
		if err := m.set(it.Key, it.Value, unixNano(it.Expires), now); err != nil {
			return err
		}
	}
	return nil
}

// Add implements Store.
func (m *Memory) Add(_ context.Context, key string, value []byte, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	if m.live(key, now) != nil {
		return false, nil
	}
	if exp := unixNano(expires); exp != 0 && exp <= now {
		return false, nil
	}
	if err := m.set(key, value, unixNano(expires), now); err != nil {
		return false, err
	}
	return true, nil
}

func (m *Memory) set(key string, value []byte, expires, now int64) error {
	if old := m.items[key]; old != nil {
		m.remove(old)
	}
	if expires != 0 && expires <= now {
		return nil
	}
	size := int64(len(key)+len(value)) + memItemOverhead
	if size > m.max {
		return fmt.Errorf("%w: %d bytes, MaxBytes is %d", ErrTooLarge, size, m.max)
	}
	if value == nil {
		value = []byte{}
	}
	it := &memItem{key: key, value: value, expires: expires, size: size}
	m.items[key] = it
	m.pushFront(it)
	m.bytes += size
	for m.bytes > m.max {
		m.remove(m.tail)
		m.evictions++
	}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, keys ...string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, k := range keys {
		if it := m.live(k, 0); it != nil {
			m.remove(it)
			n++
		}
	}
	return n, nil
}

// Increment implements Store.
func (m *Memory) Increment(_ context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	var n, exp int64
	if it := m.live(key, now); it != nil {
		v, err := strconv.ParseInt(string(it.value), 10, 64)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("%w: %q", ErrNotInteger, truncate(it.value))
		}
		n, exp = v, it.expires
	}
	if (delta > 0 && n > math.MaxInt64-delta) || (delta < 0 && n < math.MinInt64-delta) {
		return 0, time.Time{}, ErrOverflow
	}
	n += delta
	if exp == 0 {
		exp = unixNano(expires)
	}
	if err := m.set(key, strconv.AppendInt(nil, n, 10), exp, now); err != nil {
		return 0, time.Time{}, err
	}
	if exp == 0 {
		return n, time.Time{}, nil
	}
	return n, time.Unix(0, exp), nil
}

// Clear implements Store.
func (m *Memory) Clear(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = map[string]*memItem{}
	m.head, m.tail, m.bytes = nil, nil, 0
	return nil
}

// DeleteMatched implements Matcher. It walks every key under the lock.
func (m *Memory) DeleteMatched(_ context.Context, pattern string) (int, error) {
	p, err := compilePattern(pattern)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	n := 0
	for k := range m.items {
		if !p.match(k) {
			continue
		}
		if it := m.live(k, now); it != nil { // an expired key is dropped, not counted
			m.remove(it)
			n++
		}
	}
	return n, nil
}

// Cleanup implements Cleaner: it drops every expired entry.
func (m *Memory) Cleanup(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now().UnixNano()
	n := 0
	for _, it := range m.items {
		if it.expires != 0 && now >= it.expires {
			m.remove(it)
			n++
		}
	}
	return n, nil
}

func (m *Memory) pushFront(it *memItem) {
	it.prev, it.next = nil, m.head
	if m.head != nil {
		m.head.prev = it
	}
	m.head = it
	if m.tail == nil {
		m.tail = it
	}
}

func (m *Memory) unlink(it *memItem) {
	if it.prev != nil {
		it.prev.next = it.next
	} else {
		m.head = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	} else {
		m.tail = it.prev
	}
	it.prev, it.next = nil, nil
}

func (m *Memory) touch(it *memItem) {
	if m.head != it {
		m.unlink(it)
		m.pushFront(it)
	}
}

func (m *Memory) remove(it *memItem) {
	m.unlink(it)
	delete(m.items, it.key)
	m.bytes -= it.size
}
