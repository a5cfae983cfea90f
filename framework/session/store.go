package session

import (
	"fmt"
	"net/http"
)

// Store keeps session records. The default is a [CookieStore]; a database or
// Redis store implements the same interface, keeping only the record's ID in
// a signed cookie through the jar. Implementations must be safe for
// concurrent use; the jar they are given is not.
type Store interface {
	// Load returns the request's record, or ok=false when there is none or it
	// cannot be trusted (tampered, unknown, malformed): never an error for
	// what the client sent. err is for the store itself failing.
	Load(r *http.Request, jar *Jar) (rec Record, ok bool, err error)
	// Save persists rec and writes, through the jar, the cookie that finds
	// it again. It returns an error wrapping ErrCookieOverflow when the
	// record cannot fit.
	Save(r *http.Request, jar *Jar, rec Record) error
	// Destroy forgets the record with the given ID (after Reset or expiry)
	// and removes its cookie unless Save writes a new one afterwards.
	Destroy(r *http.Request, jar *Jar, id string) error
}

// CookieStore keeps the whole record in one encrypted cookie, so hosts share
// nothing. It is safe for concurrent use.
type CookieStore struct {
	Name    string        // cookie name
	Options CookieOptions // Path, Domain and SameSite; the expiry comes from the record
}

var _ Store = (*CookieStore)(nil)

// Load decrypts the session cookie.
func (s *CookieStore) Load(r *http.Request, jar *Jar) (Record, bool, error) {
	v, ok := jar.Encrypted().Get(s.Name)
	if !ok {
		return Record{}, false, nil
	}
	var rec Record
	if rec.UnmarshalBinary([]byte(v)) != nil || rec.ID == "" {
		return Record{}, false, nil
	}
	return rec, true, nil
}

// Save encrypts rec into the session cookie. A record too large for a
// cookie fails with an error wrapping [ErrCookieOverflow] that says how
// large it is.
func (s *CookieStore) Save(r *http.Request, jar *Jar, rec Record) error {
	b, _ := rec.MarshalBinary()
	o := s.Options
	o.Expires, o.MaxAge, o.Permanent = rec.Expires, 0, false
	err := jar.Encrypted().Set(s.Name, string(b), o)
	if err != nil {
		return fmt.Errorf("session: %d bytes of session data do not fit in a cookie; keep large data in the database and store its id in the session: %w", len(b), err)
	}
	return nil
}

// Destroy deletes the session cookie.
func (s *CookieStore) Destroy(r *http.Request, jar *Jar, id string) error {
	jar.Delete(s.Name, s.Options)
	return nil
}
