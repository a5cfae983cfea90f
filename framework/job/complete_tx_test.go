package job

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

type ledgerArgs struct {
	N    int  `json:"n"`
	Fail bool `json:"fail,omitempty"`
}

// ledgerJob writes its effect and completes itself in one transaction.
type ledgerJob struct {
	db   *record.DB
	errs chan error // CompleteTx's error, when set
}

func (j ledgerJob) Perform(ctx context.Context, a ledgerArgs) error {
	return record.Transaction(ctx, j.db, func(tx *record.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO ledger (n) VALUES (?)", a.N); err != nil {
			return err
		}
		err := CompleteTx(ctx, tx)
		if j.errs != nil {
			j.errs <- err
		}
		if err == nil && a.Fail {
			err = errBoom // fails after CompleteTx: the transaction rolls back, completion included
		}
		return err
	})
}

func TestCompleteTx(t *testing.T) {
	for _, adapter := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openDB(t, adapter, "job_complete_tx")
			if _, err := db.Exec(ctx, "CREATE TABLE ledger (n integer NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			other := openDB(t, adapter, "job_complete_tx_other")
			count := func(sql string) int {
				t.Helper()
				var n int64
				if err := db.QueryRows(ctx, sql, nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
					t.Fatal(err)
				}
				return int(n)
			}
			reset := func() {
				for _, sql := range []string{"DELETE FROM ledger", "DELETE FROM " + Table} {
					if _, err := db.Exec(ctx, sql); err != nil {
						t.Fatal(err)
					}
				}
			}
			clk := newClock()
			store := Database(db)
			c := New(Config{Backend: store, Now: clk.Now})
			errs := make(chan error, 1)
			def := Register(c, ledgerJob{db: db, errs: errs}, MaxAttempts(3))
			w, err := NewWorker(c, WorkerConfig{ID: "w1"})
			if err != nil {
				t.Fatal(err)
			}
			claim := func(worker string) *Record {
				t.Helper()
				rs, err := store.Claim(ctx, worker, DefaultQueue, 1, clk.Now(), clk.Now().Add(30*time.Second))
				if err != nil || len(rs) != 1 {
					t.Fatalf("claim: %v, %v", rs, err)
				}
				return rs[0]
			}

			t.Run("the effect and the completion commit together", func(t *testing.T) {
				reset()
				mustEnqueue(t)(def.PerformLater(ctx, ledgerArgs{N: 1}))
				w.work(ctx, claim("w1"))
				if err := <-errs; err != nil {
					t.Fatalf("CompleteTx: %v", err)
				}
				if got := count("SELECT COUNT(*) FROM ledger"); got != 1 {
					t.Errorf("%d ledger rows, want 1", got)
				}
				if got := count("SELECT COUNT(*) FROM " + Table); got != 0 {
					t.Errorf("%d job rows left, want 0", got)
				}
			})
			t.Run("a failure after CompleteTx rolls both back and the job retries", func(t *testing.T) {
				reset()
				mustEnqueue(t)(def.PerformLater(ctx, ledgerArgs{N: 2, Fail: true}))
				w.work(ctx, claim("w1"))
				<-errs
				if got := count("SELECT COUNT(*) FROM ledger"); got != 0 {
					t.Errorf("%d ledger rows, want 0", got)
				}
				if got := count("SELECT COUNT(*) FROM " + Table + " WHERE state = 'available' AND attempt = 1"); got != 1 {
					t.Errorf("the job is not waiting to retry")
				}
			})
			t.Run("a run whose lease was lost cannot commit its work", func(t *testing.T) {
				reset()
				mustEnqueue(t)(def.PerformLater(ctx, ledgerArgs{N: 3}))
				stale := claim("w1")
				clk.Advance(time.Minute) // w1 stalled: its lease expired
				if n, err := store.Rescue(ctx, clk.Now()); err != nil || n != 1 {
					t.Fatalf("rescue: %d, %v", n, err)
				}
				fresh := claim("w2")
				w.work(ctx, stale)
				if err := <-errs; !errors.Is(err, ErrLeaseLost) {
					t.Fatalf("CompleteTx of the stale run: %v, want ErrLeaseLost", err)
				}
				if got := count("SELECT COUNT(*) FROM ledger"); got != 0 {
					t.Errorf("the stale run committed its work: %d ledger rows", got)
				}
				w2, _ := NewWorker(c, WorkerConfig{ID: "w2"})
				w2.work(ctx, fresh)
				if err := <-errs; err != nil {
					t.Fatalf("CompleteTx of the live run: %v", err)
				}
				if got := count("SELECT COUNT(*) FROM ledger"); got != 1 {
					t.Errorf("%d ledger rows, want 1 (the live run's)", got)
				}
			})
			t.Run("a transaction on another database is refused", func(t *testing.T) {
				reset()
				mustEnqueue(t)(def.PerformLater(ctx, ledgerArgs{N: 4}))
				r := claim("w1")
				err := record.Transaction(ctx, other, func(tx *record.Tx) error {
					return store.CompleteTx(ctx, tx, r, clk.Now())
				})
				if !errors.Is(err, ErrNoTransaction) {
					t.Errorf("CompleteTx on another database: %v, want ErrNoTransaction", err)
				}
			})
			t.Run("outside a worker it does nothing", func(t *testing.T) {
				reset()
				if err := def.PerformNow(ctx, ledgerArgs{N: 5}); err != nil {
					t.Fatal(err)
				}
				if err := <-errs; err != nil {
					t.Errorf("CompleteTx in PerformNow: %v", err)
				}
				if err := CompleteTx(ctx, nil); !errors.Is(err, ErrNoTransaction) {
					t.Errorf("CompleteTx(nil): %v", err)
				}
				if got := count("SELECT COUNT(*) FROM ledger"); got != 1 {
					t.Errorf("%d ledger rows, want 1", got)
				}
			})
		})
	}
}
