package record_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// Account has validations and every callback; it records the calls.
type Account struct {
	record.Model
	Name  string
	Email string
	Age   int64
	Role  string
	OrgID int64

	Password, PasswordConfirmation string `db:"-"`

	calls  *[]string
	haltOn string // callback that returns an error
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

func (a *Account) Validate(ctx context.Context, v *record.Validation) {
	a.call("Validate")
	v.Presence("name", a.Name)
	v.Length("name", a.Name, 2, 20)
	v.Format("email", a.Email, emailRE)
	v.Numericality("age", a.Age, record.Num{GreaterOrEqual: record.Bound(0), LessThan: record.Bound(150)})
	v.Inclusion("role", a.Role, "admin", "member", "owner")
	if a.Role == "owner" && v.OnCreate() { // a check that queries, through the save's own transaction
		n, err := record.Query[Account](v.DB()).Where(record.Cond{"org_id": a.OrgID, "role": "owner"}).Count(ctx)
		if err != nil || n > 0 {
			v.Add("role", "the organization has an owner")
		}
	}
	v.Exclusion("name", a.Name, "root")
	v.Uniqueness("email", a.Email, record.Cond{"org_id": a.OrgID})
	if v.OnCreate() {
		v.Confirmation("password", a.Password, a.PasswordConfirmation)
	}
	if strings.Contains(a.Name, "!") {
		v.Add("name", "must not shout")
	}
}

func (a *Account) call(name string) error {
	if a.calls != nil {
		*a.calls = append(*a.calls, name)
	}
	if a.haltOn == name {
		return errors.New(name + " says no")
	}
	return nil
}

func (a *Account) BeforeValidation(context.Context, record.Executor) error {
	return a.call("BeforeValidation")
}
func (a *Account) AfterValidation(context.Context, record.Executor) error {
	return a.call("AfterValidation")
}
func (a *Account) BeforeSave(context.Context, *record.Tx) error    { return a.call("BeforeSave") }
func (a *Account) AfterSave(context.Context, *record.Tx) error     { return a.call("AfterSave") }
func (a *Account) BeforeCreate(context.Context, *record.Tx) error  { return a.call("BeforeCreate") }
func (a *Account) BeforeUpdate(context.Context, *record.Tx) error  { return a.call("BeforeUpdate") }
func (a *Account) AfterUpdate(context.Context, *record.Tx) error   { return a.call("AfterUpdate") }
func (a *Account) BeforeDestroy(context.Context, *record.Tx) error { return a.call("BeforeDestroy") }
func (a *Account) AfterDestroy(context.Context, *record.Tx) error  { return a.call("AfterDestroy") }
func (a *Account) AfterCommit(context.Context)                     { _ = a.call("AfterCommit") }
func (a *Account) AfterRollback(context.Context)                   { _ = a.call("AfterRollback") }

// AfterCreate writes an audit row through the transaction it is given, so
// that the row is undone with the account when a later callback halts.
func (a *Account) AfterCreate(ctx context.Context, tx *record.Tx) error {
	if err := a.call("AfterCreate"); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO audits (note) VALUES (?)", "created "+a.Email)
	return err
}

func validAccount(calls *[]string) Account {
	return Account{Name: "Ann", Email: "ann@x.org", Age: 30, Role: "admin", Password: "pw", PasswordConfirmation: "pw", calls: calls}
}

func TestValidations(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		existing := validAccount(nil)
		must(t, record.Create(ctx, db, &existing))

		tests := []struct {
			name   string
			change func(*Account)
			attr   string
			msg    string
		}{
			{"presence", func(a *Account) { a.Name = "  " }, "name", "can't be blank"},
			{"length", func(a *Account) { a.Name = strings.Repeat("n", 21) }, "name", "is too long (maximum is 20 characters)"},
			{"format", func(a *Account) { a.Email = "nope" }, "email", "is invalid"},
			{"numericality", func(a *Account) { a.Age = -1 }, "age", "must be greater than or equal to 0"},
			{"inclusion", func(a *Account) { a.Role = "guest" }, "role", "is not included in the list"},
			{"exclusion", func(a *Account) { a.Name = "root" }, "name", "is reserved"},
			{"confirmation on create", func(a *Account) { a.PasswordConfirmation = "other" }, "password_confirmation", "doesn't match Password"},
			{"uniqueness within the scope", func(a *Account) { a.Email = "ann@x.org" }, "email", "has already been taken"},
			{"custom", func(a *Account) { a.Name = "Hey!" }, "name", "must not shout"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := validAccount(nil)
				tt.change(&a)
				err := record.Save(ctx, db, &a)
				var ve *record.ValidationError
				if !errors.Is(err, record.ErrInvalid) || !errors.As(err, &ve) {
					t.Fatalf("Save = %v, want a ValidationError", err)
				}
				if !slices.Contains(a.Errors().On(tt.attr), tt.msg) {
					t.Fatalf("errors on %s = %v, want %q (all: %v)", tt.attr, a.Errors().On(tt.attr), tt.msg, a.Errors().FullMessages())
				}
				if a.Persisted() {
					t.Fatal("an invalid record was saved")
				}
			})
		}

		t.Run("a validation that queries sees the rows of the save's transaction", func(t *testing.T) {
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				first := validAccount(nil)
				first.Email, first.Role, first.OrgID = "o1@x.org", "owner", 77
				must(t, record.Create(ctx, tx, &first))
				second := validAccount(nil)
				second.Email, second.Role, second.OrgID = "o2@x.org", "owner", 77
				err := record.Create(ctx, tx, &second)
				if !errors.Is(err, record.ErrInvalid) || !slices.Contains(second.Errors().On("role"), "the organization has an owner") {
					t.Errorf("a second owner in the same transaction: %v", err)
				}
				return errors.New("undo")
			})
			if err == nil {
				t.Fatal("the transaction committed")
			}
		})

		t.Run("uniqueness is scoped and skips the record itself", func(t *testing.T) {
			other := validAccount(nil)
			other.OrgID = 2 // same email, other org
			must(t, record.Save(ctx, db, &other))
			other.Age = 31 // update: no confirmation needed, own email allowed
			must(t, record.Save(ctx, db, &other))
		})

		t.Run("Valid reports without saving", func(t *testing.T) {
			a := validAccount(nil)
			a.Name = ""
			ok, err := record.Valid(ctx, db, &a)
			must(t, err)
			if ok || a.Errors().Empty() || a.Errors().FullMessages()[0] != "Name can't be blank" {
				t.Fatalf("Valid = %v, %v", ok, a.Errors().FullMessages())
			}
			n, _ := record.Query[Account](db).Count(ctx)
			if n != 2 {
				t.Fatalf("Valid saved something: %d rows", n)
			}
		})
	})
}

func TestCallbacks(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		t.Run("run in order on create, update and destroy", func(t *testing.T) {
			var calls []string
			a := validAccount(&calls)
			must(t, record.Create(ctx, db, &a))
			want := []string{"BeforeValidation", "Validate", "AfterValidation", "BeforeSave", "BeforeCreate", "AfterCreate", "AfterSave", "AfterCommit"}
			if !slices.Equal(calls, want) {
				t.Fatalf("create callbacks %v\nwant %v", calls, want)
			}
			calls = nil
			a.Age = 40
			must(t, record.Save(ctx, db, &a))
			want = []string{"BeforeValidation", "Validate", "AfterValidation", "BeforeSave", "BeforeUpdate", "AfterUpdate", "AfterSave", "AfterCommit"}
			if !slices.Equal(calls, want) {
				t.Fatalf("update callbacks %v", calls)
			}
			calls = nil
			must(t, record.Destroy(ctx, db, &a))
			if want := []string{"BeforeDestroy", "AfterDestroy", "AfterCommit"}; !slices.Equal(calls, want) {
				t.Fatalf("destroy callbacks %v", calls)
			}
		})

		for _, stage := range []string{"BeforeSave", "BeforeCreate", "AfterCreate", "AfterSave"} {
			t.Run("an error in "+stage+" halts and rolls back", func(t *testing.T) {
				var calls []string
				a := validAccount(&calls)
				a.Email = strings.ToLower(stage) + "@x.org"
				a.haltOn = stage
				err := record.Save(ctx, db, &a)
				if err == nil {
					t.Fatal("Save succeeded")
				}
				if strings.HasPrefix(stage, "Before") && !errors.Is(err, record.ErrHalted) {
					t.Fatalf("err = %v, want ErrHalted", err)
				}
				n, _ := record.Query[Account](db).Where("email = ?", a.Email).Count(ctx)
				if n != 0 || a.Persisted() || a.ID != 0 {
					t.Fatalf("row count %d, persisted %v, id %d after a halted save", n, a.Persisted(), a.ID)
				}
				audits := 0
				must(t, db.QueryRows(ctx, "SELECT note FROM audits WHERE note = ?", []any{"created " + a.Email}, func(func(...any) error) error {
					audits++
					return nil
				}))
				if audits != 0 {
					t.Fatalf("the audit row AfterCreate wrote in the transaction survived its rollback")
				}
				if !slices.Contains(calls, "AfterRollback") || slices.Contains(calls, "AfterCommit") {
					t.Fatalf("calls %v", calls)
				}
			})
		}

		t.Run("a halting BeforeDestroy keeps the row", func(t *testing.T) {
			a := validAccount(nil)
			a.Email = "keep@x.org"
			must(t, record.Create(ctx, db, &a))
			a.haltOn = "BeforeDestroy"
			if err := record.Destroy(ctx, db, &a); !errors.Is(err, record.ErrHalted) {
				t.Fatalf("Destroy = %v", err)
			}
			if _, err := record.Query[Account](db).Find(ctx, a.ID); err != nil {
				t.Fatalf("row gone: %v", err)
			}
		})

		t.Run("AfterCommit waits for the outermost commit", func(t *testing.T) {
			var calls []string
			a := validAccount(&calls)
			a.Email = "outer@x.org"
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				if err := record.Save(ctx, tx, &a); err != nil {
					return err
				}
				if slices.Contains(calls, "AfterCommit") {
					return errors.New("AfterCommit ran inside the transaction")
				}
				return nil
			}))
			if calls[len(calls)-1] != "AfterCommit" {
				t.Fatalf("calls %v", calls)
			}
		})
	})
}

func TestTransactions(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		count := func() int64 {
			n, err := record.Query[Post](db).Count(ctx)
			must(t, err)
			return n
		}
		boom := errors.New("boom")

		t.Run("commit", func(t *testing.T) {
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				return record.Create(ctx, tx, &Post{Title: "committed"})
			}))
			if count() != 1 {
				t.Fatal("not committed")
			}
		})

		t.Run("an error rolls back", func(t *testing.T) {
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				must(t, record.Create(ctx, tx, &Post{Title: "gone"}))
				return boom
			})
			if !errors.Is(err, boom) || count() != 1 {
				t.Fatalf("err %v, count %d", err, count())
			}
		})

		t.Run("a panic rolls back and is re-raised", func(t *testing.T) {
			func() {
				defer func() {
					if r := recover(); r != "kaboom" {
						t.Fatalf("recovered %v", r)
					}
				}()
				_ = record.Transaction(ctx, db, func(tx *record.Tx) error {
					must(t, record.Create(ctx, tx, &Post{Title: "panicked"}))
					panic("kaboom")
				})
			}()
			if count() != 1 {
				t.Fatalf("count %d after panic", count())
			}
		})

		t.Run("a statement given the DB runs outside the transaction", func(t *testing.T) {
			inside := record.Cond{"title": "inside"}
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				must(t, record.Create(ctx, tx, &Post{Title: "inside"}))
				if n, err := record.Query[Post](tx).Where(inside).Count(ctx); err != nil || n != 1 {
					t.Errorf("the transaction sees %d rows (%v), want its own", n, err)
				}
				// Another connection: the uncommitted row is not there.
				if n, err := record.Query[Post](db).Where(inside).Count(ctx); err != nil || n != 0 {
					t.Errorf("the DB sees %d uncommitted rows (%v)", n, err)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if n, err := record.Query[Post](db).Where(inside).Count(ctx); err != nil || n != 0 {
				t.Fatalf("%d rows after the rollback (%v)", n, err)
			}
		})

		t.Run("a nested transaction joins the outer one", func(t *testing.T) {
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				must(t, record.Create(ctx, tx, &Post{Title: "outer"}))
				return record.Transaction(ctx, tx, func(inner *record.Tx) error {
					if inner != tx {
						t.Error("a joined transaction is a new handle")
					}
					must(t, record.Create(ctx, inner, &Post{Title: "inner"}))
					return boom
				})
			})
			if !errors.Is(err, boom) || count() != 1 {
				t.Fatalf("err %v, count %d", err, count())
			}
		})

		t.Run("RequiresNew rolls back to a savepoint only", func(t *testing.T) {
			p := Post{Title: "in savepoint"}
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				must(t, record.Create(ctx, tx, &Post{Title: "kept"}))
				err := record.Transaction(ctx, tx, func(sp *record.Tx) error {
					must(t, record.Create(ctx, sp, &p))
					return boom
				}, record.RequiresNew())
				if !errors.Is(err, boom) {
					t.Errorf("savepoint err %v", err)
				}
				return record.Transaction(ctx, tx, func(sp *record.Tx) error {
					return record.Create(ctx, sp, &Post{Title: "second savepoint"})
				}, record.RequiresNew())
			}))
			if count() != 3 {
				t.Fatalf("count %d, want 3", count())
			}
			if p.Persisted() || p.ID != 0 {
				t.Fatal("a record created in a rolled back savepoint still looks persisted")
			}
		})

		t.Run("a panic inside a savepoint is re-raised", func(t *testing.T) {
			func() {
				defer func() { _ = recover() }()
				_ = record.Transaction(ctx, db, func(tx *record.Tx) error {
					return record.Transaction(ctx, tx, func(*record.Tx) error { panic("deep") }, record.RequiresNew())
				})
			}()
			if count() != 3 {
				t.Fatalf("count %d", count())
			}
		})

		t.Run("a transaction that has ended refuses statements", func(t *testing.T) {
			var kept *record.Tx
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error { kept = tx; return nil }))
			if err := record.Create(ctx, kept, &Post{Title: "late"}); !errors.Is(err, record.ErrTxDone) {
				t.Fatalf("Create on a committed transaction = %v, want ErrTxDone", err)
			}
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				return record.Transaction(ctx, tx, func(sp *record.Tx) error { kept = sp; return nil }, record.RequiresNew())
			}))
			if _, err := record.Query[Post](kept).Count(ctx); !errors.Is(err, record.ErrTxDone) {
				t.Fatalf("a query on a released savepoint = %v, want ErrTxDone", err)
			}
			if err := record.Transaction(ctx, kept, func(*record.Tx) error { return nil }); !errors.Is(err, record.ErrTxDone) {
				t.Fatalf("joining an ended transaction = %v, want ErrTxDone", err)
			}
			if count() != 3 {
				t.Fatalf("count %d", count())
			}
		})

		t.Run("Begin, Commit and Rollback", func(t *testing.T) {
			tx, err := db.Begin(ctx)
			must(t, err)
			must(t, record.Create(ctx, tx, &Post{Title: "begun"}))
			must(t, tx.Commit(ctx))
			if err := tx.Rollback(ctx); !errors.Is(err, record.ErrTxDone) {
				t.Fatalf("Rollback after Commit = %v, want ErrTxDone", err)
			}
			tx, err = db.Begin(ctx)
			must(t, err)
			must(t, record.Create(ctx, tx, &Post{Title: "undone"}))
			must(t, tx.Rollback(ctx))
			if count() != 4 {
				t.Fatalf("count %d, want 4", count())
			}
		})

		t.Run("AfterCommit runs after the real commit, and never for undone work", func(t *testing.T) {
			var ran []string
			note := func(s string) func(context.Context) { return func(context.Context) { ran = append(ran, s) } }
			record.AfterCommit(ctx, db, note("no transaction: at once"))
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				record.AfterCommit(ctx, tx, note("outer"))
				_ = record.Transaction(ctx, tx, func(sp *record.Tx) error {
					record.AfterCommit(ctx, sp, note("rolled back savepoint"))
					record.AfterCommit(ctx, tx, note("outer handle inside the rolled back savepoint"))
					return boom
				}, record.RequiresNew())
				must(t, record.Transaction(ctx, tx, func(sp *record.Tx) error {
					record.AfterCommit(ctx, sp, note("released savepoint"))
					return nil
				}, record.RequiresNew()))
				if len(ran) != 1 {
					t.Errorf("callbacks ran before the commit: %v", ran)
				}
				return nil
			}))
			_ = record.Transaction(ctx, db, func(tx *record.Tx) error {
				record.AfterCommit(ctx, tx, note("rolled back transaction"))
				return boom
			})
			want := []string{"no transaction: at once", "outer", "released savepoint"}
			if !slices.Equal(ran, want) {
				t.Fatalf("ran %v, want %v", ran, want)
			}
		})
	})
}

func TestPoolExhausted(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		err := record.Transaction(ctx, db, func(tx *record.Tx) error {
			// The only connection is held by this transaction.
			start := time.Now()
			_, err := record.Query[Post](db).Count(ctx)
			if !errors.Is(err, record.ErrPoolExhausted) {
				t.Fatalf("err = %v, want ErrPoolExhausted", err)
			}
			if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
				t.Fatalf("waited %v, want about the checkout timeout", d)
			}
			_, err = record.Query[Post](tx).Count(ctx) // the transaction itself still works
			return err
		})
		must(t, err)
		if _, err := record.Query[Post](db).Count(ctx); err != nil {
			t.Fatalf("pool not usable afterwards: %v", err)
		}
	}, func(c *record.Config) { c.Pool = 1; c.CheckoutTimeout = 200 * time.Millisecond })
}

// Stale has a callback with the signature callbacks had before they were
// given the transaction.
type Stale struct {
	record.Model
	Name string
}

func (s *Stale) BeforeSave(context.Context) error { return nil }

func TestACallbackWithTheWrongSignatureIsAnError(t *testing.T) {
	t.Parallel()
	db := openDB(t, record.Config{Database: filepath.Join(t.TempDir(), "stale.sqlite3")})
	err := record.Create(context.Background(), db, &Stale{Name: "x"})
	want := "record: Stale.BeforeSave is func(context.Context) error, but the BeforeSave callback is func(context.Context, *record.Tx) error"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Create = %v, want %q", err, want)
	}
}
