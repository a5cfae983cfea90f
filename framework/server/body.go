package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

var (
	errBodyTooLarge = errors.New("request body too large")
	errBodyTimeout  = errors.New("request body not received in time")
	errBodyBuffer   = errors.New("cannot buffer the request body")
)

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// bufferBody reads the whole request body before the request takes a slot:
// up to cfg.BodyMemoryLimit in memory, beyond that in a temp file that is
// unlinked as soon as it is created, so nothing is left behind even if the
// worker dies. r.Body is replaced by the buffer and r.ContentLength set to
// its size. The returned closer releases the buffer; on error the status
// says how to answer (413, 408 or 400).
func bufferBody(w http.ResponseWriter, r *http.Request, cfg *Config) (io.Closer, int, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nopCloser{}, 0, nil
	}
	rc := http.NewResponseController(w)
	if cfg.BodyTimeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(cfg.BodyTimeout))
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	if cfg.MaxBodyBytes > 0 && r.ContentLength > cfg.MaxBodyBytes {
		refuseBody(w, r, rc)
		return nil, http.StatusRequestEntityTooLarge, errBodyTooLarge
	}
	src := io.Reader(r.Body)
	if cfg.MaxBodyBytes > 0 {
		src = http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes)
	}
	closer, n, err := readBody(r, src, cfg)
	if err == nil && r.ContentLength >= 0 && n != r.ContentLength {
		// net/http reports a body cut short as io.ErrUnexpectedEOF; a
		// Body that ends early with io.EOF (a wrapper's) is no more a
		// whole body.
		_ = closer.Close()
		err = fmt.Errorf("%w: %d of the %d bytes declared", io.ErrUnexpectedEOF, n, r.ContentLength)
	}
	if err != nil {
		return nil, bodyStatus(err), bodyError(err)
	}
	r.ContentLength = n
	return closer, 0, nil
}

// refuseBody makes net/http close the connection gently after the 413
// (half-close, then a short linger), so that a client already sending the
// body reads the answer instead of a reset: reading one byte past a zero
// limit marks the request too large. It waits 50ms at most for that byte,
// and reads nothing from a client waiting for "100 Continue" (reading
// would invite the body).
func refuseBody(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) {
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	_ = rc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	var one [1]byte
	_, _ = http.MaxBytesReader(w, r.Body, 0).Read(one[:])
}

// readBody fills memory up to the limit and spills the rest to a file.
func readBody(r *http.Request, src io.Reader, cfg *Config) (io.Closer, int64, error) {
	limit := cfg.BodyMemoryLimit
	if r.ContentLength >= 0 && r.ContentLength <= limit {
		buf := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(src, buf); err != nil {
			return nil, 0, err
		}
		r.Body = io.NopCloser(bytes.NewReader(buf))
		return nopCloser{}, r.ContentLength, nil
	}
	var mem bytes.Buffer
	n, err := io.CopyN(&mem, src, limit+1)
	if err == io.EOF {
		r.Body = io.NopCloser(bytes.NewReader(mem.Bytes()))
		return nopCloser{}, n, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return spill(r, io.MultiReader(&mem, src), cfg.TempDir)
}

// spill copies the body into an unlinked temp file and serves it from there.
func spill(r *http.Request, src io.Reader, dir string) (io.Closer, int64, error) {
	f, err := os.CreateTemp(dir, "gorails-body-*")
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", errBodyBuffer, err)
	}
	_ = os.Remove(f.Name())
	n, err := io.Copy(f, src)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	r.Body = io.NopCloser(f)
	return f, n, nil
}

func bodyStatus(err error) int {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout
	case errors.Is(err, errBodyBuffer):
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

func bodyError(err error) error {
	switch bodyStatus(err) {
	case http.StatusRequestEntityTooLarge:
		return errBodyTooLarge
	case http.StatusRequestTimeout:
		return errBodyTimeout
	case http.StatusInternalServerError:
		return err
	default:
		return fmt.Errorf("reading request body: %w", err)
	}
}
