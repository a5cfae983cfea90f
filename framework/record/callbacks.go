package record

import (
	"context"
	"reflect"
)

// Callbacks are optional methods on the model's pointer type, detected once
// when the model's plan is built. A before callback that returns an error
// halts the operation (the error is wrapped with ErrHalted) and rolls back
// the transaction the operation runs in; an after callback's error rolls
// back too. Order on Save: BeforeValidation, Validate, AfterValidation,
// BeforeSave, BeforeCreate|BeforeUpdate, the statement,
// AfterCreate|AfterUpdate, AfterSave; AfterCommit or AfterRollback once the
// outermost transaction ends.
type (
	BeforeValidator interface {
		BeforeValidation(ctx context.Context) error
	}
	AfterValidator interface {
		AfterValidation(ctx context.Context) error
	}
	BeforeSaver interface {
		BeforeSave(ctx context.Context) error
	}
	AfterSaver interface {
		AfterSave(ctx context.Context) error
	}
	BeforeCreator interface {
		BeforeCreate(ctx context.Context) error
	}
	AfterCreator interface {
		AfterCreate(ctx context.Context) error
	}
	BeforeUpdater interface {
		BeforeUpdate(ctx context.Context) error
	}
	AfterUpdater interface {
		AfterUpdate(ctx context.Context) error
	}
	BeforeDestroyer interface {
		BeforeDestroy(ctx context.Context) error
	}
	AfterDestroyer interface {
		AfterDestroy(ctx context.Context) error
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

func hooksOf(t reflect.Type) hooks {
	pt := reflect.PointerTo(t)
	has := func(i reflect.Type) bool { return pt.Implements(i) }
	var h hooks
	h.validate = has(reflect.TypeFor[Validator]()) || has(reflect.TypeFor[BeforeValidator]()) || has(reflect.TypeFor[AfterValidator]())
	h.commit = has(reflect.TypeFor[AfterCommitter]()) || has(reflect.TypeFor[AfterRollbacker]())
	for _, i := range []reflect.Type{reflect.TypeFor[BeforeSaver](), reflect.TypeFor[AfterSaver](), reflect.TypeFor[BeforeCreator](),
		reflect.TypeFor[AfterCreator](), reflect.TypeFor[BeforeUpdater](), reflect.TypeFor[AfterUpdater]()} {
		h.save = h.save || has(i)
	}
	h.destroy = has(reflect.TypeFor[BeforeDestroyer]()) || has(reflect.TypeFor[AfterDestroyer]())
	return h
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
