// Package generator renders gorails' embedded templates into files, the way
// Rails' generators do: each file is printed as a "create path" line, existing
// files are never overwritten without Force, and a whole new application is
// written to a temporary directory first and moved into place only when
// complete, so a failure leaves nothing behind.
//
// Template files end in ".tt" and are Go text/templates with the delimiters
// "[[" and "]]" (so that the html/template views and Go code they produce can
// use "{{ }}" freely); the ".tt" is dropped from the output name. Other files
// are copied as they are. Path elements may hold templates too, such as
// "app/models/[[.File]].go.tt".
package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// ErrExists is returned when a file to be created exists and Force is off.
var ErrExists = errors.New("already exists")

// File is one rendered file: its slash-separated path relative to the
// destination and its contents.
type File struct {
	Path string
	Data []byte
	Mode fs.FileMode
}

// Render renders every file under dir in fsys with data and returns them
// sorted by path. It writes nothing.
func Render(fsys fs.FS, dir string, data any, funcs template.FuncMap) ([]File, error) {
	var files []File
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		name, err := expand("path "+rel, rel, data, funcs)
		if err != nil {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".tt") {
			name = strings.TrimSuffix(name, ".tt")
			out, err := expand(rel, string(body), data, funcs)
			if err != nil {
				return err
			}
			body = []byte(out)
		}
		mode := fs.FileMode(0o644)
		if strings.HasPrefix(path.Base(name), "bin") || strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		files = append(files, File{Path: name, Data: body, Mode: mode})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("render templates %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func expand(name, text string, data any, funcs template.FuncMap) (string, error) {
	t, err := template.New(name).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Status prints a Rails-style status line, such as "      create  app/models/post.go".
func Status(w io.Writer, verb, p string) {
	fmt.Fprintf(w, "%12s  %s\n", verb, p)
}

// Write writes files under root, printing a "create" line for each (or
// "force" when Force replaced one, "identical" when it was already so). It
// checks every file first and writes nothing when one exists and differs
// while force is off.
func Write(root string, files []File, force bool, out io.Writer) error {
	verbs := make([]string, len(files))
	var clash []string
	for i, f := range files {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			verbs[i] = "create"
		case err != nil:
			return err
		case bytes.Equal(old, f.Data):
			verbs[i] = "identical"
		case force:
			verbs[i] = "force"
		default:
			clash = append(clash, f.Path)
		}
	}
	if len(clash) > 0 {
		return fmt.Errorf("%s %w (use --force to overwrite)", strings.Join(clash, ", "), ErrExists)
	}
	for i, f := range files {
		if verbs[i] != "identical" {
			dst := filepath.Join(root, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, f.Data, f.Mode); err != nil {
				return err
			}
		}
		Status(out, verbs[i], f.Path)
	}
	return nil
}

// WriteTree creates the directory dst holding files, all or nothing: the
// files are written to a temporary directory beside dst, which is renamed to
// dst once complete. dst must not exist or be an empty directory.
func WriteTree(dst string, files []File, out io.Writer) error {
	if err := checkEmpty(dst); err != nil {
		return err
	}
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	if err := Write(tmp, files, false, io.Discard); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// os.Rename will not replace a directory, even an empty one: remove it
	// (checkEmpty saw it empty; Remove fails if something appeared since).
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %w", dst, ErrNotEmpty)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("move the new application into %s: %w", dst, err)
	}
	for _, f := range files {
		Status(out, "create", f.Path)
	}
	return nil
}

// ErrNotEmpty is returned when the destination of a new tree exists and is not an empty directory.
var ErrNotEmpty = errors.New("exists and is not an empty directory")

func checkEmpty(dst string) error {
	entries, err := os.ReadDir(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if st, serr := os.Stat(dst); serr == nil && !st.IsDir() {
			return fmt.Errorf("%s %w", dst, ErrNotEmpty)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s %w", dst, ErrNotEmpty)
	}
	return nil
}

// Remove deletes files under root, printing a "remove" line for each (or
// "missing" for one already gone), as `gorails destroy` does. It stops at
// the first other error.
func Remove(root string, paths []string, out io.Writer) error {
	for _, p := range paths {
		err := os.Remove(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case err == nil:
			Status(out, "remove", p)
		case errors.Is(err, fs.ErrNotExist):
			Status(out, "missing", p)
		default:
			return err
		}
	}
	return nil
}
