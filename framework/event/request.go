package event

import (
	"context"
	"net/url"
	"unsafe"
)

// RequestScope is one request's context layer for the default middleware
// stack: it carries the request id, the request's Runtime and up to four
// values of other packages (the session's state, record's statement
// counts), and holds per-request objects the stack would otherwise
// allocate one by one (a generated id's bytes, the request's StartRequest
// and ProcessAction, record's counters, force_ssl's copy of the URL: each
// given to its first claimant), so that the stack
// adds one context layer and copies the *http.Request once where each
// middleware used to add its own (a WithValue and an r.WithContext each).
//
// The request_id middleware makes it (NewRequestScope, or
// NewRequestScopeGenerated for an id of its own); a middleware inside
// it that finds it as the request's context itself (ScopeOf: no other
// layer in between) puts its value in it with Set before calling the next
// handler, and otherwise adds a layer as before. Set is for that moment
// only: a scope is read-only once the next handler runs.
//
// The request whose context is a scope is the stack's own copy (request_id
// made it with the scope): a middleware inside it may likewise set that
// request's fields before calling the next handler instead of copying it,
// as force_ssl sets its URL's scheme.
type RequestScope struct {
	context.Context
	id      string               // the request id: Value answers &id, which boxes without allocating
	idHdr   [1]string            // the request id as a header's values (IDHeader)
	idBuf   [GeneratedIDLen]byte // a generated id's bytes (NewRequestScopeGenerated): id points here
	rt      Runtime
	rtUsed  bool
	db      DBStats // record's counters (ClaimDBStats)
	dbUsed  bool
	start   StartRequest // the request's events (ClaimRequestEvents)
	done    ProcessAction
	evUsed  bool
	url     url.URL // a copy of the request's URL (ClaimURL)
	urlUsed bool
	n       int
	keys    [4]any
	vals    [4]any
}

// NewRequestScope returns parent carrying the request id id, as
// WithRequestID does, in a scope that later middleware can add to.
func NewRequestScope(parent context.Context, id string) *RequestScope {
	return &RequestScope{Context: parent, id: id, idHdr: [1]string{id}}
}

// GeneratedIDLen is the length of a request id NewRequestScopeGenerated
// holds in the scope itself.
const GeneratedIDLen = 32

// NewRequestScopeGenerated is NewRequestScope for an id the server made
// (the request_id middleware's random one): the scope keeps its bytes in
// its own storage, so the id string and the scope are one allocation
// instead of two. The bytes are copied; the scope never changes them.
func NewRequestScopeGenerated(parent context.Context, id *[GeneratedIDLen]byte) *RequestScope {
	s := &RequestScope{Context: parent, idBuf: *id}
	// The string points into the scope: it keeps the scope alive while
	// it is used, and idBuf is written only above.
	s.id = unsafe.String(&s.idBuf[0], GeneratedIDLen)
	s.idHdr[0] = s.id
	return s
}

// ClaimRequestEvents returns the scope's own StartRequest and
// ProcessAction to the first caller (the request's instrumentation, once
// per request), so that they cost no allocation of their own; nil, nil to
// any later caller and on a nil scope. They are the request's alone: a
// subscriber that keeps one sees what it was given.
func (s *RequestScope) ClaimRequestEvents() (*StartRequest, *ProcessAction) {
	if s == nil || s.evUsed {
		return nil, nil
	}
	s.evUsed = true
	return &s.start, &s.done
}

// ClaimURL returns the scope's own URL to the first caller (force_ssl,
// which gives the request a copy of its URL with the scheme set), so that
// it costs no allocation of its own; nil to any later caller and on a nil
// scope.
func (s *RequestScope) ClaimURL() *url.URL {
	if s == nil || s.urlUsed {
		return nil
	}
	s.urlUsed = true
	return &s.url
}

// IDHeader is the request id as the values of a header (X-Request-Id),
// held in the scope: setting it in a response's header map costs no
// allocation, where Header().Set makes a slice. Its length is its capacity,
// so a later Header().Add appends to a copy; Header().Set replaces it. Do
// not change its element.
func (s *RequestScope) IDHeader() []string { return s.idHdr[:] }

// ScopeOf returns ctx as a *RequestScope when it is one, nil otherwise
// (also when a layer was added on top of one: a value set in the scope
// then would not shadow that layer's as a new layer would).
func ScopeOf(ctx context.Context) *RequestScope {
	s, _ := ctx.(*RequestScope)
	return s
}

// Set makes the scope answer val for key, as context.WithValue(s, key,
// val) would, and reports whether it did: false when key is already set
// in the scope or the scope is full, and the caller adds a layer.
func (s *RequestScope) Set(key, val any) bool {
	if s == nil || s.n == len(s.keys) {
		return false
	}
	for i := range s.n {
		if s.keys[i] == key {
			return false
		}
	}
	s.keys[s.n], s.vals[s.n] = key, val
	s.n++
	return true
}

// Value implements context.Context.
func (s *RequestScope) Value(key any) any {
	switch key.(type) {
	case requestIDKey:
		return &s.id
	case runtimeKey:
		if s.rtUsed {
			return &s.rt
		}
	}
	for i := range s.n {
		if s.keys[i] == key {
			return s.vals[i]
		}
	}
	return s.Context.Value(key)
}

// String names the layer, as context's own layers do.
func (s *RequestScope) String() string { return "event.RequestScope" }
