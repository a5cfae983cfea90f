package job

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadSchedule: a recurring job's schedule does not parse.
var ErrBadSchedule = errors.New("job: bad schedule")

// Schedule is a parsed cron-style schedule.
type Schedule struct {
	every                         time.Duration // @every; the fields are unused then
	minute, hour, dom, month, dow uint64        // bit sets
	domStar, dowStar              bool
}

// ParseSchedule parses a five-field cron expression ("minute hour
// day-of-month month day-of-week", with *, lists, ranges and /steps; both
// day fields restricted means either matches, as in Vixie cron), a
// shorthand (@yearly, @monthly, @weekly, @daily, @hourly) or "@every
// DURATION" (at least one second). Times are UTC.
func ParseSchedule(spec string) (Schedule, error) {
	bad := func(why string) (Schedule, error) {
		return Schedule{}, fmt.Errorf("%w %q: %s", ErrBadSchedule, spec, why)
	}
	spec = strings.TrimSpace(spec)
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || every < time.Second {
			return bad("want @every DURATION of at least 1s")
		}
		return Schedule{every: every}, nil
	}
	switch spec {
	case "@yearly", "@annually":
		spec = "0 0 1 1 *"
	case "@monthly":
		spec = "0 0 1 * *"
	case "@weekly":
		spec = "0 0 * * 0"
	case "@daily", "@midnight":
		spec = "0 0 * * *"
	case "@hourly":
		spec = "0 * * * *"
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return bad("want 5 fields: minute hour day-of-month month day-of-week")
	}
	var s Schedule
	var err error
	limits := []struct {
		into     *uint64
		min, max int
		name     string
	}{{&s.minute, 0, 59, "minute"}, {&s.hour, 0, 23, "hour"}, {&s.dom, 1, 31, "day of month"}, {&s.month, 1, 12, "month"}, {&s.dow, 0, 7, "day of week"}}
	for i, l := range limits {
		if *l.into, err = parseField(f[i], l.min, l.max); err != nil {
			return bad(l.name + ": " + err.Error())
		}
	}
	if s.dow&(1<<7) != 0 { // 7 is Sunday too
		s.dow |= 1
	}
	s.domStar, s.dowStar = f[2] == "*", f[4] == "*"
	return s, nil
}

func parseField(f string, lo, hi int) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(f, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || n > hi-lo+1 {
				return 0, fmt.Errorf("bad step %q (want 1-%d)", stepText, hi-lo+1)
			}
			step = n
		}
		from, to := lo, hi
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if from, err = strconv.Atoi(a); err != nil {
				return 0, fmt.Errorf("bad value %q", a)
			}
			to = from
			if isRange {
				if to, err = strconv.Atoi(b); err != nil {
					return 0, fmt.Errorf("bad value %q", b)
				}
			} else if hasStep {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return 0, fmt.Errorf("%q out of range %d-%d", part, lo, hi)
		}
		for v := from; v <= to; v += step { // step <= hi-lo+1 <= 64: v cannot overflow
			set |= 1 << v
		}
	}
	return set, nil
}

// Next returns the first time of the schedule strictly after t.
func (s Schedule) Next(t time.Time) time.Time {
	t = t.UTC()
	if s.every > 0 {
		return t.Truncate(s.every).Add(s.every)
	}
	t = t.Truncate(time.Minute).Add(time.Minute)
	for end := t.AddDate(5, 0, 0); t.Before(end); {
		switch {
		case s.month&(1<<int(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case s.hour&(1<<t.Hour()) == 0:
			t = t.Truncate(time.Hour).Add(time.Hour)
		case s.minute&(1<<t.Minute()) == 0:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{} // never (e.g. 30 February)
}

func (s Schedule) dayMatches(t time.Time) bool {
	dom, dow := s.dom&(1<<t.Day()) != 0, s.dow&(1<<int(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// Recurring is a job enqueued on a schedule by the workers: each slot is
// enqueued once however many workers run (the slot is a unique key), by
// whichever worker sees it first. A slot is only enqueued within a minute
// of its time, so a worker started late or stalled does not replay
// history.
type Recurring struct {
	Name     string
	Schedule Schedule
	enqueue  func(ctx context.Context, slot time.Time) error
}

// Every builds a Recurring that enqueues def with args on schedule (see
// ParseSchedule). name must be unique among an app's recurring jobs.
func Every[A any](name, schedule string, def *Def[A], args A, opts ...Option) (Recurring, error) {
	s, err := ParseSchedule(schedule)
	if err != nil {
		return Recurring{}, err
	}
	return Recurring{Name: name, Schedule: s, enqueue: func(ctx context.Context, slot time.Time) error {
		o := append(append([]Option(nil), opts...), slotKey(name+"@"+slot.Format(time.RFC3339)), UniqueFor(recurringHold))
		_, err := def.PerformAt(ctx, slot, args, o...)
		return err
	}}, nil
}

// recurringHold is how long a slot's key is held: longer than any worker
// looks back.
const recurringHold = 10 * time.Minute

// recurringWindow is how far back a worker enqueues missed slots.
const recurringWindow = time.Minute

// scheduler tracks, per recurring job, the last time a worker checked.
type scheduler struct {
	jobs []Recurring
	last []time.Time
}

// tick enqueues every slot in (last, now] not older than the window.
func (s *scheduler) tick(ctx context.Context, now time.Time, log func(Recurring, error)) {
	for i, r := range s.jobs {
		from := s.last[i]
		if from.IsZero() || from.Before(now.Add(-recurringWindow)) {
			from = now.Add(-recurringWindow)
		}
		for slot := r.Schedule.Next(from); !slot.IsZero() && !slot.After(now); slot = r.Schedule.Next(slot) {
			if err := r.enqueue(ctx, slot); err != nil && !errors.Is(err, ErrDuplicate) {
				log(r, err)
			}
		}
		s.last[i] = now
	}
}
