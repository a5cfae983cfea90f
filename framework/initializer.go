package framework

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNoInitializer is returned when an operation names an initializer that is not in the list.
var ErrNoInitializer = errors.New("no such initializer")

// ErrDuplicateInitializer is returned when a name is added twice.
var ErrDuplicateInitializer = errors.New("initializer already added")

// An Initializer is one named step of an app's boot, such as "database" or
// "routes". Initializers run in order; the first error stops the boot.
type Initializer struct {
	Name string
	Run  func(ctx context.Context, app *App) error
}

// Initializers is an ordered list of named boot steps, like Rails'
// initializer chain. Its zero value is an empty list. It is not safe for
// concurrent use: it is built before boot.
type Initializers struct {
	list []Initializer
}

// Add appends an initializer.
func (s *Initializers) Add(name string, run func(context.Context, *App) error) error {
	return s.insert(len(s.list), name, run)
}

// InsertBefore inserts an initializer just before the one named target.
func (s *Initializers) InsertBefore(target, name string, run func(context.Context, *App) error) error {
	i, err := s.find(target)
	if err != nil {
		return err
	}
	return s.insert(i, name, run)
}

// InsertAfter inserts an initializer just after the one named target.
func (s *Initializers) InsertAfter(target, name string, run func(context.Context, *App) error) error {
	i, err := s.find(target)
	if err != nil {
		return err
	}
	return s.insert(i+1, name, run)
}

// Delete removes the initializer named name.
func (s *Initializers) Delete(name string) error {
	i, err := s.find(name)
	if err != nil {
		return err
	}
	s.list = append(s.list[:i], s.list[i+1:]...)
	return nil
}

// Names lists the initializers in the order they run.
func (s *Initializers) Names() []string {
	names := make([]string, len(s.list))
	for i, in := range s.list {
		names[i] = in.Name
	}
	return names
}

// String prints the list one name per line, in order.
func (s *Initializers) String() string { return strings.Join(s.Names(), "\n") }

// run runs every initializer in order. An error names the initializer that failed.
func (s *Initializers) run(ctx context.Context, app *App) error {
	for _, in := range s.list {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("boot interrupted before initializer %q: %w", in.Name, err)
		}
		if err := in.Run(ctx, app); err != nil {
			return fmt.Errorf("initializer %q: %w", in.Name, err)
		}
	}
	return nil
}

func (s *Initializers) insert(i int, name string, run func(context.Context, *App) error) error {
	if name == "" || run == nil {
		return fmt.Errorf("initializer needs a name and a function (got name %q)", name)
	}
	if _, err := s.find(name); err == nil {
		return fmt.Errorf("initializer %q: %w", name, ErrDuplicateInitializer)
	}
	s.list = append(s.list, Initializer{})
	copy(s.list[i+1:], s.list[i:])
	s.list[i] = Initializer{Name: name, Run: run}
	return nil
}

func (s *Initializers) find(name string) (int, error) {
	for i, in := range s.list {
		if in.Name == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("initializer %q: %w", name, ErrNoInitializer)
}
