package record

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gorails/gorails/internal/inflect"
)

// Errors holds validation messages per attribute, in the order they were
// added, for forms to show next to their fields. The zero value is empty
// and ready to use.
type Errors struct {
	order []string
	msgs  map[string][]string
}

// Add records message for attribute (a column name; "" for the record as a whole).
func (e *Errors) Add(attribute, message string) {
	if e.msgs == nil {
		e.msgs = map[string][]string{}
	}
	if _, ok := e.msgs[attribute]; !ok {
		e.order = append(e.order, attribute)
	}
	e.msgs[attribute] = append(e.msgs[attribute], message)
}

// On returns the messages of attribute.
func (e *Errors) On(attribute string) []string { return e.msgs[attribute] }

// Attributes returns the attributes with messages, in order.
func (e *Errors) Attributes() []string { return append([]string(nil), e.order...) }

// Len is the number of messages.
func (e *Errors) Len() int {
	n := 0
	for _, m := range e.msgs {
		n += len(m)
	}
	return n
}

// Empty reports whether there are no messages.
func (e *Errors) Empty() bool { return e.Len() == 0 }

// FullMessages returns "Title can't be blank"-style messages.
func (e *Errors) FullMessages() []string {
	var out []string
	for _, a := range e.order {
		for _, m := range e.msgs[a] {
			if a == "" {
				out = append(out, m)
				continue
			}
			out = append(out, inflect.Humanize(a)+" "+m)
		}
	}
	return out
}

// MarshalJSON is Rails' errors.as_json: {"title":["can't be blank"]}, the
// attributes in the order their first message was added ("base" for the
// record as a whole).
func (e *Errors) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, a := range e.order {
		if i > 0 {
			b.WriteByte(',')
		}
		name := a
		if name == "" {
			name = "base"
		}
		k, _ := json.Marshal(name)
		v, err := json.Marshal(e.msgs[a])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ValidationError is returned by Save, Create and Update when validations
// fail. errors.Is(err, ErrInvalid) is true.
type ValidationError struct {
	Model  string
	Errors *Errors
}

func (e *ValidationError) Error() string {
	return "record: " + e.Model + " is invalid: " + strings.Join(e.Errors.FullMessages(), ", ")
}

// Is matches ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Validation is handed to a model's Validate method. Each check adds a
// message to Errors when it fails; Validate declares them in plain Go:
//
//	func (u *User) Validate(ctx context.Context, v *record.Validation) {
//		v.Presence("name", u.Name)
//		v.Length("name", u.Name, 2, 50)
//		v.Uniqueness("email", u.Email, nil)
//		if v.OnCreate() { v.Confirmation("password", u.Password, u.PasswordConfirmation) }
//	}
type Validation struct {
	Errors *Errors
	ctx    context.Context
	db     *DB
	p      *plan
	create bool
	id     any
}

// DB is what the save runs on (its transaction, when it has one), for a
// check that queries: record.Query[Order](v.DB()).Where(...).Exists(ctx).
func (v *Validation) DB() Executor { return v.db.executor() }

// OnCreate reports whether the record is being created (Rails' on: :create).
func (v *Validation) OnCreate() bool { return v.create }

// OnUpdate reports whether a persisted record is being updated.
func (v *Validation) OnUpdate() bool { return !v.create }

// Add records a custom message.
func (v *Validation) Add(attribute, message string) { v.Errors.Add(attribute, message) }

// Presence requires a value that is not nil, not zero and not blank text.
func (v *Validation) Presence(attribute string, value any) {
	if blank(value) {
		v.Add(attribute, "can't be blank")
	}
}

// Absence requires a blank value.
func (v *Validation) Absence(attribute string, value any) {
	if !blank(value) {
		v.Add(attribute, "must be blank")
	}
}

func blank(value any) bool {
	if value == nil {
		return true
	}
	if s, ok := value.(string); ok {
		return strings.TrimSpace(s) == ""
	}
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil() || blank(rv.Elem().Interface())
	case reflect.Slice, reflect.Map:
		return rv.Len() == 0
	case reflect.Bool:
		return false // false is a value; use Inclusion(attr, v, true, false) for booleans
	}
	return rv.IsZero()
}

// Length requires a length in characters between min and max; max < 0 means no maximum.
func (v *Validation) Length(attribute, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min:
		v.Add(attribute, fmt.Sprintf("is too short (minimum is %s)", characters(min)))
	case max >= 0 && n > max:
		v.Add(attribute, fmt.Sprintf("is too long (maximum is %s)", characters(max)))
	}
}

func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}

// Format requires value to match re.
func (v *Validation) Format(attribute, value string, re *regexp.Regexp) {
	if !re.MatchString(value) {
		v.Add(attribute, "is invalid")
	}
}

// Num bounds a Numericality check; nil bounds are not checked.
type Num struct {
	OnlyInteger                 bool
	GreaterThan, GreaterOrEqual *float64
	LessThan, LessOrEqual       *float64
}

// Bound is a helper for Num fields: record.Num{GreaterThan: record.Bound(0)}.
func Bound(f float64) *float64 { return &f }

// Numericality requires value (a number, or text holding one) to be a number within opts.
func (v *Validation) Numericality(attribute string, value any, opts Num) {
	var f float64
	switch x := value.(type) {
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			v.Add(attribute, "is not a number")
			return
		}
	default:
		rv := reflect.ValueOf(value)
		switch {
		case rv.CanInt():
			f = float64(rv.Int())
		case rv.CanUint():
			f = float64(rv.Uint())
		case rv.CanFloat():
			f = rv.Float()
		default:
			v.Add(attribute, "is not a number")
			return
		}
	}
	switch {
	case opts.OnlyInteger && f != float64(int64(f)):
		v.Add(attribute, "must be an integer")
	case opts.GreaterThan != nil && !(f > *opts.GreaterThan):
		v.Add(attribute, fmt.Sprintf("must be greater than %v", *opts.GreaterThan))
	case opts.GreaterOrEqual != nil && !(f >= *opts.GreaterOrEqual):
		v.Add(attribute, fmt.Sprintf("must be greater than or equal to %v", *opts.GreaterOrEqual))
	case opts.LessThan != nil && !(f < *opts.LessThan):
		v.Add(attribute, fmt.Sprintf("must be less than %v", *opts.LessThan))
	case opts.LessOrEqual != nil && !(f <= *opts.LessOrEqual):
		v.Add(attribute, fmt.Sprintf("must be less than or equal to %v", *opts.LessOrEqual))
	}
}

// Inclusion requires value to be one of set.
func (v *Validation) Inclusion(attribute string, value any, set ...any) {
	for _, s := range set {
		if s == value {
			return
		}
	}
	v.Add(attribute, "is not included in the list")
}

// Exclusion requires value to be none of set.
func (v *Validation) Exclusion(attribute string, value any, set ...any) {
	for _, s := range set {
		if s == value {
			v.Add(attribute, "is reserved")
			return
		}
	}
}

// Confirmation requires confirmation to equal value (a password typed
// twice); the message goes on attribute_confirmation.
func (v *Validation) Confirmation(attribute, value, confirmation string) {
	if value != confirmation {
		v.Add(attribute+"_confirmation", "doesn't match "+inflect.Humanize(attribute))
	}
}

// Uniqueness requires that no other row of the table has value in column
// attribute (and the same values for the scope columns). It queries the
// database in the save's transaction; only a unique index makes it
// race-free, and its violation is still reported as ErrUniqueViolation.
func (v *Validation) Uniqueness(attribute string, value any, scope Cond) {
	cond := Cond{attribute: value}
	for k, s := range scope {
		cond[k] = s
	}
	d := &v.db.dialect
	c, err := condClause(d, cond)
	if err != nil {
		v.Add(attribute, err.Error())
		return
	}
	sql := "SELECT 1 FROM " + v.p.qtable + " WHERE " + c.sql
	args, names := c.args, c.names
	if v.id != nil {
		sql += " AND " + d.Quote("id") + " <> ?"
		args, names = append(args, v.id), append(names, "id")
	}
	var one int64
	found, err := scanValue(v.ctx, v.db, "query", d.Rebind(sql+" LIMIT 1"), args, names, &one)
	if err != nil {
		v.Add(attribute, "could not be checked: "+err.Error())
		return
	}
	if found {
		v.Add(attribute, "has already been taken")
	}
}
