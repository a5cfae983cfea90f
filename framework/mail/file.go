package mail

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// IndexFile is the name of the index File delivery keeps in its directory:
// one JSON object (an IndexEntry) per line, appended per message.
const IndexFile = "index.jsonl"

// File is the development delivery: each message is written to its own
// .eml file in a directory (mode 0600, as messages hold reset links), and
// a line describing it is appended to the directory's index.jsonl, which
// the preview page reads. Several processes (server workers, a job
// worker) may deliver to one directory: each message file is written
// under a temporary name and renamed into place, and each index line is
// one append. It is safe for concurrent use.
type File struct {
	dir string
	now func() time.Time
}

// NewFile returns File delivery into dir, created (0700) on first use.
func NewFile(dir string) *File { return &File{dir: dir, now: time.Now} }

// Dir returns the directory messages are written to.
func (f *File) Dir() string { return f.dir }

// IndexEntry describes one delivered message in index.jsonl.
type IndexEntry struct {
	ID        string    `json:"id"` // the file is <ID>.eml
	Time      time.Time `json:"time"`
	MessageID string    `json:"message_id"`
	From      string    `json:"from"`
	To        []string  `json:"to,omitempty"`
	Cc        []string  `json:"cc,omitempty"`
	Bcc       []string  `json:"bcc,omitempty"`
	Subject   string    `json:"subject"`
	Size      int       `json:"size"`
}

// validID is what File names its messages: a UTC timestamp and random hex.
// The preview page serves only IDs of this form, so none can name a path.
var validID = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}\.[0-9]{9}-[0-9a-f]{8}$`)

// Deliver writes e.Raw to <dir>/<ID>.eml and appends its IndexEntry.
func (f *File) Deliver(ctx context.Context, e *Envelope) error {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("mail: file delivery: %w", err)
	}
	now := f.now().UTC()
	var r [4]byte
	rand.Read(r[:])
	id := now.Format("20060102T150405.000000000") + "-" + hex.EncodeToString(r[:])
	err := writeFileAtomic(filepath.Join(f.dir, id+".eml"), e.Raw)
	if err != nil {
		return fmt.Errorf("mail: file delivery: %w", err)
	}
	m := e.Message
	if m == nil {
		if m, err = Parse(e.Raw); err != nil {
			m = &Message{}
		}
	}
	line, err := json.Marshal(IndexEntry{
		ID: id, Time: now, MessageID: m.MessageID, From: m.From, To: m.To, Cc: m.Cc, Bcc: m.Bcc,
		Subject: m.Subject, Size: len(e.Raw),
	})
	if err != nil {
		return fmt.Errorf("mail: file delivery: %w", err)
	}
	// One write with O_APPEND: concurrent writers' lines do not interleave.
	idx, err := os.OpenFile(filepath.Join(f.dir, IndexFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("mail: file delivery: %w", err)
	}
	_, werr := idx.Write(append(line, '\n'))
	if err := errors.Join(werr, idx.Close()); err != nil {
		return fmt.Errorf("mail: file delivery: index: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// ReadIndex returns the messages delivered to dir, newest first. A
// missing directory or index is an empty list; a torn or malformed line
// (a writer killed mid-append) is skipped.
func ReadIndex(dir string) ([]IndexEntry, error) {
	data, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mail: read index: %w", err)
	}
	var out []IndexEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e IndexEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && validID.MatchString(e.ID) {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mail: read index: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// ReadDelivered returns the raw message File delivered with id, or an
// error matching fs.ErrNotExist for an unknown or malformed id.
func ReadDelivered(dir, id string) ([]byte, error) {
	if !validID.MatchString(id) {
		return nil, fmt.Errorf("mail: message %q: %w", id, fs.ErrNotExist)
	}
	return os.ReadFile(filepath.Join(dir, id+".eml"))
}
