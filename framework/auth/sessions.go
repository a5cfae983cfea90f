package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// ErrNoSession is what a SessionStore returns when no session has the
// digest (signed out, expired, never existed).
var ErrNoSession = errors.New("auth: no such session")

// Session is a server-side sign-in session (Rails 8's Session model).
// Digest is the SHA-256 of the token the browser holds (hex): the store
// never sees a token, so a leaked table signs nobody in.
type Session struct {
	Scope     string
	Digest    string
	UserID    string
	IPAddress string
	UserAgent string
	CreatedAt time.Time
}

// SessionStore keeps server-side sessions. A generated app implements it
// over its Session model (app/models/session.go); MemorySessions is one in
// memory for tests. Implementations must be safe for concurrent use.
type SessionStore interface {
	// CreateSession stores s.
	CreateSession(ctx context.Context, s Session) error
	// FindSession returns the session with the digest and its user, or
	// an error wrapping ErrNoSession.
	FindSession(ctx context.Context, scope, digest string) (Session, User, error)
	// DestroySession deletes the session with the digest; none is not an
	// error.
	DestroySession(ctx context.Context, scope, digest string) error
	// DestroyUserSessions deletes every session of the user in the scope
	// ("sign out everywhere").
	DestroyUserSessions(ctx context.Context, scope, userID string) error
}

// NewToken returns a random token (32 bytes, base64url: what a client
// holds) and its digest (what to store), for sessions and API tokens.
func NewToken() (token, digest string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Digest(token)
}

// Digest is the hex SHA-256 of a token: what a store keeps and looks up.
// Tokens are 256 random bits, so a fast hash is enough (no bcrypt).
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// MemorySessions is a SessionStore in memory, for tests and examples. The
// zero value is ready; it is safe for concurrent use.
type MemorySessions struct {
	mu       sync.Mutex
	sessions map[string]Session // by scope + digest
	// Users finds a session's user by scope and id; nil means a user that
	// is only its id.
	Users func(ctx context.Context, scope, id string) (User, error)
}

var _ SessionStore = (*MemorySessions)(nil)

// IDUser is a User that is only its id.
type IDUser string

// AuthID returns the id.
func (u IDUser) AuthID() string { return string(u) }

// CreateSession stores s.
func (m *MemorySessions) CreateSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = map[string]Session{}
	}
	m.sessions[s.Scope+"\x00"+s.Digest] = s
	return nil
}

// FindSession finds the session and its user.
func (m *MemorySessions) FindSession(ctx context.Context, scope, digest string) (Session, User, error) {
	m.mu.Lock()
	s, ok := m.sessions[scope+"\x00"+digest]
	m.mu.Unlock()
	if !ok {
		return Session{}, nil, ErrNoSession
	}
	if m.Users == nil {
		return s, IDUser(s.UserID), nil
	}
	u, err := m.Users(ctx, scope, s.UserID)
	if err != nil {
		return Session{}, nil, err
	}
	return s, u, nil
}

// DestroySession deletes one session.
func (m *MemorySessions) DestroySession(_ context.Context, scope, digest string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, scope+"\x00"+digest)
	return nil
}

// DestroyUserSessions deletes a user's sessions.
func (m *MemorySessions) DestroyUserSessions(_ context.Context, scope, userID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.sessions {
		if s.Scope == scope && s.UserID == userID {
			delete(m.sessions, k)
		}
	}
	return nil
}

// Len returns how many sessions are stored.
func (m *MemorySessions) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}
