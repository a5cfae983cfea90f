package password_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/auth/password"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type User struct {
	record.Model
	EmailAddress string `json:"email_address"`
	password.Secure
	password.Lockable
}

func (u *User) Validate(ctx context.Context, v *record.Validation) {
	v.Presence("email_address", u.EmailAddress)
	u.ValidatePassword(v)
}

func (u *User) BeforeSave(ctx context.Context, tx *record.Tx) error {
	return u.DigestPassword(password.DefaultCost())
}

func openDB(t testing.TB) *record.DB {
	t.Helper()
	ctx := context.Background()
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: filepath.Join(t.TempDir(), "test.sqlite3")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(ctx, `CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email_address TEXT NOT NULL UNIQUE,
		password_digest TEXT NOT NULL, failed_attempts INTEGER NOT NULL DEFAULT 0, locked_at DATETIME,
		created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func create(t testing.TB, db *record.DB, email, pw string) *User {
	t.Helper()
	u := &User{EmailAddress: email}
	u.SetPassword(pw, pw)
	if err := record.Create(context.Background(), db, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSecurePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	u := create(t, db, "ann@example.com", "correct horse")
	if u.Password != "" || !strings.HasPrefix(u.PasswordDigest, "$2a$04$") {
		t.Fatalf("after save: Password %q, digest %q: want the plain text gone and a cost-4 digest in test", u.Password, u.PasswordDigest)
	}
	if !u.Authenticate("correct horse") || u.Authenticate("correct horsE") || u.Authenticate("") {
		t.Error("Authenticate does not tell the password from others")
	}

	tests := []struct {
		name, pw, confirmation string
		setConfirm             bool
		wantErr                string
	}{
		{"a blank password", "", "", false, "Password can't be blank"},
		{"a password typed differently twice", "abcdefgh", "abcdefgx", true, "Password confirmation doesn't match Password"},
		{"an empty confirmation", "abcdefgh", "", true, "Password confirmation doesn't match Password"},
		{"73 bytes", strings.Repeat("a", 73), strings.Repeat("a", 73), true, "Password is too long (maximum is 72 bytes)"},
		{"72 bytes of multibyte text plus one", strings.Repeat("é", 36) + "a", strings.Repeat("é", 36) + "a", true, "maximum is 72 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &User{EmailAddress: "x-" + strings.ReplaceAll(tt.name, " ", "") + "@example.com"}
			if tt.setConfirm {
				n.SetPassword(tt.pw, tt.confirmation)
			}
			err := record.Create(ctx, db, n)
			if !errors.Is(err, record.ErrInvalid) {
				t.Fatalf("Create: %v, want ErrInvalid", err)
			}
			if msgs := strings.Join(n.ErrorMessages(), "; "); !strings.Contains(msgs, tt.wantErr) {
				t.Errorf("errors %q, want %q", msgs, tt.wantErr)
			}
		})
	}
	t.Run("72 bytes is fine", func(t *testing.T) {
		create(t, db, "long@example.com", strings.Repeat("a", 72))
	})
	t.Run("saving without a new password keeps the digest", func(t *testing.T) {
		v, err := record.Query[User](db).Find(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		v.EmailAddress = "ann2@example.com"
		if err := record.Save(ctx, db, &v); err != nil || v.PasswordDigest != u.PasswordDigest {
			t.Fatalf("Save: %v; digest changed %v", err, v.PasswordDigest != u.PasswordDigest)
		}
	})
	if _, err := password.Hash(strings.Repeat("a", 100), 4); !errors.Is(err, password.ErrTooLong) {
		t.Errorf("Hash of 100 bytes: %v, want ErrTooLong", err)
	}
}

func TestAuthenticateBy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	u := create(t, db, "ann@example.com", "secret123")
	tests := []struct {
		name, email, pw string
		want            error
	}{
		{"the right password", "ann@example.com", "secret123", nil},
		{"a wrong password", "ann@example.com", "secret124", password.ErrInvalidCredentials},
		{"an unknown user", "bob@example.com", "secret123", password.ErrInvalidCredentials},
		{"a password past 72 bytes", "ann@example.com", "secret123" + strings.Repeat("x", 100), password.ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := password.AuthenticateBy[User](ctx, db, record.Cond{"email_address": tt.email}, tt.pw)
			if !errors.Is(err, tt.want) || (err == nil && got.ID != u.ID) {
				t.Fatalf("AuthenticateBy: %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	create(t, db, "ann@example.com", "secret123")
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lock := password.Lockout{MaxAttempts: 3, UnlockAfter: 10 * time.Minute, Now: func() time.Time { return now }}
	try := func(pw string) error {
		_, err := password.AuthenticateBy[User](ctx, db, record.Cond{"email_address": "ann@example.com"}, pw, lock)
		return err
	}
	if err := try("bad"); !errors.Is(err, password.ErrInvalidCredentials) {
		t.Fatalf("first failure: %v", err)
	}
	if err := try("secret123"); err != nil {
		t.Fatalf("a success after one failure: %v", err)
	}
	for i := 1; i <= 2; i++ {
		if err := try("bad"); !errors.Is(err, password.ErrInvalidCredentials) {
			t.Fatalf("failure %d (the count was reset by the success): %v", i, err)
		}
	}
	if err := try("bad"); !errors.Is(err, password.ErrLocked) {
		t.Fatalf("the third failure in a row: %v, want ErrLocked", err)
	}
	if err := try("secret123"); !errors.Is(err, password.ErrLocked) {
		t.Fatalf("the right password while locked: %v, want ErrLocked", err)
	}
	now = now.Add(11 * time.Minute)
	if err := try("secret123"); err != nil {
		t.Fatalf("the right password after UnlockAfter: %v", err)
	}
	got, _ := record.Query[User](db).FindBy(ctx, record.Cond{"email_address": "ann@example.com"})
	if got.FailedAttempts != 0 || got.LockedAt != nil {
		t.Errorf("after unlocking and signing in: failed_attempts %d, locked_at %v", got.FailedAttempts, got.LockedAt)
	}
}

// TestUnknownUserTiming checks that an unknown login and a wrong password
// take the same time: without the dummy comparison an unknown login is
// answered after one query, tens of times faster than a bcrypt
// comparison. The medians of many interleaved tries are compared with a
// wide margin (a factor of 2), so a loaded machine does not fail it while
// a missing dummy comparison (a factor of 10 or more) does.
func TestUnknownUserTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing sample")
	}
	ctx := context.Background()
	db := openDB(t)
	create(t, db, "ann@example.com", "secret123")
	const n = 150
	var unknown, wrong []time.Duration
	for i := range 2 * n {
		email := "ann@example.com"
		if i%2 == 0 {
			email = "nobody@example.com"
		}
		start := time.Now()
		_, err := password.AuthenticateBy[User](ctx, db, record.Cond{"email_address": email}, "wrong password")
		d := time.Since(start)
		if !errors.Is(err, password.ErrInvalidCredentials) {
			t.Fatal(err)
		}
		if i%2 == 0 {
			unknown = append(unknown, d)
		} else {
			wrong = append(wrong, d)
		}
	}
	mu, mw := median(unknown), median(wrong)
	ratio := float64(mu) / float64(mw)
	t.Logf("median unknown user %v, wrong password %v, ratio %.2f", mu, mw, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("an unknown user takes %v (median of %d), a wrong password %v: ratio %.2f, want about 1", mu, n, mw, ratio)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestCost(t *testing.T) {
	if password.CostFor("test") != 4 || password.CostFor("production") != 12 || password.CostFor("development") != 12 {
		t.Error("CostFor: want 4 in test, 12 elsewhere")
	}
	if password.DefaultCost() != 4 {
		t.Errorf("DefaultCost inside go test = %d, want 4", password.DefaultCost())
	}
}
