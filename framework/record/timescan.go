package record

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unsafe"
)

// timeDest and nullTimeDest are the Scan destinations of time.Time and
// *time.Time fields. Drivers hand over a time.Time for the column types
// they know; SQLite hands over text for a column whose declared type is
// not exactly DATE, DATETIME or TIMESTAMP, such as the datetime(6) Rails
// writes for every timestamp. That text is parsed here, so a database
// Rails created reads as it does in Rails.
type (
	timeDest     time.Time
	nullTimeDest struct{ t *time.Time } // the layout of a *time.Time field
)

var (
	_ sql.Scanner = (*timeDest)(nil)
	_ sql.Scanner = (*nullTimeDest)(nil)
)

// scanTextTimes makes the plan's time fields scan through timeDest and
// nullTimeDest, for drivers that may hand times over as text
// (Dialect.TextTimes). Other drivers scan into the fields directly, which
// costs no allocation.
func (p *plan) scanTextTimes() {
	for _, f := range p.fields {
		off := f.off
		switch f.typ {
		case reflect.TypeFor[time.Time]():
			f.ptr = func(b unsafe.Pointer) any { return (*timeDest)(unsafe.Add(b, off)) }
		case reflect.TypeFor[*time.Time]():
			f.ptr = func(b unsafe.Pointer) any { return (*nullTimeDest)(unsafe.Add(b, off)) }
		}
	}
}

// errNullTime is the error database/sql gives for NULL into a time.Time.
var errNullTime = errors.New("converting NULL to time.Time is unsupported: make the field a *time.Time")

// Scan implements sql.Scanner.
func (d *timeDest) Scan(src any) error {
	if src == nil {
		return errNullTime
	}
	t, err := timeFrom(src)
	if err != nil {
		return err
	}
	*d = timeDest(t)
	return nil
}

// Scan implements sql.Scanner.
func (d *nullTimeDest) Scan(src any) error {
	if src == nil {
		d.t = nil
		return nil
	}
	t, err := timeFrom(src)
	if err != nil {
		return err
	}
	d.t = &t
	return nil
}

func timeFrom(src any) (time.Time, error) {
	switch v := src.(type) {
	case time.Time:
		return v, nil
	case string:
		return parseTimeText(v)
	case []byte:
		return parseTimeText(string(v))
	}
	return time.Time{}, fmt.Errorf("record: cannot read a %T as a time", src)
}

// timeLayouts are the text forms of times in SQL databases: Rails' on
// SQLite ("2026-12-05 07:45:57.123456", UTC without a zone), SQLite's own
// CURRENT_TIMESTAMP, the driver's with a zone offset, and RFC 3339.
var timeLayouts = [...]string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTimeText reads a time stored as text, in the forms Rails and SQLite
// write ("2026-12-05 07:45:57.123456", "2026-12-05T07:45:57Z",
// "2026-12-05"). A time without a zone is UTC, as Rails stores it.
func parseTimeText(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("record: %q is not a time (want YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][zone])", s)
}
