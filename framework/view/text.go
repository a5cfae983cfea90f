package view

import (
	"fmt"
	"html/template"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorails/gorails/internal/inflect"
	"github.com/gorails/gorails/internal/railsjson"
)

// pluralize is pluralize: {{pluralize 2 "comment"}} -> "2 comments",
// {{pluralize 1 "person"}} -> "1 person"; an explicit plural may follow.
func pluralize(count any, singular string, plural ...string) (string, error) {
	n, err := numberString(count)
	if err != nil {
		return "", fmt.Errorf("pluralize: %w", err)
	}
	word := singular
	if n != "1" && n != "1.0" {
		if len(plural) > 0 {
			word = plural[0]
		} else {
			word = inflect.Pluralize(singular)
		}
	}
	return n + " " + word, nil
}

func numberString(v any) (string, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64), nil
	case reflect.String:
		if _, err := strconv.ParseFloat(rv.String(), 64); err == nil {
			return rv.String(), nil
		}
	}
	return "", fmt.Errorf("%w: %v (%T) is not a number", ErrHelper, v, v)
}

// truncate is truncate: {{truncate .Body 30}} cuts text to at most 30
// characters, "..." included. Options: "omission" "…", "separator" " "
// (cut at the last separator before the limit). Text within the limit is
// returned as it is, without allocating.
func truncate(text string, length int, kv ...any) (string, error) {
	if len(kv)%2 != 0 {
		return "", fmt.Errorf("truncate: %w: odd number of key/value arguments", ErrHelper)
	}
	omission, separator := "...", ""
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return "", fmt.Errorf("truncate: %w: key %v is %T, not a string", ErrHelper, kv[i], kv[i])
		}
		switch k {
		case "omission":
			omission = optionString(kv[i+1])
		case "separator":
			separator = optionString(kv[i+1])
		}
	}
	return truncateWith(text, length, omission, separator), nil
}

// truncateDefault is truncate without options: "..." and no separator.
func truncateDefault(text string, length int) string {
	return truncateWith(text, length, "...", "")
}

// truncateWith cuts text to length characters, omission included, at the
// last separator before the cut when separator is not "".
func truncateWith(text string, length int, omission, separator string) string {
	if len(text) <= length { // at most one byte per character: within the limit
		return text
	}
	n := 0
	for range text {
		if n > length {
			break
		}
		n++
	}
	if n <= length {
		return text
	}
	stop := max(length-utf8.RuneCountInString(omission), 0)
	cut := text[:byteOffset(text, stop)]
	if separator != "" {
		if i := strings.LastIndex(text[:byteOffset(text, stop+1)], separator); i >= 0 && i <= len(cut) {
			cut = cut[:i]
		}
	}
	return cut + omission
}

// byteOffset is the byte offset of the n-th character of s (len(s) past
// its end).
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// optionString is a helper option's value as text.
func optionString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// distanceOfTimeInWords is Rails' distance_of_time_in_words, without
// seconds: "less than a minute", "3 minutes", "about 1 hour", "2 days",
// "about 1 month", "over 2 years", ...
func distanceOfTimeInWords(from, to time.Time) string {
	d := to.Sub(from)
	if d < 0 {
		d = -d
	}
	minutes := int(math.Round(d.Minutes()))
	plural := func(n int, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return strconv.Itoa(n) + " " + inflect.Pluralize(word)
	}
	rnd := func(div float64) int { return int(math.Round(float64(minutes) / div)) }
	switch {
	case minutes < 1:
		return "less than a minute"
	case minutes < 45:
		return plural(minutes, "minute")
	case minutes < 90:
		return "about 1 hour"
	case minutes < 1440:
		return "about " + plural(rnd(60), "hour")
	case minutes < 2520:
		return "1 day"
	case minutes < 43200:
		return plural(rnd(1440), "day")
	case minutes < 86400:
		return "about " + plural(rnd(43200), "month")
	case minutes < 525600:
		return plural(rnd(43200), "month")
	}
	const year = 525600
	years, rem := minutes/year, minutes%year
	switch {
	case rem < year/4:
		return "about " + plural(years, "year")
	case rem < year*3/4:
		return "over " + plural(years, "year")
	default:
		return "almost " + plural(years+1, "year")
	}
}

func timeOf(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case *time.Time:
		if t != nil {
			return *t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %v (%T) is not a time", ErrHelper, v, v)
}

// numberWithDelimiter is number_with_delimiter: 1234567.891 ->
// "1,234,567.891". Options: "delimiter" ".", "separator" ",".
func numberWithDelimiter(n any, kv ...any) (string, error) {
	a, err := localsOf(kv, 0)
	if err != nil {
		return "", fmt.Errorf("number_with_delimiter: %w", err)
	}
	s, err := numberString(n)
	if err != nil {
		return "", fmt.Errorf("number_with_delimiter: %w", err)
	}
	delim, sep := ",", "."
	if v, ok := a["delimiter"]; ok {
		delim = fmt.Sprint(v)
	}
	if v, ok := a["separator"]; ok {
		sep = fmt.Sprint(v)
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(delim)
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString(sep)
		b.WriteString(frac)
	}
	return b.String(), nil
}

var paragraphSplit = regexp.MustCompile(`\n\s*\n`)

// simpleFormat is simple_format: text escaped, blank lines start
// paragraphs (<p>), single newlines become <br />.
func simpleFormat(text string) template.HTML {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	paras := paragraphSplit.Split(strings.TrimSpace(text), -1)
	var b strings.Builder
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(p), "\n", "\n<br />"))
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// toJSON is json, for non-HTML formats: {{json .Data.Post}}, with times as
// Rails writes them ("2026-12-05T10:31:02.123Z"). (In html templates
// html/template already encodes values inside <script>.)
func toJSON(v any) (string, error) {
	b, err := railsjson.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("json: %w", err)
	}
	return string(b), nil
}
