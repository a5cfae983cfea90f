// Package password is has_secure_password for record models: bcrypt
// digests (golang.org/x/crypto/bcrypt) with a cost per environment, the
// confirmation, a clear error past bcrypt's 72-byte limit, an
// authenticate-by lookup that takes the same time for an unknown login as
// for a wrong password, and Devise's lockable (lock after N failures,
// unlock after a period).
//
//	type User struct {
//		record.Model
//		EmailAddress string `json:"email_address"`
//		password.Secure          // password_digest; Password and PasswordConfirmation (not columns)
//		password.Lockable        // failed_attempts, locked_at
//	}
//
//	func (u *User) Validate(ctx context.Context, v *record.Validation) { u.ValidatePassword(v) }
//	func (u *User) BeforeSave(ctx context.Context, tx *record.Tx) error { return u.DigestPassword(password.DefaultCost()) }
//
//	u, err := password.AuthenticateBy[User](ctx, db, record.Cond{"email_address": email}, pw, lockout)
//
// It sits on record and imports nothing of the web stack.
package password

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gorails/gorails/framework/record"
)

// MaxBytes is bcrypt's limit: it reads the first 72 bytes of a password
// and ignores the rest, so longer passwords are refused rather than cut.
const MaxBytes = 72

// Errors.
var (
	// ErrTooLong is a password longer than MaxBytes.
	ErrTooLong = errors.New("password: longer than bcrypt's 72 bytes")
	// ErrInvalidCredentials is an unknown login or a wrong password: the
	// two are not told apart, in the answer or in its time.
	ErrInvalidCredentials = errors.New("password: invalid login or password")
	// ErrLocked is a locked account (see Lockout).
	ErrLocked = errors.New("password: account locked")
)

// DefaultCost is the bcrypt cost for the environment in GORAILS_ENV:
// bcrypt.MinCost in test (inside `go test` when it is unset), so tests
// stay fast, else 12 (Rails' cost).
func DefaultCost() int {
	env := os.Getenv("GORAILS_ENV")
	if env == "" && testing.Testing() {
		env = "test"
	}
	return CostFor(env)
}

// CostFor is the bcrypt cost for an environment.
func CostFor(env string) int {
	if env == "test" {
		return bcrypt.MinCost
	}
	return 12
}

// Hash returns the bcrypt digest of pw, or ErrTooLong.
func Hash(pw string, cost int) (string, error) {
	if len(pw) > MaxBytes {
		return "", fmt.Errorf("%w (%d bytes)", ErrTooLong, len(pw))
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	return string(b), nil
}

// Matches reports whether pw matches digest (in constant time for a
// given cost). A malformed digest never matches.
func Matches(digest, pw string) bool {
	if len(pw) > MaxBytes {
		compareDummy(digest) // spend the time all the same
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(digest), []byte(pw)) == nil
}

// dummyTail is the salt and hash of a bcrypt digest of a password no user
// has; with any cost in front, comparing against it costs what comparing
// against a real digest of that cost does.
const dummyTail = "VzoRLaRrefmFYGUDvhq39uEP8ta5S/UTWq/8BUaIQnQ625wLJMv2K"

// compareDummy spends the time of a comparison at digest's cost (the
// default cost when digest is not a bcrypt digest).
func compareDummy(digest string) {
	cost, err := bcrypt.Cost([]byte(digest))
	if err != nil {
		cost = DefaultCost()
	}
	dummy := fmt.Sprintf("$2a$%02d$%s", cost, dummyTail)
	_ = bcrypt.CompareHashAndPassword([]byte(dummy), []byte("not the dummy's password"))
}

// Secure is has_secure_password: embed it in a model whose table has a
// password_digest column. Password and PasswordConfirmation are not
// columns: set them (or call SetPassword), and the model's BeforeSave
// calls DigestPassword, which replaces them with the digest.
type Secure struct {
	PasswordDigest       string `json:"-"`
	Password             string `db:"-" json:"-"`
	PasswordConfirmation string `db:"-" json:"-"`
	confirm              bool
}

// SetPassword sets the password and its confirmation (typed twice in a
// form); the confirmation is checked even when it is empty.
func (s *Secure) SetPassword(pw, confirmation string) {
	s.Password, s.PasswordConfirmation, s.confirm = pw, confirmation, true
}

// ValidatePassword adds the password's validations: present on a record
// without a digest, at most 72 bytes, and equal to its confirmation when
// one was given. Call it from the model's Validate.
func (s *Secure) ValidatePassword(v *record.Validation) {
	if s.Password == "" {
		if s.PasswordDigest == "" {
			v.Add("password", "can't be blank")
		}
		return
	}
	if len(s.Password) > MaxBytes {
		v.Add("password", fmt.Sprintf("is too long (maximum is %d bytes)", MaxBytes))
	}
	if s.confirm || s.PasswordConfirmation != "" {
		v.Confirmation("password", s.Password, s.PasswordConfirmation)
	}
}

// DigestPassword replaces a newly set password with its digest (and
// forgets the plain text). Call it from the model's BeforeSave with
// DefaultCost().
func (s *Secure) DigestPassword(cost int) error {
	if s.Password == "" {
		return nil
	}
	d, err := Hash(s.Password, cost)
	if err != nil {
		return err
	}
	s.PasswordDigest = d
	s.Password, s.PasswordConfirmation, s.confirm = "", "", false
	return nil
}

// Authenticate reports whether pw is the password.
func (s *Secure) Authenticate(pw string) bool {
	if s.PasswordDigest == "" {
		compareDummy("")
		return false
	}
	return Matches(s.PasswordDigest, pw)
}

// Fingerprint is a short value that changes whenever the password does
// (the end of its digest, as Rails' password_salt.last(10)): what a
// password-reset token is made from, so that it dies with the password.
func (s *Secure) Fingerprint() string {
	d := s.PasswordDigest
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

func (s *Secure) secure() *Secure { return s }

// Lockable is Devise's lockable: embed it in a model whose table has
// failed_attempts (integer, default 0) and locked_at (nullable time)
// columns; AuthenticateBy with a Lockout keeps them.
type Lockable struct {
	FailedAttempts int        `json:"-"`
	LockedAt       *time.Time `json:"-"`
}

func (l *Lockable) lockable() *Lockable { return l }

// Locked reports whether the account is locked at now under o.
func (l *Lockable) Locked(o Lockout, now time.Time) bool {
	return l.LockedAt != nil && now.Before(l.LockedAt.Add(o.unlockAfter()))
}

// Lockout locks an account after MaxAttempts failed sign-ins in a row,
// for UnlockAfter. The zero value locks nobody.
type Lockout struct {
	MaxAttempts int
	UnlockAfter time.Duration // 1 hour when zero
	Now         func() time.Time
}

func (o Lockout) unlockAfter() time.Duration {
	if o.UnlockAfter <= 0 {
		return time.Hour
	}
	return o.UnlockAfter
}

func (o Lockout) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Authenticatable is a model pointer with Secure embedded.
type Authenticatable interface{ secure() *Secure }

type lockable interface{ lockable() *Lockable }

// AuthenticateBy finds the record matching cond and checks its password.
// An unknown record and a wrong password both return
// ErrInvalidCredentials, after the same work: for an unknown record a
// dummy digest of the default cost is compared. With a Lockout whose
// MaxAttempts is set, and a model embedding Lockable, failures are counted
// on the record, the MaxAttempts-th locks it (ErrLocked), a locked record
// answers ErrLocked whatever the password until UnlockAfter has passed,
// and a success resets the count.
func AuthenticateBy[T any, PT interface {
	*T
	Authenticatable
}](ctx context.Context, ex record.Executor, cond record.Cond, pw string, lockout ...Lockout) (*T, error) {
	m, err := record.Query[T](ex).FindBy(ctx, cond)
	if errors.Is(err, record.ErrNotFound) {
		compareDummy("") // the default cost, as a real digest's
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	sec := PT(&m).secure()
	ok := sec.Authenticate(pw)
	var o Lockout
	if len(lockout) > 0 {
		o = lockout[0]
	}
	lk, isLockable := any(PT(&m)).(lockable)
	if o.MaxAttempts <= 0 || !isLockable {
		if !ok {
			return nil, ErrInvalidCredentials
		}
		return &m, nil
	}
	l := lk.lockable()
	now := o.now()
	if l.Locked(o, now) {
		return nil, ErrLocked
	}
	dirty := l.FailedAttempts > 0 || l.LockedAt != nil
	if l.LockedAt != nil { // the lock has expired: start over
		l.FailedAttempts, l.LockedAt = 0, nil
	}
	if ok {
		if dirty {
			if err := record.UpdateColumns(ctx, ex, &m, record.Attrs{"failed_attempts": 0, "locked_at": nil}); err != nil {
				return nil, err
			}
		}
		return &m, nil
	}
	l.FailedAttempts++
	attrs := record.Attrs{"failed_attempts": l.FailedAttempts, "locked_at": nil}
	if l.FailedAttempts >= o.MaxAttempts {
		t := now
		attrs["locked_at"] = t
	}
	if err := record.UpdateColumns(ctx, ex, &m, attrs); err != nil {
		return nil, err
	}
	if l.FailedAttempts >= o.MaxAttempts {
		return nil, ErrLocked
	}
	return nil, ErrInvalidCredentials
}
