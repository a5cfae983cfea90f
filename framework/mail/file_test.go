package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestFileDeliveryWritesMessagesAndAnIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mails")
	m, err := New(Config{DeliveryMethod: MethodFile, FileDir: dir, Defaults: Defaults{From: "shop@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var sent []*Envelope
	for i := range 2 {
		env, err := m.Deliver(ctx, &Message{To: []string{"ann@example.org"}, Bcc: []string{"audit@example.org"}, Subject: fmt.Sprint("Message ", i), Text: "token-abc"})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, env)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	list, err := ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Subject != "Message 1" || list[1].Subject != "Message 0" {
		t.Fatalf("index (newest first) = %+v", list)
	}
	e := list[1]
	if e.MessageID != sent[0].Message.MessageID || e.Bcc[0] != "audit@example.org" || e.Size != len(sent[0].Raw) {
		t.Errorf("entry %+v", e)
	}
	raw, err := ReadDelivered(dir, e.ID)
	if err != nil || !bytes.Equal(raw, sent[0].Raw) {
		t.Fatalf("ReadDelivered: %v", err)
	}
	st, _ := os.Stat(filepath.Join(dir, e.ID+".eml"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("message file mode %v, want 0600 (it holds reset links)", st.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestFileIndexSurvivesATornLineAndConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		f := NewFile(dir) // one File per "process"
		wg.Go(func() {
			for i := range 25 {
				env := &Envelope{Message: &Message{Subject: fmt.Sprintf("w%d-%d", w, i)}, Raw: []byte("x")}
				if err := f.Deliver(ctx, env); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	idx, err := os.OpenFile(filepath.Join(dir, IndexFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	idx.WriteString(`{"id":"20260101T000000.000000000-0000`) // a writer killed mid-line
	idx.Close()
	list, err := ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 100 {
		t.Fatalf("%d entries, want 100", len(list))
	}
	seen := map[string]bool{}
	for _, e := range list {
		if seen[e.ID] {
			t.Errorf("id %s twice", e.ID)
		}
		seen[e.ID] = true
		if _, err := ReadDelivered(dir, e.ID); err != nil {
			t.Errorf("entry %s has no file: %v", e.ID, err)
		}
	}
}

func TestReadDeliveredRefusesNamesThatAreNotIDs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "secret.eml"), []byte("x"), 0o600)
	for _, id := range []string{"", "secret", "../secret", "/etc/passwd", "20260101T000000.000000000-0000000g", "20260101T000000.000000000-00000000/../../secret"} {
		t.Run(fmt.Sprintf("id %q", id), func(t *testing.T) {
			if _, err := ReadDelivered(dir, id); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("err = %v, want fs.ErrNotExist", err)
			}
		})
	}
	if list, err := ReadIndex(filepath.Join(dir, "missing")); err != nil || len(list) != 0 {
		t.Errorf("a missing directory: %v, %v", list, err)
	}
}
