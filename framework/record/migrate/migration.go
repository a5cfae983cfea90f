package migrate

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrBadFileName: a migration's file name is not VERSION_name.go with a
	// 14-digit version and a snake_case name.
	ErrBadFileName = errors.New("bad migration file name (want YYYYMMDDHHMMSS_snake_case_name.go)")
	// ErrDuplicateVersion: two migrations share a version.
	ErrDuplicateVersion = errors.New("duplicate migration version")
	// ErrDuplicateName: two migrations share a name.
	ErrDuplicateName = errors.New("duplicate migration name")
	// ErrNoBody: a migration defines neither Change nor Up.
	ErrNoBody = errors.New("migration defines neither Change nor Up")
	// ErrIrreversible: a step cannot be undone (a Change step with no
	// inverse, or a migration with Up and no Down).
	ErrIrreversible = errors.New("irreversible migration")
	// ErrLocked: another migrator held the migration lock for longer than
	// Options.LockTimeout.
	ErrLocked = errors.New("another migrator is running")
	// ErrUnknownVersion: a target version matches no migration.
	ErrUnknownVersion = errors.New("no migration with that version")
	// ErrUnsupported: the operation cannot be expressed on this database.
	ErrUnsupported = errors.New("not supported on this database")
)

// Migration is one schema change. Define it in its own file named
// VERSION_name.go (e.g. db/migrate/20261123085000_create_posts.go) as a
// method of the app's Migrations type, which Methods collects (or list it
// with File). Set either Change (reversible:
// the runner inverts its steps to roll back) or Up and, optionally, Down.
type Migration struct {
	// File is the migration's file name, "20261123085000_create_posts.go";
	// the version and name are parsed from it. Set it with File.
	File string
	// Change records reversible steps.
	Change func(s *Schema)
	// Up records the steps that apply the migration; Down those that undo it.
	Up, Down func(s *Schema)
	// DisableTransaction runs the steps outside a transaction even where
	// DDL is transactional (PostgreSQL's CREATE INDEX CONCURRENTLY needs it).
	DisableTransaction bool

	// err is what Methods found wrong with the method that declares the
	// migration; validate reports it.
	err error
}

// File returns m with its File set to name, for a list of migrations built
// by hand: migrate.File("20261123085000_create_posts.go", CreatePosts()).
func File(name string, m Migration) Migration {
	m.File = name
	return m
}

// ParseFileName splits a migration file name (a path is allowed) into its
// version and name: "db/migrate/20261123085000_create_posts.go" gives
// 20261123085000 and "create_posts". It returns an error wrapping
// ErrBadFileName otherwise.
func ParseFileName(file string) (version int64, name string, err error) {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	bad := func(why string) (int64, string, error) {
		return 0, "", fmt.Errorf("%q: %s: %w", file, why, ErrBadFileName)
	}
	if !strings.HasSuffix(base, ".go") || strings.HasSuffix(base, "_test.go") {
		return bad("not a .go file")
	}
	stem := strings.TrimSuffix(base, ".go")
	v, n, ok := strings.Cut(stem, "_")
	if !ok || len(v) != 14 {
		return bad("the version must be 14 digits (YYYYMMDDHHMMSS) followed by _")
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return bad("the version must be 14 digits (YYYYMMDDHHMMSS)")
		}
	}
	if !validName(n) {
		return bad("the name must be snake_case: lower-case letters, digits and single underscores, starting with a letter")
	}
	version, err = strconv.ParseInt(v, 10, 64)
	if err != nil || version == 0 {
		return bad("the version must not be zero")
	}
	return version, n, nil
}

func validName(n string) bool {
	if n == "" || n[0] < 'a' || n[0] > 'z' || n[len(n)-1] == '_' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '_' && n[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// entry is a validated migration.
type entry struct {
	Migration
	version int64
	name    string
}

// title is the name as a Rails status line shows it: "Create posts".
func (e *entry) title() string { return humanize(e.name) }

func humanize(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// validate parses every file name, checks versions and names are unique
// and every migration has a body, and returns the migrations sorted by
// version. All problems are reported together, each naming its file.
func validate(ms []Migration) ([]*entry, error) {
	var errs []error
	out := make([]*entry, 0, len(ms))
	byVersion := map[int64]string{}
	byName := map[string]string{}
	for _, m := range ms {
		if m.err != nil {
			errs = append(errs, m.err)
			continue
		}
		v, n, err := ParseFileName(m.File)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, ok := byVersion[v]; ok {
			errs = append(errs, fmt.Errorf("%s and %s: version %d: %w", other, m.File, v, ErrDuplicateVersion))
			continue
		}
		if other, ok := byName[n]; ok {
			errs = append(errs, fmt.Errorf("%s and %s: name %s: %w", other, m.File, n, ErrDuplicateName))
			continue
		}
		if m.Change == nil && m.Up == nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.File, ErrNoBody))
			continue
		}
		byVersion[v], byName[n] = m.File, m.File
		out = append(out, &entry{Migration: m, version: v, name: n})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("migrate: invalid migrations: %w", errors.Join(errs...))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}
