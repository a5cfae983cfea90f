package middleware

import (
	"bytes"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// ETagMaxBody is the largest response ETag buffers to digest; a longer
// one is sent as it comes, without an ETag.
const ETagMaxBody = 1 << 20

// ETag is Rack::ETag and Rack::ConditionalGet in one: it gives a 200
// response to GET or HEAD that has neither an ETag nor a Last-Modified a
// weak ETag digested from its body (see appendWeakETag), and a
// Cache-Control of "max-age=0, private, must-revalidate" when it has none;
// then, for any 200 response to GET or HEAD, it answers 304 Not Modified
// without the body when the request's If-None-Match names the ETag (or,
// without If-None-Match, when If-Modified-Since is not before
// Last-Modified). Responses marked Cache-Control no-store (or no-cache, as
// Rack skips them), streamed ones (the handler flushes, or the body passes
// ETagMaxBody) and event streams are passed through untouched.
//
// A page with a per-request value in it (a masked CSRF token) has a new
// body each time, so its ETag never matches and it is always sent in full:
// correct, only not cheaper. An action's own FreshWhen (a validator from
// the records it shows) is what makes such pages answer 304.
func ETag(next http.Handler) http.Handler {
	// Buffers are reused: a page's worth of allocation per request would
	// cost more than the digest.
	pool := &sync.Pool{New: func() any { return new(bytes.Buffer) }}
	// The default Cache-Control's values, shared by every response as they
	// are (Header().Set would make a slice each time); length 1, capacity
	// 1, so a later Add appends to a copy. Never change its element.
	cacheControl := []string{"max-age=0, private, must-revalidate"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		buf := pool.Get().(*bytes.Buffer)
		ew := &etagWriter{w: w, r: r, buf: buf, cacheControl: cacheControl}
		next.ServeHTTP(ew, r)
		ew.finish() // not deferred: after a panic, Recover answers on w
		if buf.Cap() <= 2*ETagMaxBody {
			buf.Reset()
			pool.Put(buf)
		}
	})
}

type etagState uint8

const (
	etagUndecided etagState = iota // no header written yet
	etagBuffering                  // a 200 whose body is kept to digest
	etagPassing                    // everything goes straight through
	etagDone                       // a 304 went out: the body is dropped
)

type etagWriter struct {
	w      http.ResponseWriter
	r      *http.Request
	state  etagState
	status int
	buf    *bytes.Buffer

	cacheControl []string          // the shared default Cache-Control values
	etag         [1]string         // the ETag header's values, kept here: no slice of their own
	etagText     [weakETagMax]byte // etag[0]'s bytes: no string of their own
}

func (e *etagWriter) Header() http.Header { return e.w.Header() }

// Unwrap lets http.ResponseController reach the writer underneath.
func (e *etagWriter) Unwrap() http.ResponseWriter { return e.w }

func (e *etagWriter) WriteHeader(status int) {
	if e.state != etagUndecided {
		if e.state == etagPassing {
			e.w.WriteHeader(status) // let net/http report the superfluous call
		}
		return
	}
	if status >= 100 && status < 200 {
		e.w.WriteHeader(status) // informational: not the final header
		return
	}
	e.status = status
	h := e.w.Header()
	cc := strings.ToLower(headerValue(h, "Cache-Control"))
	switch {
	case status != http.StatusOK,
		strings.Contains(cc, "no-store"),
		strings.HasPrefix(headerValue(h, "Content-Type"), "text/event-stream"):
		e.pass()
	case headerValue(h, "Etag") != "" || headerValue(h, "Last-Modified") != "":
		// The handler set its own validator: only the conditional check.
		if notModified(e.r, h) {
			e.send304()
			return
		}
		e.pass()
	case strings.Contains(cc, "no-cache"), e.r.Method == http.MethodHead:
		// HEAD: a handler may skip the body, whose digest would then not
		// be GET's.
		e.pass()
	default:
		e.state = etagBuffering
	}
}

func (e *etagWriter) pass() {
	e.state = etagPassing
	e.w.WriteHeader(e.status)
}

func (e *etagWriter) Write(p []byte) (int, error) {
	switch e.target(len(p)) {
	case etagBuffering:
		return e.buf.Write(p)
	case etagPassing:
		return e.w.Write(p)
	}
	return len(p), nil // a 304 was sent: the body is dropped
}

// WriteString is Write of a string: buffered without a copy to bytes.
func (e *etagWriter) WriteString(s string) (int, error) {
	switch e.target(len(s)) {
	case etagBuffering:
		return e.buf.WriteString(s)
	case etagPassing:
		return io.WriteString(e.w, s)
	}
	return len(s), nil
}

// target readies a write of n bytes and says where it goes: the buffer
// (etagBuffering), the writer underneath (etagPassing) or nowhere
// (etagDone). A write that would pass ETagMaxBody sends the buffer on.
func (e *etagWriter) target(n int) etagState {
	if e.state == etagUndecided {
		e.WriteHeader(http.StatusOK)
	}
	if e.state == etagBuffering && e.buf.Len()+n > ETagMaxBody {
		e.flushBuffer()
	}
	return e.state
}

// Flush streams: what is buffered goes out without an ETag.
func (e *etagWriter) Flush() {
	if e.state == etagUndecided {
		e.WriteHeader(http.StatusOK)
	}
	if e.state == etagBuffering {
		e.flushBuffer()
	}
	if f, ok := e.w.(http.Flusher); ok && e.state == etagPassing {
		f.Flush()
	}
}

func (e *etagWriter) flushBuffer() {
	e.pass()
	_, _ = e.w.Write(e.buf.Bytes())
	e.buf.Reset()
}

func (e *etagWriter) send304() {
	h := e.w.Header()
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding"} {
		h.Del(k)
	}
	e.state = etagDone
	e.w.WriteHeader(http.StatusNotModified)
}

func (e *etagWriter) finish() {
	switch e.state {
	case etagUndecided:
		// The handler wrote nothing: an empty 200 (net/http's default).
		e.WriteHeader(http.StatusOK)
		if e.state != etagBuffering {
			return
		}
	case etagBuffering:
	default:
		return
	}
	h := e.w.Header()
	// The ETag's text lives in the writer, allocated per request and
	// never reused: written once here, then only read.
	tag := appendWeakETag(e.etagText[:0], e.buf.Bytes())
	e.etag[0] = unsafe.String(&tag[0], len(tag))
	h["Etag"] = e.etag[:] // as Set("ETag") keys it
	if headerValue(h, "Cache-Control") == "" {
		h["Cache-Control"] = e.cacheControl
	}
	if notModified(e.r, h) {
		e.send304()
		return
	}
	e.w.WriteHeader(http.StatusOK)
	_, _ = e.w.Write(e.buf.Bytes())
}

// headerValue is h.Get(key) for a key given in canonical form (as
// textproto.CanonicalMIMEHeaderKey spells it: "Etag", not "ETag"): the map
// index alone, without Get's pass over the key to canonicalise it, which
// costs more than the lookup. ETag reads eight headers per response.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// castagnoli is CRC-32C's table (computed with SSE4.2 or ARMv8 CRC
// instructions where the CPU has them).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// weakETagMax is the longest weak ETag: W/", two CRCs, a 64-bit length and
// ", in hex.
const weakETagMax = 3 + 8 + 8 + 16 + 1

// appendWeakETag appends the weak ETag of body to b:
// W/"<CRC-32C><CRC-32><length>", in hex. A weak
// validator must change when the page changes, and need not resist an
// adversary (a collision only keeps a client on its own older copy), so
// two hardware CRCs and the length stand in for Rack's SHA-256 at a
// hundredth of the cost: 20 KiB digest in about a microsecond.
func appendWeakETag(b, body []byte) []byte {
	b = append(b, `W/"`...)
	b = appendHex32(b, crc32.Checksum(body, castagnoli))
	b = appendHex32(b, crc32.ChecksumIEEE(body))
	b = strconv.AppendUint(b, uint64(len(body)), 16)
	return append(b, '"')
}

func appendHex32(b []byte, v uint32) []byte {
	const digits = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&0xf])
	}
	return b
}

// notModified reports whether the request's validators match the
// response's (RFC 9110 section 13.2.2: If-None-Match wins; If-Modified-Since
// is read only without it).
func notModified(r *http.Request, h http.Header) bool {
	if inm := headerValue(r.Header, "If-None-Match"); inm != "" {
		etag := headerValue(h, "Etag")
		return etag != "" && ETagMatches(inm, etag)
	}
	ims := headerValue(r.Header, "If-Modified-Since")
	lm := headerValue(h, "Last-Modified")
	if ims == "" || lm == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	mod, err := http.ParseTime(lm)
	if err != nil {
		return false
	}
	return !mod.Truncate(time.Second).After(since)
}

// ETagMatches reports whether an If-None-Match header value matches etag
// by the weak comparison (W/"x" matches "x"); "*" matches any. A malformed
// list matches nothing.
func ETagMatches(ifNoneMatch, etag string) bool {
	etag = strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	for _, cand := range strings.Split(ifNoneMatch, ",") {
		cand = strings.TrimSpace(cand)
		if cand == "*" {
			return true
		}
		if strings.TrimPrefix(cand, "W/") == etag && etag != "" {
			return true
		}
	}
	return false
}
