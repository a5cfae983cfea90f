package dbstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/record"
)

// Defaults of Config, as Rails 8's config/cache.yml (max_size 256 MB) and
// Solid Cache's max_age (two weeks).
const (
	DefaultMaxBytes  = 256 << 20
	DefaultMaxAge    = 14 * 24 * time.Hour
	DefaultTrimEvery = 100
)

// Config configures a [Store]. The zero value uses the defaults.
type Config struct {
	// MaxBytes bounds the entries' total size (keys and values); the oldest
	// written go first when a trim finds more. 0: DefaultMaxBytes; <0: no
	// bound.
	MaxBytes int64
	// MaxAge drops entries written longer ago than this, whatever their
	// expiry. 0: DefaultMaxAge; <0: no bound.
	MaxAge time.Duration
	// TrimEvery runs a trim in the background after this many writes
	// (Solid Cache's expiry_batch_size). 0: DefaultTrimEvery; <0: never
	// (call Trim yourself).
	TrimEvery int
	// OnTrimError receives a background trim's failure; nil drops it (the
	// next trim tries again).
	OnTrimError func(error)
	// Now is the store's clock, read for expiry and age; nil: time.Now.
	// Tests set a fake one (cachetest.Clock).
	Now func() time.Time
}

// Store is a cache.Store in a table of the app's own database, shared by
// every process and machine that uses the database (Rails 8's Solid Cache):
// SQLite, PostgreSQL and MySQL/MariaDB through record, in the table
// Migration creates. Entries live until they expire, are written over, or a
// trim drops them for age (MaxAge) or size (MaxBytes, oldest first). Its
// statements are kept out of the debug log (record.Silence), as a cache
// read per fragment would bury it; failures are still logged.
// Safe for concurrent use.
type Store struct {
	db      *record.DB
	mysql   bool
	postgre bool
	cfg     Config
	now     func() time.Time

	writes   atomic.Int64
	trimming atomic.Bool
	bg       sync.WaitGroup
}

var (
	_ cache.Store   = (*Store)(nil)
	_ cache.Cleaner = (*Store)(nil)
)

// New returns a store on db, whose schema must have Migration applied
// (Check says whether it has).
func New(db *record.DB, cfg Config) *Store {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.TrimEvery == 0 {
		cfg.TrimEvery = DefaultTrimEvery
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, mysql: db.Adapter() == record.MySQL, postgre: db.Adapter() == record.PostgreSQL, cfg: cfg, now: now}
}

// ErrNoTable: the store's table does not exist (Migration was not applied).
var ErrNoTable = errors.New("dbstore: the " + Table + " table does not exist")

// Check returns ErrNoTable when the table does not exist yet, so that a
// missing migration is one clear error at boot rather than a failed
// statement (a miss) on every read.
func (s *Store) Check(ctx context.Context) error {
	tables, err := record.Tables(ctx, s.db)
	if err != nil {
		return fmt.Errorf("dbstore: look for the %s table: %w", Table, err)
	}
	if !slices.Contains(tables, Table) {
		return ErrNoTable
	}
	return nil
}

// Close waits for a background trim to finish. It does not close the
// database, which belongs to the caller.
func (s *Store) Close() error {
	s.bg.Wait()
	return nil
}

// keyHash is the first 8 bytes of the key's SHA-256, as a signed integer
// (Solid Cache's key_hash).
func keyHash(key string) int64 {
	sum := sha256.Sum256([]byte(key))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// expiresArg is an expiry as bound: 0 for none.
func expiresArg(t time.Time) any { return micros(t) }

func quiet(ctx context.Context) context.Context { return record.Silence(ctx) }

const (
	selectEntry = "SELECT key_hash, cache_key, value, expires_at FROM " + Table
	selectOne   = "SELECT cache_key, value, expires_at FROM " + Table + " WHERE key_hash = ?"
)

// Get implements cache.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var (
		value []byte
		found bool
	)
	now := micros(s.now())
	err := s.db.QueryRows(quiet(ctx), selectOne, []any{keyHash(key)}, func(scan func(...any) error) error {
		var (
			k   []byte
			v   []byte
			exp int64
		)
		if err := scan(&k, &v, &exp); err != nil {
			return err
		}
		if string(k) != key || (exp != 0 && exp <= now) {
			return nil
		}
		value, found = v, true
		return nil
	})
	if err != nil || !found {
		return nil, false, err
	}
	if value == nil {
		value = []byte{}
	}
	return value, true, nil
}

// inChunk is how many keys one IN list carries.
const inChunk = 500

// GetMulti implements cache.Store, one query per 500 keys.
func (s *Store) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	now := micros(s.now())
	at := make(map[int64][]int, len(keys)) // hash -> positions in keys
	for i, k := range keys {
		h := keyHash(k)
		at[h] = append(at[h], i)
	}
	hashes := make([]any, 0, len(at))
	for h := range at {
		hashes = append(hashes, h)
	}
	for part := range slices.Chunk(hashes, inChunk) {
		sql := selectEntry + " WHERE key_hash IN (" + placeholders(len(part)) + ")"
		err := s.db.QueryRows(quiet(ctx), sql, part, func(scan func(...any) error) error {
			var (
				h    int64
				k, v []byte
				exp  int64
			)
			if err := scan(&h, &k, &v, &exp); err != nil {
				return err
			}
			if exp != 0 && exp <= now {
				return nil
			}
			if v == nil {
				v = []byte{}
			}
			for _, i := range at[h] {
				if keys[i] == string(k) {
					out[i] = v
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// upsert is the statement that writes rows of (key_hash, cache_key, value,
// byte_size, created_at, expires_at), replacing rows with the same hash.
func (s *Store) upsert(rows int) string {
	row := "(?, ?, ?, ?, ?, ?)"
	values := strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	insert := "INSERT INTO " + Table + " (key_hash, cache_key, value, byte_size, created_at, expires_at) VALUES " + values
	if s.mysql {
		return insert + " ON DUPLICATE KEY UPDATE cache_key = VALUES(cache_key), value = VALUES(value), byte_size = VALUES(byte_size), created_at = VALUES(created_at), expires_at = VALUES(expires_at)"
	}
	return insert + " ON CONFLICT (key_hash) DO UPDATE SET cache_key = excluded.cache_key, value = excluded.value, byte_size = excluded.byte_size, created_at = excluded.created_at, expires_at = excluded.expires_at"
}

func rowArgs(args []any, key string, value []byte, now, expires time.Time) []any {
	if value == nil {
		value = []byte{}
	}
	return append(args, keyHash(key), []byte(key), value, len(key)+len(value), now.UnixMicro(), expiresArg(expires))
}

// Set implements cache.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, expires time.Time) error {
	now := s.now()
	if !expires.IsZero() && !expires.After(now) {
		_, err := s.Delete(ctx, key)
		return err
	}
	if _, err := s.db.Exec(quiet(ctx), s.upsert(1), rowArgs(nil, key, value, now, expires)...); err != nil {
		return err
	}
	s.wrote(1)
	return nil
}

// setChunk is how many rows one INSERT carries (6 binds each).
const setChunk = 100

// SetMulti implements cache.Store: one INSERT per 100 items. Items whose
// expiry has passed delete their key; of items with the same key the last
// wins.
func (s *Store) SetMulti(ctx context.Context, items []cache.Item) error {
	now := s.now()
	last := make(map[string]int, len(items))
	for i, it := range items {
		last[it.Key] = i
	}
	var live []cache.Item
	var gone []string
	for i, it := range items {
		switch {
		case last[it.Key] != i:
		case !it.Expires.IsZero() && !it.Expires.After(now):
			gone = append(gone, it.Key)
		default:
			live = append(live, it)
		}
	}
	if len(gone) > 0 {
		if _, err := s.Delete(ctx, gone...); err != nil {
			return err
		}
	}
	for part := range slices.Chunk(live, setChunk) {
		args := make([]any, 0, 6*len(part))
		for _, it := range part {
			args = rowArgs(args, it.Key, it.Value, now, it.Expires)
		}
		if _, err := s.db.Exec(quiet(ctx), s.upsert(len(part)), args...); err != nil {
			return err
		}
	}
	s.wrote(len(live))
	return nil
}

// Add implements cache.Store: it drops the key's expired entry, then
// inserts unless a row is there.
func (s *Store) Add(ctx context.Context, key string, value []byte, expires time.Time) (bool, error) {
	now := s.now()
	if !expires.IsZero() && !expires.After(now) {
		return false, nil
	}
	ctx = quiet(ctx)
	h := keyHash(key)
	if _, err := s.db.Exec(ctx, "DELETE FROM "+Table+" WHERE key_hash = ? AND expires_at > 0 AND expires_at <= ?", h, now.UnixMicro()); err != nil {
		return false, err
	}
	insert := "INSERT INTO " + Table + " (key_hash, cache_key, value, byte_size, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
	if s.mysql {
		// Not ON DUPLICATE KEY UPDATE: with CLIENT_FOUND_ROWS (record's
		// setting) its no-op update counts 1 row, as an insert does.
		insert = "INSERT IGNORE" + strings.TrimPrefix(insert, "INSERT")
	} else {
		insert += " ON CONFLICT (key_hash) DO NOTHING"
	}
	res, err := s.db.Exec(ctx, insert, rowArgs(nil, key, value, now, expires)...)
	if err != nil {
		return false, err
	}
	if res.RowsAffected == 1 {
		s.wrote(1)
		return true, nil
	}
	return false, nil
}

// Delete implements cache.Store. It counts the keys that held a live
// entry; an expired one is left for the trim.
func (s *Store) Delete(ctx context.Context, keys ...string) (int, error) {
	hashes := make([]int64, len(keys))
	for i, k := range keys {
		hashes[i] = keyHash(k)
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	now := s.now().UnixMicro()
	n := 0
	for part := range slices.Chunk(hashes, inChunk) {
		args := make([]any, 0, len(part)+1)
		for _, h := range part {
			args = append(args, h)
		}
		args = append(args, now)
		res, err := s.db.Exec(quiet(ctx), "DELETE FROM "+Table+" WHERE key_hash IN ("+placeholders(len(part))+") AND (expires_at = 0 OR expires_at > ?)", args...)
		if err != nil {
			return n, err
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}

// incrementRetries bounds the retries of an Increment whose transaction
// lost a deadlock (MySQL) or whose row another process deleted.
const incrementRetries = 10

// errRetry: the counter's row vanished between its insert and its lock.
var errRetry = errors.New("dbstore: counter row deleted concurrently")

// Increment implements cache.Store: it makes sure the row exists (a zero
// counter), then locks it (FOR UPDATE; SQLite's transactions are IMMEDIATE,
// so writers take turns), reads, adds in Go and writes back, so that a
// value that is not a counter fails with cache.ErrNotInteger and an
// overflow with cache.ErrOverflow, the same on every database.
func (s *Store) Increment(ctx context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error) {
	ctx = quiet(ctx)
	var (
		n   int64
		exp time.Time
		err error
	)
	for range incrementRetries {
		n, exp, err = s.increment(ctx, key, delta, expires)
		if !errors.Is(err, record.ErrDeadlock) && !errors.Is(err, errRetry) {
			break
		}
	}
	return n, exp, err
}

func (s *Store) increment(ctx context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error) {
	now := s.now()
	h := keyHash(key)
	insert := "INSERT INTO " + Table + " (key_hash, cache_key, value, byte_size, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
	if s.mysql {
		insert += " ON DUPLICATE KEY UPDATE key_hash = key_hash"
	} else {
		insert += " ON CONFLICT (key_hash) DO NOTHING"
	}
	if _, err := s.db.Exec(ctx, insert, rowArgs(nil, key, []byte("0"), now, expires)...); err != nil {
		return 0, time.Time{}, err
	}
	lock := selectEntry + " WHERE key_hash = ?"
	if s.mysql || s.postgre {
		lock += " FOR UPDATE"
	}
	var (
		n   int64
		exp int64
	)
	err := record.Transaction(ctx, s.db, func(tx *record.Tx) error {
		found := false
		var (
			k, v []byte
			hh   int64
		)
		err := tx.QueryRows(ctx, lock, []any{h}, func(scan func(...any) error) error {
			found = true
			return scan(&hh, &k, &v, &exp)
		})
		if err != nil {
			return err
		}
		if !found {
			return errRetry
		}
		cur := int64(0)
		switch {
		case string(k) != key || (exp != 0 && exp <= now.UnixMicro()):
			// a colliding key or an expired counter: start again from zero
			exp = micros(expires)
		default:
			if cur, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				if errors.Is(err, strconv.ErrRange) {
					return cache.ErrOverflow
				}
				return fmt.Errorf("%w: %q", cache.ErrNotInteger, truncate(v))
			}
			if exp == 0 {
				exp = micros(expires)
			}
		}
		if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
			return cache.ErrOverflow
		}
		n = cur + delta
		val := strconv.FormatInt(n, 10)
		expArg := exp
		_, err = tx.Exec(ctx, "UPDATE "+Table+" SET cache_key = ?, value = ?, byte_size = ?, created_at = ?, expires_at = ? WHERE key_hash = ?",
			[]byte(key), []byte(val), len(key)+len(val), now.UnixMicro(), expArg, h)
		return err
	})
	if err != nil {
		return 0, time.Time{}, err
	}
	s.wrote(1)
	if exp == 0 {
		return n, time.Time{}, nil
	}
	return n, time.UnixMicro(exp), nil
}

func truncate(b []byte) string {
	if len(b) > 32 {
		return string(b[:32]) + "..."
	}
	return string(b)
}

// Clear implements cache.Store: it empties the table.
func (s *Store) Clear(ctx context.Context) error {
	_, err := s.db.Exec(quiet(ctx), "DELETE FROM "+Table)
	return err
}

// Cleanup implements cache.Cleaner: it deletes the expired entries and
// returns how many.
func (s *Store) Cleanup(ctx context.Context) (int, error) {
	res, err := s.db.Exec(quiet(ctx), "DELETE FROM "+Table+" WHERE expires_at > 0 AND expires_at <= ?", s.now().UnixMicro())
	return int(res.RowsAffected), err
}

// trimBatch is the most entries one statement of a size trim deletes.
const trimBatch = 1000

// Trim deletes the expired entries, those written more than MaxAge ago,
// and then the oldest written until the total size is within MaxBytes. It
// returns how many it deleted. Writes run it in the background every
// TrimEvery writes.
func (s *Store) Trim(ctx context.Context) (int, error) {
	ctx = quiet(ctx)
	total, err := s.Cleanup(ctx)
	if err != nil {
		return total, err
	}
	if s.cfg.MaxAge > 0 {
		res, err := s.db.Exec(ctx, "DELETE FROM "+Table+" WHERE created_at < ?", s.now().Add(-s.cfg.MaxAge).UnixMicro())
		total += int(res.RowsAffected)
		if err != nil {
			return total, err
		}
	}
	if s.cfg.MaxBytes < 0 {
		return total, nil
	}
	for {
		var size int64
		err := s.db.QueryRows(ctx, "SELECT COALESCE(SUM(byte_size), 0) FROM "+Table, nil, func(scan func(...any) error) error {
			return scan(&size)
		})
		if err != nil || size <= s.cfg.MaxBytes {
			return total, err
		}
		n, err := s.trimOldest(ctx, size-s.cfg.MaxBytes)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// trimOldest deletes the oldest written entries that free at least excess
// bytes, at most trimBatch of them.
func (s *Store) trimOldest(ctx context.Context, excess int64) (int, error) {
	var ids []any
	freed := int64(0)
	err := s.db.QueryRows(ctx, "SELECT id, byte_size FROM "+Table+" ORDER BY created_at, id LIMIT ?", []any{trimBatch}, func(scan func(...any) error) error {
		if freed >= excess {
			return nil
		}
		var (
			id   int64
			size int64
		)
		if err := scan(&id, &size); err != nil {
			return err
		}
		ids = append(ids, id)
		freed += size
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	res, err := s.db.Exec(ctx, "DELETE FROM "+Table+" WHERE id IN ("+placeholders(len(ids))+")", ids...)
	return int(res.RowsAffected), err
}

// wrote counts n writes and starts a background trim every TrimEvery, one
// at a time.
func (s *Store) wrote(n int) {
	if s.cfg.TrimEvery < 0 || n == 0 {
		return
	}
	every := int64(s.cfg.TrimEvery)
	after := s.writes.Add(int64(n))
	if after/every == (after-int64(n))/every {
		return
	}
	if !s.trimming.CompareAndSwap(false, true) {
		return
	}
	s.bg.Go(func() {
		defer s.trimming.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Trim(ctx); err != nil && s.cfg.OnTrimError != nil {
			s.cfg.OnTrimError(err)
		}
	})
}
