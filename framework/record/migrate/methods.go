package migrate

import (
	"fmt"
	"path"
	"reflect"
	"runtime"
	"strings"
)

var migrationType = reflect.TypeFor[Migration]()

// Methods returns the migrations set declares as methods, for an app's
// db/migrate package:
//
//	// db/migrate/migrations.go
//	type Migrations struct{}
//	func All() []migrate.Migration { return migrate.Methods(Migrations{}) }
//
//	// db/migrate/20261123085000_create_posts.go
//	func (Migrations) CreatePosts() migrate.Migration { ... }
//
// Every exported method of set's type is one migration, named (version and
// name) by the file that declares it, as in Rails: adding a migration is
// adding its file, and deleting the file deletes it, with no list that
// could drift from the files or stop the build. The file name is read from
// the binary's own symbol table, which -trimpath and -ldflags=-s keep.
//
// A method that is not func() Migration, a file whose name is not
// VERSION_name.go, and a file that declares two migrations are returned as
// migrations carrying the problem, which New, Prepare and the other runners
// report, each naming its file.
func Methods(set any) []Migration {
	v := reflect.ValueOf(set)
	if !v.IsValid() {
		return []Migration{{err: fmt.Errorf("migrate: Methods(nil): give it the app's Migrations{} value")}}
	}
	t := v.Type()
	var out []Migration
	files := map[string]string{} // file -> the method already declared there
	for i := range t.NumMethod() {
		m := t.Method(i)
		file := sourceFile(m.Func)
		base := path.Base(file)
		name := t.Name() + "." + m.Name
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != migrationType {
			out = append(out, Migration{File: base, err: fmt.Errorf("%s: %s is not a migration: a method of %s must be func() migrate.Migration (make helpers unexported)", file, name, t.Name())})
			continue
		}
		if _, _, err := ParseFileName(base); err != nil {
			out = append(out, Migration{File: base, err: fmt.Errorf("%s declares the migration %s, so it must be named VERSION_name.go: %w", file, name, err)})
			continue
		}
		if other, ok := files[file]; ok {
			out = append(out, Migration{File: base, err: fmt.Errorf("%s declares two migrations, %s and %s: give each its own file (gorails generate migration NAME)", file, other, name)})
			continue
		}
		files[file] = name
		mig := m.Func.Call([]reflect.Value{v})[0].Interface().(Migration)
		mig.File = base
		out = append(out, mig)
	}
	if t.Kind() != reflect.Pointer {
		pt := reflect.PointerTo(t)
		for i := range pt.NumMethod() {
			m := pt.Method(i)
			if _, ok := t.MethodByName(m.Name); !ok {
				out = append(out, Migration{err: fmt.Errorf("%s: (*%s).%s has a pointer receiver, so Methods does not see it: declare it as func (%s) %s() migrate.Migration",
					sourceFile(m.Func), t.Name(), m.Name, t.Name(), m.Name)})
			}
		}
	}
	return out
}

// sourceFile is the file that declares the method whose func value is fn,
// with forward slashes.
func sourceFile(fn reflect.Value) string {
	f := runtime.FuncForPC(fn.Pointer())
	if f == nil {
		return "(unknown file)"
	}
	file, _ := f.FileLine(f.Entry())
	return strings.ReplaceAll(file, "\\", "/")
}
