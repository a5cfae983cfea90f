package event_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gorails/gorails/framework/event"
)

type scopeKey string

func TestRequestScope(t *testing.T) {
	t.Parallel()
	parent := context.WithValue(context.Background(), scopeKey("p"), "parent")
	s := event.NewRequestScope(parent, "req-1")
	if event.ScopeOf(s) != s || event.RequestID(s) != "req-1" || s.Value(scopeKey("p")) != "parent" {
		t.Fatalf("scope: id %q, parent's value %v", event.RequestID(s), s.Value(scopeKey("p")))
	}
	if event.RuntimeFrom(s) != nil {
		t.Fatal("a scope has no Runtime before WithRuntime")
	}
	ctx, rt := event.WithRuntime(s)
	if ctx != context.Context(s) || event.RuntimeFrom(s) != rt {
		t.Fatal("the first WithRuntime on a scope takes the scope's Runtime without a layer")
	}
	ctx2, rt2 := event.WithRuntime(s)
	if ctx2 == context.Context(s) || rt2 == rt || event.RuntimeFrom(ctx2) != rt2 || event.RuntimeFrom(s) != rt {
		t.Fatal("a second WithRuntime adds a layer of its own")
	}
	for _, tc := range []struct {
		name string
		k, v any
		ok   bool
	}{
		{"a new key", scopeKey("a"), 1, true},
		{"the same key again", scopeKey("a"), 2, false},
		{"a second key", scopeKey("b"), 3, true},
		{"a third key", scopeKey("c"), 4, true},
		{"a fourth key", scopeKey("d"), 5, true},
		{"a fifth key: full", scopeKey("e"), 6, false},
	} {
		if got := s.Set(tc.k, tc.v); got != tc.ok {
			t.Errorf("%s: Set = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if s.Value(scopeKey("a")) != 1 || s.Value(scopeKey("d")) != 5 || s.Value(scopeKey("e")) != nil {
		t.Fatalf("values: a %v, d %v, e %v", s.Value(scopeKey("a")), s.Value(scopeKey("d")), s.Value(scopeKey("e")))
	}
	layered := context.WithValue(s, scopeKey("x"), 1)
	if event.ScopeOf(layered) != nil || event.ScopeOf(parent) != nil {
		t.Fatal("ScopeOf finds only a scope that is the context itself")
	}
	var none *event.RequestScope
	if none.Set(scopeKey("a"), 1) {
		t.Fatal("Set on no scope succeeded")
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if event.NewRequestScope(cancelled, "x").Err() == nil {
		t.Fatal("a scope ends with its parent")
	}
}

// TestRequestScopeIDHeaderSurvivesAdd: the scope's X-Request-Id values
// slice is full (length is capacity), so a later Header().Add appends to a
// copy and the scope's value is unchanged.
func TestRequestScopeIDHeaderSurvivesAdd(t *testing.T) {
	t.Parallel()
	s := event.NewRequestScope(context.Background(), "req-1")
	v := s.IDHeader()
	if len(v) != 1 || cap(v) != 1 || v[0] != "req-1" {
		t.Fatalf("IDHeader = %q (cap %d)", v, cap(v))
	}
	h := http.Header{"X-Request-Id": v}
	h.Add("X-Request-Id", "other")
	if got := s.IDHeader(); len(got) != 1 || got[0] != "req-1" || len(h["X-Request-Id"]) != 2 {
		t.Fatalf("after Add: scope %q, header %q", got, h["X-Request-Id"])
	}
	h.Set("X-Request-Id", "replaced")
	if got := s.IDHeader()[0]; got != "req-1" || event.RequestID(s) != "req-1" {
		t.Fatalf("after Set: scope %q, RequestID %q", got, event.RequestID(s))
	}
}

// TestRequestScopeClaims: a generated id is held in the scope and read as
// any other; each of the scope's own objects goes to its first claimant
// only, fresh per scope.
func TestRequestScopeClaims(t *testing.T) {
	t.Parallel()
	var ids []string
	for i, raw := range []string{"0123456789abcdef0123456789abcdef", "ffffffffffffffffffffffffffffffff"} {
		var b [event.GeneratedIDLen]byte
		copy(b[:], raw)
		s := event.NewRequestScopeGenerated(context.Background(), &b)
		b[0] = 'x' // the scope copied the bytes
		if got := event.RequestID(s); got != raw || s.IDHeader()[0] != raw {
			t.Fatalf("scope %d: id %q, header %q, want %q", i, got, s.IDHeader(), raw)
		}
		ids = append(ids, event.RequestID(s))
		st, pa := s.ClaimRequestEvents()
		if st == nil || pa == nil {
			t.Fatal("the first ClaimRequestEvents got nothing")
		}
		if st2, pa2 := s.ClaimRequestEvents(); st2 != nil || pa2 != nil {
			t.Fatal("a second ClaimRequestEvents got the scope's events again")
		}
		if db := s.ClaimDBStats(); db == nil || db.Queries() != 0 || s.ClaimDBStats() != nil {
			t.Fatal("ClaimDBStats: not exactly one fresh claim")
		}
		if u := s.ClaimURL(); u == nil || u.String() != "" || s.ClaimURL() != nil {
			t.Fatal("ClaimURL: not exactly one fresh claim")
		}
	}
	if ids[0] != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("the first scope's id changed to %q", ids[0])
	}
	var none *event.RequestScope
	if st, pa := none.ClaimRequestEvents(); st != nil || pa != nil || none.ClaimDBStats() != nil || none.ClaimURL() != nil {
		t.Fatal("a nil scope gave something")
	}
}
