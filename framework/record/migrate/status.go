package migrate

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// StatusLine is one migration as db:migrate:status shows it.
type StatusLine struct {
	Up      bool
	Version int64
	Name    string // "Create posts"; "********** NO FILE **********" for an applied version with no migration
	File    string // empty when NoFile
	NoFile  bool
}

// Status lists every migration and every applied version, in version order.
func (m *Migrator) Status(ctx context.Context) ([]StatusLine, error) {
	applied, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var out []StatusLine
	for _, e := range m.list {
		out = append(out, StatusLine{Up: applied[e.version], Version: e.version, Name: e.title(), File: e.File})
	}
	for v := range applied {
		if m.find(v) == nil {
			out = append(out, StatusLine{Up: true, Version: v, Name: "********** NO FILE **********", NoFile: true})
		}
	}
	slices.SortFunc(out, func(a, b StatusLine) int {
		switch {
		case a.Version < b.Version:
			return -1
		case a.Version > b.Version:
			return 1
		}
		return 0
	})
	return out, nil
}

// WriteStatus prints lines as Rails' db:migrate:status does, under a
// "database: NAME" line.
func WriteStatus(w io.Writer, database string, lines []StatusLine) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\ndatabase: %s\n\n Status   Migration ID    Migration Name\n%s\n", database, strings.Repeat("-", 50))
	for _, l := range lines {
		st := "down"
		if l.Up {
			st = " up "
		}
		fmt.Fprintf(&b, "  %s    %014d  %s\n", st, l.Version, l.Name)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
