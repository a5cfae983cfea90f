package framework

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestInitializersOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func(s *Initializers, rec func(string) func(context.Context, *App) error) error
		want  string
	}{
		{
			name: "added initializers run in the order added",
			build: func(s *Initializers, rec func(string) func(context.Context, *App) error) error {
				return errors.Join(s.Add("a", rec("a")), s.Add("b", rec("b")), s.Add("c", rec("c")))
			},
			want: "a,b,c",
		},
		{
			name: "insert before puts the step just before its target",
			build: func(s *Initializers, rec func(string) func(context.Context, *App) error) error {
				return errors.Join(s.Add("a", rec("a")), s.Add("c", rec("c")), s.InsertBefore("c", "b", rec("b")))
			},
			want: "a,b,c",
		},
		{
			name: "insert after puts the step just after its target",
			build: func(s *Initializers, rec func(string) func(context.Context, *App) error) error {
				return errors.Join(s.Add("a", rec("a")), s.Add("c", rec("c")), s.InsertAfter("a", "b", rec("b")))
			},
			want: "a,b,c",
		},
		{
			name: "insert before the first and after the last",
			build: func(s *Initializers, rec func(string) func(context.Context, *App) error) error {
				return errors.Join(s.Add("b", rec("b")), s.InsertBefore("b", "a", rec("a")), s.InsertAfter("b", "c", rec("c")))
			},
			want: "a,b,c",
		},
		{
			name: "a deleted step does not run",
			build: func(s *Initializers, rec func(string) func(context.Context, *App) error) error {
				return errors.Join(s.Add("a", rec("a")), s.Add("x", rec("x")), s.Add("b", rec("b")), s.Delete("x"))
			},
			want: "a,b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Initializers
			var ran []string
			rec := func(name string) func(context.Context, *App) error {
				return func(context.Context, *App) error { ran = append(ran, name); return nil }
			}
			if err := tt.build(&s, rec); err != nil {
				t.Fatalf("build: %v", err)
			}
			if err := s.run(context.Background(), nil); err != nil {
				t.Fatalf("run: %v", err)
			}
			if got := strings.Join(ran, ","); got != tt.want {
				t.Errorf("ran %s, want %s", got, tt.want)
			}
			if got := strings.Join(s.Names(), ","); got != tt.want {
				t.Errorf("Names() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestInitializerFailureStopsBootAndNamesTheStep(t *testing.T) {
	t.Parallel()
	var s Initializers
	boom := errors.New("cannot connect")
	var ran []string
	step := func(name string, err error) func(context.Context, *App) error {
		return func(context.Context, *App) error { ran = append(ran, name); return err }
	}
	_ = s.Add("first", step("first", nil))
	_ = s.Add("database", step("database", boom))
	_ = s.Add("never", step("never", nil))
	err := s.run(context.Background(), nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
	if !strings.Contains(err.Error(), `initializer "database"`) {
		t.Errorf("error %q does not name the failing initializer", err)
	}
	if got := strings.Join(ran, ","); got != "first,database" {
		t.Errorf("ran %s; the steps after a failure must not run", got)
	}
}

func TestInitializersBadOperations(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, *App) error { return nil }
	tests := []struct {
		name string
		op   func(s *Initializers) error
		want error
	}{
		{"inserting before a missing step", func(s *Initializers) error { return s.InsertBefore("nope", "x", noop) }, ErrNoInitializer},
		{"inserting after a missing step", func(s *Initializers) error { return s.InsertAfter("nope", "x", noop) }, ErrNoInitializer},
		{"deleting a missing step", func(s *Initializers) error { return s.Delete("nope") }, ErrNoInitializer},
		{"adding a name twice", func(s *Initializers) error { return s.Add("a", noop) }, ErrDuplicateInitializer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Initializers
			_ = s.Add("a", noop)
			if err := tt.op(&s); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if got := strings.Join(s.Names(), ","); got != "a" {
				t.Errorf("a failed operation changed the list: %s", got)
			}
		})
	}
	var s Initializers
	if err := s.Add("", noop); err == nil {
		t.Error("an initializer without a name was accepted")
	}
	if err := s.Add("x", nil); err == nil {
		t.Error("an initializer without a function was accepted")
	}
}

func TestBootStopsOnCancelledContext(t *testing.T) {
	t.Parallel()
	var s Initializers
	ran := false
	_ = s.Add("a", func(context.Context, *App) error { ran = true; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ran {
		t.Error("an initializer ran after the context was cancelled")
	}
}
