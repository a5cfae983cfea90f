package record

import (
	"context"
	"fmt"
	"reflect"
	"strings"
)

// Callbacks are optional methods on the model's pointer type, detected once
// when the model's plan is built. Those that run during a write get the
// transaction it runs in, so that what they read and write is part of it
// (record.Create(ctx, tx, &audit)): Save and Destroy of a model with such
// callbacks always run in one (joining the caller's when given a *Tx).
// Validation callbacks get the Executor the save was given. A before
// callback that returns an error halts the operation (the error is wrapped
// with ErrHalted) and rolls back the transaction; an after callback's
// error rolls back too. Order on Save: BeforeValidation, Validate,
// AfterValidation, BeforeSave, BeforeCreate|BeforeUpdate, the statement,
// AfterCreate|AfterUpdate, AfterSave; AfterCommit or AfterRollback once
// the outermost transaction ends.
type (
	BeforeValidator interface {
		BeforeValidation(ctx context.Context, db Executor) error
	}
	AfterValidator interface {
		AfterValidation(ctx context.Context, db Executor) error
	}
	BeforeSaver interface {
		BeforeSave(ctx context.Context, tx *Tx) error
	}
	AfterSaver interface {
		AfterSave(ctx context.Context, tx *Tx) error
	}
	BeforeCreator interface {
		BeforeCreate(ctx context.Context, tx *Tx) error
	}
	AfterCreator interface {
		AfterCreate(ctx context.Context, tx *Tx) error
	}
	BeforeUpdater interface {
		BeforeUpdate(ctx context.Context, tx *Tx) error
	}
	AfterUpdater interface {
		AfterUpdate(ctx context.Context, tx *Tx) error
	}
	BeforeDestroyer interface {
		BeforeDestroy(ctx context.Context, tx *Tx) error
	}
	AfterDestroyer interface {
		AfterDestroy(ctx context.Context, tx *Tx) error
	}
	// AfterCommitter runs after the real commit of the transaction that
	// saved or destroyed the record; it cannot fail the operation.
	AfterCommitter interface {
		AfterCommit(ctx context.Context)
	}
	// AfterRollbacker runs when that transaction (or its savepoint) rolls back.
	AfterRollbacker interface {
		AfterRollback(ctx context.Context)
	}
	// Validator declares a model's validations; see Validation.
	Validator interface {
		Validate(ctx context.Context, v *Validation)
	}
)

// hooks says which callbacks a model type has.
type hooks struct {
	validate, save, destroy, commit bool // validation hooks; save-path hooks; destroy hooks; commit/rollback hooks
}

// callbackTypes are the callback interfaces with their method names.
var callbackTypes = [...]struct {
	name string
	typ  reflect.Type
}{
	{"Validate", reflect.TypeFor[Validator]()},
	{"BeforeValidation", reflect.TypeFor[BeforeValidator]()}, {"AfterValidation", reflect.TypeFor[AfterValidator]()},
	{"BeforeSave", reflect.TypeFor[BeforeSaver]()}, {"AfterSave", reflect.TypeFor[AfterSaver]()},
	{"BeforeCreate", reflect.TypeFor[BeforeCreator]()}, {"AfterCreate", reflect.TypeFor[AfterCreator]()},
	{"BeforeUpdate", reflect.TypeFor[BeforeUpdater]()}, {"AfterUpdate", reflect.TypeFor[AfterUpdater]()},
	{"BeforeDestroy", reflect.TypeFor[BeforeDestroyer]()}, {"AfterDestroy", reflect.TypeFor[AfterDestroyer]()},
	{"AfterCommit", reflect.TypeFor[AfterCommitter]()}, {"AfterRollback", reflect.TypeFor[AfterRollbacker]()},
}

// hooksOf finds t's callbacks. A method named as a callback with another
// signature is an error, not a method record silently never calls.
func hooksOf(t reflect.Type) (hooks, error) {
	pt := reflect.PointerTo(t)
	var h hooks
	for _, cb := range callbackTypes {
		name, i := cb.name, cb.typ
		m, ok := pt.MethodByName(name)
		if !ok {
			continue
		}
		if !pt.Implements(i) {
			want, _ := i.MethodByName(name)
			have := "func(" + strings.TrimPrefix(strings.TrimPrefix(m.Type.String(), "func("+pt.String()), ", ")
			return h, fmt.Errorf("record: %s.%s is %s, but the %s callback is %s: fix its signature or rename it", t.Name(), name, have, name, want.Type)
		}
		switch name {
		case "Validate", "BeforeValidation", "AfterValidation":
			h.validate = true
		case "AfterCommit", "AfterRollback":
			h.commit = true
		case "BeforeDestroy", "AfterDestroy":
			h.destroy = true
		default:
			h.save = true
		}
	}
	return h, nil
}

// run calls a callback and wraps its error.
func halt(name string, err error) error {
	if err == nil {
		return nil
	}
	return &callbackError{name: name, err: err}
}

type callbackError struct {
	name string
	err  error
}

func (e *callbackError) Error() string   { return "record: " + e.name + " halted: " + e.err.Error() }
func (e *callbackError) Unwrap() []error { return []error{ErrHalted, e.err} }
