package cache

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// DefaultCompressThreshold is the payload size from which the Cache
// compresses entries for a shared store (Rails' compress_threshold).
const DefaultCompressThreshold = 1024

// compressLevel trades ratio for speed: compression runs on every write
// and decompression on every hit of a large entry; BestSpeed gives most of
// the default level's saving on HTML and JSON at a fraction of its cost
// (see BenchmarkCompression).
const compressLevel = flate.BestSpeed

// compressor holds reusable DEFLATE writers and readers: a flate.Writer
// allocates about a megabyte, far more than a cache entry. Raw DEFLATE
// (not gzip or zlib) because the entry header already says what the
// payload is and how long it is; gzip's and zlib's headers and checksums
// would only add bytes and work to every entry.
type compressor struct {
	writers sync.Pool // *flate.Writer
	readers sync.Pool // io.ReadCloser implementing flate.Resetter
}

// compress appends the DEFLATE form of p to dst.
func (c *compressor) compress(dst, p []byte) []byte {
	buf := bytes.NewBuffer(dst)
	w, _ := c.writers.Get().(*flate.Writer)
	if w == nil {
		w, _ = flate.NewWriter(buf, compressLevel) // the level is valid: no error
	} else {
		w.Reset(buf)
	}
	_, _ = w.Write(p) // a bytes.Buffer never fails
	_ = w.Close()
	c.writers.Put(w)
	return buf.Bytes()
}

// decompress inflates p, which must expand to exactly n bytes.
func (c *compressor) decompress(p []byte, n int) ([]byte, error) {
	src := bytes.NewReader(p)
	r, _ := c.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer c.readers.Put(r)
	out := make([]byte, n)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("%w: inflate: %v", ErrCorruptEntry, err)
	}
	var one [1]byte
	if k, err := r.Read(one[:]); k != 0 || err != io.EOF {
		return nil, fmt.Errorf("%w: inflate: longer than its header says", ErrCorruptEntry)
	}
	return out, nil
}
