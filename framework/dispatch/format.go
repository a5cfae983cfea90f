package dispatch

import (
	"slices"
	"strconv"
	"strings"
)

// Format returns the requested format, chosen as Rails'
// ActionDispatch::Http::MimeNegotiation#formats chooses it:
//
//  1. the "format" param: the path's suffix ("/posts/1.json" gives "json"),
//     else the route's DefaultFormat, else ?format= in the query string;
//  2. else the Accept header, unless it looks like a browser's: a header
//     that lists */* among several types ("text/html, */*;q=0.8", or
//     "application/json, text/plain, */*") is ignored, as Rails ignores
//     it, except on an XMLHttpRequest (X-Requested-With: XMLHttpRequest).
//     Types are taken by q-value, highest first (ties in header order), and
//     the first type with a known format wins;
//  3. else "js" for an XMLHttpRequest without an Accept header;
//  4. else "html".
//
// A format param is returned as given, known or not: RespondTo answers 406
// for one the action does not serve. The body's "format" param is not
// consulted (Rails does): reading the body to pick a format would consume
// it before the action.
func (r *Request) Format() string {
	if f := r.pathFormat(); f != "" {
		return f
	}
	if r.req.URL.RawQuery != "" {
		if q, err := r.QueryParams(); err == nil {
			if f := q.String("format"); f != "" {
				return f
			}
		}
	}
	accept := firstValue(r.req.Header["Accept"]) // Get without canonicalising the key
	xhr := firstValue(r.req.Header["X-Requested-With"]) == "XMLHttpRequest"
	if accept != "" && (xhr || !browserLikeAccept(accept)) {
		if f := formatFromAccept(accept); f != "" {
			return f
		}
	}
	if xhr && accept == "" {
		return "js"
	}
	return "html"
}

// firstValue is a header's first value, or "".
func firstValue(values []string) string {
	if len(values) > 0 {
		return values[0]
	}
	return ""
}

// browserLikeAccept is Rails' BROWSER_LIKE_ACCEPTS: */* next to another
// type, which browsers and HTTP libraries send and which says nothing
// about what the page wants.
func browserLikeAccept(accept string) bool {
	if !strings.Contains(accept, "*/*") || !strings.Contains(accept, ",") {
		return false
	}
	for item := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(item, ";")
		if strings.TrimSpace(mt) == "*/*" {
			return true
		}
	}
	return false
}

// mimeTypes are the formats Rails registers (action_dispatch/http/
// mime_types.rb), in its order, each with its synonyms; the order decides
// what a "text/*" range picks.
var mimeTypes = []struct {
	format string
	mimes  []string
}{
	{"html", []string{"text/html", "application/xhtml+xml"}},
	{"text", []string{"text/plain"}},
	{"js", []string{"text/javascript", "application/javascript", "application/x-javascript"}},
	{"css", []string{"text/css"}},
	{"ics", []string{"text/calendar"}},
	{"csv", []string{"text/csv"}},
	{"vcf", []string{"text/vcard"}},
	{"vtt", []string{"text/vtt"}},
	{"png", []string{"image/png"}},
	{"jpeg", []string{"image/jpeg", "image/pjpeg"}},
	{"gif", []string{"image/gif"}},
	{"bmp", []string{"image/bmp"}},
	{"tiff", []string{"image/tiff"}},
	{"svg", []string{"image/svg+xml"}},
	{"webp", []string{"image/webp"}},
	{"mpeg", []string{"video/mpeg"}},
	{"mp3", []string{"audio/mpeg"}},
	{"ogg", []string{"audio/ogg"}},
	{"m4a", []string{"audio/aac"}},
	{"webm", []string{"video/webm"}},
	{"mp4", []string{"video/mp4"}},
	{"otf", []string{"font/otf"}},
	{"ttf", []string{"font/ttf"}},
	{"woff", []string{"font/woff"}},
	{"woff2", []string{"font/woff2"}},
	{"xml", []string{"application/xml", "text/xml", "application/x-xml"}},
	{"rss", []string{"application/rss+xml"}},
	{"atom", []string{"application/atom+xml"}},
	{"yaml", []string{"application/x-yaml", "text/yaml"}},
	{"multipart_form", []string{"multipart/form-data"}},
	{"url_encoded_form", []string{"application/x-www-form-urlencoded"}},
	{"json", []string{"application/json", "text/x-json", "application/jsonrequest"}},
	{"pdf", []string{"application/pdf"}},
	{"zip", []string{"application/zip"}},
	{"gzip", []string{"application/gzip"}},
	{"turbo_stream", []string{"text/vnd.turbo-stream.html"}}, // turbo-rails
}

// mimeFormat returns the format of a media range, or "" for unknown types
// and */*. Like Rails' parse_trailing_star, "text/*" and "application/*"
// pick the first registered format any of whose types contains "text" or
// "application": "html" (text/html, application/xhtml+xml). Other ranges
// ("image/*") name no format.
//
// A type spelled as registered (lower case, as clients send them) is found
// in mimeFormats; only another spelling walks the list with EqualFold. "*/*",
// which HTTP libraries send, is one lookup, not 47 comparisons.
func mimeFormat(mt string) string {
	if f, ok := mimeFormats[mt]; ok {
		return f
	}
	if lowerASCII(mt) {
		// Every registered type is lower-case ASCII: a string of
		// lower-case ASCII equal to none of them folds to none.
		return ""
	}
	if strings.EqualFold(mt, "text/*") || strings.EqualFold(mt, "application/*") {
		return "html"
	}
	for _, t := range mimeTypes {
		for _, m := range t.mimes {
			if strings.EqualFold(mt, m) {
				return t.format
			}
		}
	}
	return ""
}

// mimeFormats maps each registered type, and the "text/*" and
// "application/*" ranges, to its format: the first in mimeTypes that lists
// it. Read-only.
var mimeFormats = func() map[string]string {
	m := map[string]string{"text/*": "html", "application/*": "html"}
	for _, t := range mimeTypes {
		for _, mt := range t.mimes {
			if _, ok := m[mt]; !ok {
				m[mt] = t.format
			}
		}
	}
	return m
}()

// lowerASCII reports whether s is ASCII without upper-case letters.
func lowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// acceptItem is one media range of an Accept header.
type acceptItem struct {
	mime string
	q    int // q-value in thousandths
}

// formatFromAccept returns the format of the best known type in accept,
// by q-value then order, or "" when it names none.
func formatFromAccept(accept string) string {
	if !strings.Contains(accept, ",") {
		mt, _, _ := strings.Cut(accept, ";")
		return mimeFormat(strings.TrimSpace(mt))
	}
	var items []acceptItem
	for item := range strings.SplitSeq(accept, ",") {
		mt, params, _ := strings.Cut(item, ";")
		if mt = strings.TrimSpace(mt); mt == "" {
			continue
		}
		items = append(items, acceptItem{mime: mt, q: qValue(params)})
	}
	slices.SortStableFunc(items, func(a, b acceptItem) int { return b.q - a.q })
	for _, it := range items {
		if f := mimeFormat(it.mime); f != "" {
			return f
		}
	}
	return ""
}

// qValue reads the q-value of a media range the way Rails' AcceptItem
// does: from the first parameter only, the digits and dots after "q=";
// missing or unreadable is 1. In thousandths.
func qValue(params string) int {
	first, _, _ := strings.Cut(params, ";")
	_, v, ok := strings.Cut(first, "q=")
	if !ok {
		return 1000
	}
	n := 0
	for n < len(v) && (v[n] >= '0' && v[n] <= '9' || v[n] == '.') {
		n++
	}
	if n == 0 {
		return 1000
	}
	v = v[:n]
	if i := strings.IndexByte(v, '.'); i >= 0 {
		if j := strings.IndexByte(v[i+1:], '.'); j >= 0 {
			v = v[:i+1+j] // Ruby's to_f stops at the second dot
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "."), 64)
	if err != nil {
		return 0 // "q=." is 0.0 to Ruby
	}
	return int(f*1000 + 0.5)
}
