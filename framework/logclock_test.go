package framework

import (
	"sync"
	"testing"
	"time"
)

// TestSecondLayoutIsAppendFormat: the cached layouts write what
// time.Time.AppendFormat writes, byte for byte, for times in and across
// seconds, zones (odd offsets, daylight saving changes, Local), the ends
// of the years the cache serves and the years it leaves to AppendFormat.
func TestSecondLayoutIsAppendFormat(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	locs := []*time.Location{
		time.UTC, time.Local, ny,
		time.FixedZone("odd", 5*3600+45*60),        // +05:45
		time.FixedZone("west", -(9*3600 + 30*60)),  // -09:30
		time.FixedZone("secs", 3600+23*60+17),      // an offset with seconds
		time.FixedZone("zero", 0),                  // UTC's offset under another name
		time.FixedZone("neg-secs", -(2*3600 + 59)), // -02:00:59
	}
	base := []time.Time{
		time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 8, 6, 59, 59, 999999999, time.UTC),  // New York's spring change
		time.Date(2026, 11, 1, 5, 59, 59, 500000000, time.UTC), // and its autumn one
		time.Date(1969, 12, 31, 23, 59, 59, 1, time.UTC),       // before the epoch
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 10, time.UTC), // years the cache does not serve
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 6, 7, 8, 9, 10, 11, time.UTC),
	}
	nanos := []int{0, 1, 10, 120000, 123456789, 100000000, 999999999, 500}
	steps := []time.Duration{0, time.Nanosecond, time.Second - 1, time.Second, time.Hour}
	clock := newLogClock()
	for _, lay := range []struct {
		name string
		l    *secondLayout
	}{{"rfc3339nano", clock.rfc3339Nano}, {"started", clock.started}} {
		for _, loc := range locs {
			for _, b0 := range base {
				for _, ns := range nanos {
					for _, step := range steps {
						// The same time twice: the second is served from
						// the cache.
						at := time.Unix(b0.Unix(), int64(ns)).Add(step).In(loc)
						for range 2 {
							want := string(at.AppendFormat([]byte("x"), lay.l.layout))
							if got := string(lay.l.appendTime([]byte("x"), at)); got != want {
								t.Fatalf("%s %s: got %q, AppendFormat %q", lay.name, at, got, want)
							}
						}
					}
				}
			}
		}
	}
	// time.Now carries a monotonic reading; the handler rounds it off.
	now := time.Now()
	if got, want := string(clock.rfc3339Nano.appendTime(nil, now)), now.Round(0).Format(time.RFC3339Nano); got != want {
		t.Errorf("now: %q, want %q", got, want)
	}
}

// TestSecondLayoutConcurrent: goroutines formatting times of different
// seconds and zones through one layout each get their own time's text.
func TestSecondLayoutConcurrent(t *testing.T) {
	t.Parallel()
	l := newLogClock().rfc3339Nano
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loc := time.FixedZone("z", g*1800)
			for i := range 2000 {
				at := time.Unix(1_800_000_000+int64(i%3+g), int64(i*7919)).In(loc)
				if got, want := string(l.appendTime(nil, at)), at.Format(time.RFC3339Nano); got != want {
					errs <- got + " != " + want
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestAppendFraction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ns   int
		want string
	}{
		{0, ""}, {1, ".000000001"}, {10, ".00000001"}, {100000000, ".1"}, {120000000, ".12"},
		{123456789, ".123456789"}, {999999999, ".999999999"}, {500, ".0000005"},
	} {
		if got := string(appendFraction(nil, tc.ns)); got != tc.want {
			t.Errorf("appendFraction(%d) = %q, want %q", tc.ns, got, tc.want)
		}
	}
}
