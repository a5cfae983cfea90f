package job

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		spec, from, want string
	}{
		{"* * * * *", "2026-11-23 09:00:30", "2026-11-23 09:01:00"},
		{"*/15 * * * *", "2026-11-23 09:01:00", "2026-11-23 09:15:00"},
		{"0 3 * * *", "2026-11-23 09:00:00", "2026-11-24 03:00:00"},
		{"30 8 * * 1-5", "2026-11-27 09:00:00", "2026-11-30 08:30:00"}, // Friday -> Monday
		{"0 0 1 * *", "2026-12-15 00:00:00", "2027-01-01 00:00:00"},
		{"0 12 13 * 5", "2026-11-23 00:00:00", "2026-11-27 12:00:00"}, // day 13 or a Friday
		{"0 0 * * 7", "2026-11-23 00:00:00", "2026-11-29 00:00:00"},   // 7 is Sunday
		{"@hourly", "2026-11-23 09:59:59", "2026-11-23 10:00:00"},
		{"@every 5m", "2026-11-23 09:07:00", "2026-11-23 09:10:00"},
		{"0 0 30 2 *", "2026-01-01 00:00:00", "0001-01-01 00:00:00"}, // never
	}
	for _, tt := range tests {
		t.Run(tt.spec+" after "+tt.from, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(at(tt.from)); !got.Equal(at(tt.want)) {
				t.Errorf("Next = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseScheduleRejects(t *testing.T) {
	for _, spec := range []string{"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "*/0 * * * *", "5-1 * * * *", "a * * * *", "@every 10ms", "@every soon"} {
		if _, err := ParseSchedule(spec); !errors.Is(err, ErrBadSchedule) {
			t.Errorf("ParseSchedule(%q) = %v, want ErrBadSchedule", spec, err)
		}
	}
}

// A step larger than the field once overflowed the loop that expands it
// (1 + MaxInt64 is negative) and panicked with a negative shift.
func TestParseScheduleHugeStep(t *testing.T) {
	for _, spec := range []string{
		"1/9223372036854775807 * * * *",
		"*/9223372036854775807 * * * *",
		"* 3/9223372036854775800 * * *",
		"* * * * 0-7/9223372036854775807",
		"*/61 * * * *",
		"*/99999999999999999999 * * * *",
	} {
		t.Run(spec, func(t *testing.T) {
			if _, err := ParseSchedule(spec); !errors.Is(err, ErrBadSchedule) {
				t.Fatalf("ParseSchedule(%q) = %v, want ErrBadSchedule", spec, err)
			}
		})
	}
	for _, spec := range []string{"*/60 * * * *", "0 */24 * * *", "0 0 */31 * *"} {
		if _, err := ParseSchedule(spec); err != nil {
			t.Errorf("ParseSchedule(%q) = %v, want a step as long as its field accepted", spec, err)
		}
	}
}

func TestEveryRejectsABadSchedule(t *testing.T) {
	def := Register(New(Config{}), echoJob{})
	if _, err := Every("x", "not cron", def, echoArgs{}); !errors.Is(err, ErrBadSchedule) {
		t.Fatalf("Every: %v", err)
	}
}

// recurringCase checks, on a store, that workers sharing it enqueue each
// slot of a recurring job once.
func recurringCase(f *fixture) {
	def := Register(f.c, echoJob{})
	r, err := Every("tick", "*/5 * * * *", def, echoArgs{N: 5})
	if err != nil {
		f.t.Fatal(err)
	}
	workers := []*scheduler{{jobs: []Recurring{r}, last: make([]time.Time, 1)}, {jobs: []Recurring{r}, last: make([]time.Time, 1)}}
	fail := func(_ Recurring, err error) { f.t.Errorf("enqueue: %v", err) }
	f.clk.Advance(5 * time.Minute) // 09:05, a slot
	for range 3 {
		for _, s := range workers {
			s.tick(context.Background(), f.clk.Now(), fail)
		}
		f.clk.Advance(20 * time.Second)
	}
	if n := len(f.claim("w1", 10)); n != 1 {
		f.t.Fatalf("the 09:05 slot was enqueued %d times, want 1", n)
	}
	f.clk.Advance(4 * time.Minute) // past 09:10
	for _, s := range workers {
		s.tick(context.Background(), f.clk.Now(), fail)
	}
	if n := len(f.claim("w1", 10)); n != 1 {
		f.t.Fatalf("the 09:10 slot was enqueued %d times, want 1", n)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"* * * * *", "*/15 1-5 * * 1,3,5", "0 0 30 2 *", "@every 90s", "@weekly", "5-1 * * * *", "0 0 * * 7", "1/9223372036854775807 * * * *"} {
		f.Add(s)
	}
	from := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSchedule(spec)
		if err != nil {
			if !errors.Is(err, ErrBadSchedule) {
				t.Fatalf("error %v does not wrap ErrBadSchedule", err)
			}
			return
		}
		if next := s.Next(from); !next.IsZero() && !next.After(from) {
			t.Fatalf("Next(%v) = %v, not after", from, next)
		}
	})
}
