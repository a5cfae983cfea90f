package record_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// TestDeadlockIsTyped makes two transactions wait for each other. PostgreSQL
// and MySQL detect the deadlock and kill one; SQLite, whose writers queue on
// the database lock, gives up after the busy timeout. Either way the error
// matches ErrDeadlock.
func TestDeadlockIsTyped(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		ps := mkPosts(t, db, "one", "two")
		if db.Adapter() == record.SQLite {
			holding, release := make(chan struct{}), make(chan struct{})
			go func() {
				_ = record.Transaction(ctx, db, func(tx *record.Tx) error {
					_, err := tx.Exec(ctx, "UPDATE posts SET views = 1")
					close(holding)
					<-release
					return err
				})
			}()
			<-holding
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE posts SET views = 2")
				return err
			})
			close(release)
			if !errors.Is(err, record.ErrDeadlock) {
				t.Fatalf("err = %v, want ErrDeadlock", err)
			}
			return
		}
		var wg sync.WaitGroup
		var ready sync.WaitGroup
		ready.Add(2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first, second := ps[i].ID, ps[1-i].ID
				errs[i] = record.Transaction(ctx, db, func(tx *record.Tx) error {
					if _, err := tx.Exec(ctx, "UPDATE posts SET views = views + 1 WHERE id = ?", first); err != nil {
						ready.Done()
						return err
					}
					ready.Done()
					ready.Wait() // both hold their first row
					_, err := tx.Exec(ctx, "UPDATE posts SET views = views + 1 WHERE id = ?", second)
					return err
				})
			}()
		}
		wg.Wait()
		if !errors.Is(errs[0], record.ErrDeadlock) && !errors.Is(errs[1], record.ErrDeadlock) {
			t.Fatalf("errors %v, %v: want one ErrDeadlock", errs[0], errs[1])
		}
	}, func(c *record.Config) { c.Timeout = 300 * time.Millisecond })
}

// TestConcurrentUse shares one DB and one Relation between goroutines.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		mkPosts(t, db, "a", "b", "c")
		base := record.Query[Post](db).Where("views > ?", 0)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := base.Order("id").Limit(i%3 + 1)
				got, err := r.All(ctx)
				if err == nil && len(got) != i%3+1 {
					err = errors.New("wrong row count")
				}
				if err == nil {
					p := Post{Title: "concurrent"}
					err = record.Create(ctx, db, &p)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		if n, _ := base.Count(ctx); n != 3 {
			t.Fatalf("the shared relation changed: count %d", n)
		}
	})
}
