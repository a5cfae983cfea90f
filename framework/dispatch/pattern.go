package dispatch

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// This file parses route paths beyond one-param-per-segment: Rails'
// optional groups ("photos(/:id)", "(/:a(/:b))", "(:locale)/posts") and
// segments holding several params or params and text (":id-:slug",
// ":name.:ext", "page-:n").
//
// A path with groups is expanded, once at Draw, into its variants: one
// plain path per combination of groups kept ("/photos" and "/photos/:id").
// Each variant is a route of its own in the tree, sharing the target,
// name and constraints of the route drawn; the route keeps the path as
// written for `routes` and for URL generation, which picks the variant the
// params given fill, as Rails' Journey formats a group only when all its
// params are given.

// maxVariants bounds the paths one route with optional groups expands to
// (five independent groups).
const maxVariants = 32

// variantPath is one expansion of a path with optional groups.
type variantPath struct {
	path   string
	groups int // how many groups it keeps
}

// expandPath expands the optional groups of path; a path without groups
// gives itself.
func expandPath(path string) ([]variantPath, error) {
	alts, next, err := expandSeq(path, 0, 0)
	if err != nil {
		return nil, err
	}
	if next != len(path) {
		return nil, fmt.Errorf("dispatch: route %s: unbalanced \")\": %w", path, ErrInvalidRoute)
	}
	var out []variantPath
	for _, a := range alts {
		p := joinPath("", a.path)
		if p == "" {
			p = "/"
		}
		if !slices.ContainsFunc(out, func(v variantPath) bool { return v.path == p }) {
			out = append(out, variantPath{p, a.groups})
		}
	}
	return out, nil
}

func expandSeq(s string, i, depth int) ([]variantPath, int, error) {
	alts := []variantPath{{}}
	for i < len(s) {
		switch s[i] {
		case '(':
			// Inside a segment, only a group starting with "." can match as
			// Journey's regexp would: Rails' default requirement takes "-"
			// or other text, so "o/:id(-:slug)" never gives a slug there
			// (Journey's greedy id swallows it), while a tree that tried
			// the group first would.
			if i > 0 && s[i-1] != '/' && s[i-1] != '(' && (i+1 >= len(s) || (s[i+1] != '/' && s[i+1] != '.' && s[i+1] != '(' && s[i+1] != ')')) {
				return nil, 0, fmt.Errorf("dispatch: route %s: an optional group inside a segment must start with \"/\" or \".\" (as in :name(.:ext)): %w", s, ErrInvalidRoute)
			}
			inner, j, err := expandSeq(s, i+1, depth+1)
			if err != nil {
				return nil, 0, err
			}
			if j >= len(s) || s[j] != ')' {
				return nil, 0, fmt.Errorf("dispatch: route %s: unbalanced \"(\": %w", s, ErrInvalidRoute)
			}
			if j == i+1 {
				return nil, 0, fmt.Errorf("dispatch: route %s: empty optional group \"()\": %w", s, ErrInvalidRoute)
			}
			// Keeping the group comes first, as Journey's greedy regexp
			// prefers it: "(/:id)(/:c)" reads /photos/1 as id.
			var opts []variantPath
			for _, in := range inner {
				opts = append(opts, variantPath{in.path, in.groups + 1})
			}
			opts = append(opts, variantPath{})
			if len(alts)*len(opts) > maxVariants {
				return nil, 0, fmt.Errorf("dispatch: route %s: more than %d combinations of optional groups: %w", s, maxVariants, ErrInvalidRoute)
			}
			var next []variantPath
			for _, a := range alts {
				for _, o := range opts {
					next = append(next, variantPath{a.path + o.path, a.groups + o.groups})
				}
			}
			alts, i = next, j+1
		case ')':
			if depth == 0 {
				return nil, 0, fmt.Errorf("dispatch: route %s: unbalanced \")\": %w", s, ErrInvalidRoute)
			}
			return alts, i, nil
		default:
			j := i
			for j < len(s) && s[j] != '(' && s[j] != ')' {
				j++
			}
			for k := range alts {
				alts[k].path += s[i:j]
			}
			i = j
		}
	}
	return alts, i, nil
}

// segPart is one piece of a segment with several params: literal text or
// a param.
type segPart struct {
	lit   string // the text, unescaped
	esc   string // the text escaped, for generation and matching
	param string // the param's name; "" for text
}

// parseComposite parses a segment mixing params and text (":id-:slug").
func parseComposite(path, p string) (segment, error) {
	seg := segment{kind: segComposite, text: p}
	for i := 0; i < len(p); {
		switch p[i] {
		case '*':
			return segment{}, fmt.Errorf("dispatch: route %s: a glob fills a whole segment, %q does not: %w", path, p, ErrInvalidRoute)
		case ':':
			j := i + 1
			for j < len(p) && (p[j] == '_' || isAlnum(p[j])) {
				j++
			}
			name := p[i+1 : j]
			if !paramName.MatchString(name) {
				return segment{}, fmt.Errorf("dispatch: route %s: bad param in %q: %w", path, p, ErrInvalidRoute)
			}
			if n := len(seg.parts); n > 0 && seg.parts[n-1].param != "" {
				return segment{}, fmt.Errorf("dispatch: route %s: params %q and %q need text between them: %w", path, seg.parts[n-1].param, name, ErrInvalidRoute)
			}
			seg.parts = append(seg.parts, segPart{param: name})
			i = j
		default:
			j := i
			for j < len(p) && p[j] != ':' && p[j] != '*' {
				j++
			}
			seg.parts = append(seg.parts, segPart{lit: p[i:j], esc: escapeSegment(p[i:j], false)})
			i = j
		}
	}
	return seg, nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// compileComposite builds the regexp matching a segment with several
// params: each param takes its constraint or Rails' default, and regexp's leftmost-first preference splits values
// as Ruby's backtracking regexps do in Journey (":id-:slug" reads
// "1-my-post" as id "1-my", slug "post" unless id is constrained).
func compileComposite(path string, seg *segment, params []string, res []*regexp.Regexp) error {
	var b strings.Builder
	b.WriteByte('^')
	group, constrained := 1, false
	seg.groups = seg.groups[:0]
	for _, part := range seg.parts {
		if part.param == "" {
			// Paths are matched escaped or, when their escaping is Go's
			// own, decoded (see table.lookup): the text matches either way.
			if part.esc == part.lit {
				b.WriteString(regexp.QuoteMeta(part.lit))
			} else {
				b.WriteString("(?:" + regexp.QuoteMeta(part.esc) + "|" + regexp.QuoteMeta(part.lit) + ")")
			}
			continue
		}
		// Rails' [^/.?]+ on the escaped path: a decoded path may hold a
		// "?" that was %3F, so only "/" and "." end a param here.
		pat := `[^/.]+`
		if re := res[slices.Index(params, part.param)]; re != nil {
			constrained = true
			pat = "(?:" + unanchor(re) + ")"
			group += re.NumSubexp()
		}
		seg.groups = append(seg.groups, group)
		group++
		b.WriteString("(" + pat + ")")
	}
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	if err != nil {
		return fmt.Errorf("dispatch: route %s: segment %s: %w: %w", path, seg.text, ErrInvalidRoute, err)
	}
	seg.re = re
	// At most two params, both with the default requirement, the last part
	// a param (":id-:slug", ":name.:ext", "page-:n"): matched without the
	// regexp, in time linear in the segment, as the regexp would split it.
	n := len(seg.parts)
	seg.fast = len(seg.groups) <= 2 && !constrained && seg.parts[n-1].param != ""
	return nil
}

// matchParts matches seg against parts whose params all have the default
// requirement ([^/.]+) and whose last part is a param, preferring the
// longest value for an earlier param as the regexp's greedy groups do.
// bad is the index in seg of its last "/" or "." (-1 for none), so the
// last param is checked in constant time; with at most two params each
// split is tried once.
func matchParts(parts []segPart, seg string, bad int, vals []string) ([]string, bool) {
	p := parts[0]
	if p.param == "" {
		for _, lit := range [2]string{p.esc, p.lit} {
			if strings.HasPrefix(seg, lit) {
				if out, ok := matchParts(parts[1:], seg[len(lit):], bad-len(lit), vals); ok {
					return out, true
				}
			}
			if p.lit == p.esc {
				break
			}
		}
		return vals, false
	}
	if len(parts) == 1 {
		return append(vals, seg), bad < 0 && seg != ""
	}
	end := strings.IndexAny(seg, "/.")
	if end < 0 {
		end = len(seg)
	}
	for k := end; k >= 1; k-- {
		if out, ok := matchParts(parts[1:], seg[k:], bad-k, append(vals, seg[:k])); ok {
			return out, true
		}
	}
	return vals, false
}

// matchComposite appends the params of a segment with several params to
// vals, or reports that seg does not match.
func (s *segment) matchComposite(seg string, vals []string) ([]string, bool) {
	if s.fast {
		base := len(vals)
		if out, ok := matchParts(s.parts, seg, strings.LastIndexAny(seg, "/."), vals); ok {
			return out, true
		}
		return vals[:base], false
	}
	idx := s.re.FindStringSubmatchIndex(seg)
	if idx == nil {
		return vals, false
	}
	for _, g := range s.groups {
		vals = append(vals, seg[idx[2*g]:idx[2*g+1]])
	}
	return vals, true
}

// appendComposite generates a segment with several params from vals (one
// per param of the segment) and checks that it is read back as the same
// values: ":id-:slug" with id "a", slug "b-c" would come back as id "a-b",
// slug "c", so it is an error rather than a link to the wrong record.
func (s *segment) appendComposite(b []byte, vals []string) ([]byte, error) {
	start := len(b)
	i := 0
	for _, part := range s.parts {
		if part.param == "" {
			b = append(b, part.esc...)
			continue
		}
		b = appendSegment(b, vals[i], false)
		i++
	}
	seg := string(b[start:]) // a copy: b stays on its caller's stack
	if !s.readsBack(seg, vals, true) {
		return nil, fmt.Errorf("%w: %s: %q would be read back with other values", ErrInvalidParam, s.text, seg)
	}
	// A request for it is matched decoded when its escaping is Go's own.
	if dec, err := url.PathUnescape(seg); err == nil && dec != seg && !s.readsBack(dec, vals, false) {
		return nil, fmt.Errorf("%w: %s: %q would be read back with other values", ErrInvalidParam, s.text, seg)
	}
	return b, nil
}

// readsBack reports whether seg (escaped or decoded) matches the segment
// with vals as its params.
func (s *segment) readsBack(seg string, vals []string, escaped bool) bool {
	got, ok := s.matchComposite(seg, nil)
	if !ok {
		return false
	}
	for j, v := range vals {
		if escaped {
			v = string(appendSegment(nil, v, false))
		}
		if got[j] != v {
			return false
		}
	}
	return true
}
