package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"mime"
	"strings"
	"unicode/utf8"
)

// Line limits of RFC 5322 section 2.1.1: lines SHOULD stay within 78
// characters and MUST stay within 998 (both without the CRLF).
const (
	foldAt     = 78
	maxLineLen = 998
)

// reserved are the headers the Message's fields and the encoder own; a
// Headers entry may not set them (case-insensitive).
var reserved = map[string]bool{
	"from": true, "sender": true, "to": true, "cc": true, "bcc": true, "reply-to": true,
	"subject": true, "date": true, "message-id": true, "mime-version": true, "return-path": true,
	"content-type": true, "content-transfer-encoding": true, "content-disposition": true, "content-id": true,
}

// checkHeaderName reports whether name is a header field name (RFC 5322
// ftext: printable ASCII except colon) that the Headers map may set.
func checkHeaderName(field, name string) error {
	if name == "" {
		return fieldErr(field, "empty header name")
	}
	if strings.ContainsAny(name, "\r\n") {
		return &FieldError{Field: field, Err: ErrHeaderInjection}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return fieldErr(field, "%q is not a header name (printable ASCII without spaces or colons)", name)
		}
	}
	if reserved[strings.ToLower(name)] {
		return fieldErr(field, "%s is set by the message's own field, not by Headers", name)
	}
	return nil
}

// unstructured returns s ready for an unstructured header (Subject, a
// custom header): as is when it is printable ASCII with no word a reader
// would decode as an encoded-word, else as RFC 2047 encoded-words (Q for
// mostly Latin text, B for the rest). A CR or LF is ErrHeaderInjection;
// invalid UTF-8 is an error.
func unstructured(field, s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") {
		return "", &FieldError{Field: field, Err: ErrHeaderInjection}
	}
	if !utf8.ValidString(s) {
		return "", fieldErr(field, "not valid UTF-8")
	}
	switch {
	case hasControlOrHigh(s):
		return wordEncoder(s).Encode("utf-8", s), nil
	case field == "Subject" && hasLongWord(s), hasEncodedWord(s), strings.TrimSpace(s) != s:
		// mime's encoders leave printable ASCII alone: encode by hand.
		// (Readers trim a value's outer whitespace; encoded, it stays.)
		return bEncodeASCII(s), nil
	}
	return s, nil
}

func hasControlOrHigh(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return true
		}
	}
	return false
}

// hasEncodedWord reports whether a word of s has an encoded-word's form
// (=?charset?q?text?=), which readers would decode.
func hasEncodedWord(s string) bool {
	for w := range strings.FieldsSeq(s) {
		if len(w) > 6 && strings.HasPrefix(w, "=?") && strings.HasSuffix(w, "?=") && strings.Count(w, "?") >= 4 {
			return true
		}
	}
	return false
}

// hasLongWord reports whether a word of s could not be folded within the
// 998-character line limit.
func hasLongWord(s string) bool {
	for w := range strings.FieldsSeq(s) {
		if len(w) > maxLineLen-len("Subject: ") {
			return true
		}
	}
	return false
}

// bEncodeASCII encodes printable ASCII as B encoded-words of at most 75
// characters each ("=?utf-8?b?" + 60 base64 characters + "?="),
// separated by spaces the folder may break at.
func bEncodeASCII(s string) string {
	const chunk = 45 // bytes -> 60 base64 characters
	var b strings.Builder
	for len(s) > 0 {
		n := min(chunk, len(s))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("=?utf-8?b?")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		b.WriteString("?=")
		s = s[n:]
	}
	return b.String()
}

// wordEncoder picks Q encoding when at most a third of s's bytes are
// non-ASCII (accents stay short and half-readable), B otherwise (CJK).
func wordEncoder(s string) mime.WordEncoder {
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
	}
	if high*3 > len(s) {
		return mime.BEncoding
	}
	return mime.QEncoding
}

var errLongLine = errors.New("header line longer than 998 characters after folding")

// writeHeader appends "Name: value" to b, folded at whitespace to keep
// lines within 78 characters where it can, ending in CRLF. In a structured
// header (addresses) it never folds inside a quoted string. A line that
// cannot be folded within 998 characters is an error.
func writeHeader(b *bytes.Buffer, name, value string, structured bool) error {
	full := name + ": " + value
	start := b.Len()
	lineStart, lastBreak := 0, -1
	inQuote, escaped := false, false
	// word: a non-space character since the last break point, so that
	// breaking there leaves no whitespace-only line on either side.
	word := false
	for i := len(name) + 2; i <= len(full); i++ {
		end := i == len(full)
		var c byte
		if !end {
			c = full[i]
		}
		if structured && !end {
			switch {
			case escaped:
				escaped = false
			case c == '\\' && inQuote:
				escaped = true
			case c == '"':
				inQuote = !inQuote
			}
		}
		space := !end && (c == ' ' || c == '\t')
		if !end && !space {
			word = true
			continue
		}
		if space && inQuote {
			continue
		}
		// At a break point (or the end): fold at the previous one when
		// this line would pass 78 and both sides hold text.
		if i-lineStart > foldAt && lastBreak > lineStart && word {
			b.WriteString(full[lineStart:lastBreak])
			b.WriteString("\r\n")
			lineStart = lastBreak
		}
		if space && word {
			lastBreak, word = i, false
		}
	}
	b.WriteString(full[lineStart:])
	b.WriteString("\r\n")
	for line := range bytes.SplitSeq(b.Bytes()[start:], []byte("\r\n")) {
		if len(line) > maxLineLen {
			return fieldErr(name, "%w", errLongLine)
		}
	}
	return nil
}
