package view

import (
	"fmt"
	"html/template"
	"strings"
)

// attrs is an ordered list of HTML attributes built from a template's
// "key" value pairs.
type attrs []attr

type attr struct {
	key string
	val any
}

// parseAttrs reads "class" "btn" "disabled" true ... Keys must be plain
// attribute names; event handlers (on*) and srcdoc are refused because
// their values are script or markup, which these helpers cannot escape for.
func parseAttrs(kv []any) (attrs, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of attribute arguments", ErrHelper)
	}
	out := make(attrs, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("%w: attribute name %v is %T, not a string", ErrHelper, kv[i], kv[i])
		}
		if err := checkAttrName(k); err != nil {
			return nil, err
		}
		out = append(out, attr{k, kv[i+1]})
	}
	return out, nil
}

func checkAttrName(k string) error {
	if k == "" {
		return fmt.Errorf("%w: empty attribute name", ErrHelper)
	}
	for i, r := range k {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == ':' || r == '.')
		if !ok {
			return fmt.Errorf("%w: invalid attribute name %q", ErrHelper, k)
		}
	}
	if l := strings.ToLower(k); strings.HasPrefix(l, "on") || l == "srcdoc" {
		return fmt.Errorf("%w: attribute %q is not allowed in helpers (script or markup)", ErrHelper, k)
	}
	return nil
}

// take removes the attribute key and returns its value.
func (a *attrs) take(key string) (any, bool) {
	for i, at := range *a {
		if at.key == key {
			*a = append((*a)[:i], (*a)[i+1:]...)
			return at.val, true
		}
	}
	return nil, false
}

func (a *attrs) takeString(key string) string {
	v, ok := a.take(key)
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func (a attrs) has(key string) bool {
	for _, at := range a {
		if at.key == key {
			return true
		}
	}
	return false
}

// isURLAttr reports whether an attribute holds a URL, whose value safeURL
// filters.
func isURLAttr(key string) bool {
	switch strings.ToLower(key) {
	case "href", "src", "action", "formaction", "cite", "poster":
		return true
	}
	return false
}

// writeAttr writes ` key="value"`, the value escaped; true writes a boolean
// attribute, false and nil write nothing.
func writeAttr(b *strings.Builder, key string, val any) {
	var s string
	switch v := val.(type) {
	case nil:
		return
	case bool:
		if v {
			b.WriteByte(' ')
			b.WriteString(key)
		}
		return
	case string:
		s = v
	default:
		s = fmt.Sprint(v)
	}
	if isURLAttr(key) {
		s = safeURL(s)
	}
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteString(`="`)
	b.WriteString(template.HTMLEscapeString(s))
	b.WriteByte('"')
}

func (a attrs) write(b *strings.Builder) {
	for _, at := range a {
		writeAttr(b, at.key, at.val)
	}
}

// safeURL lets through relative URLs and http, https, mailto and tel ones;
// anything else (javascript:, data:, ...) becomes "#ZgotmplZ", as
// html/template does.
func safeURL(u string) string {
	s := strings.TrimSpace(u)
	if i := strings.IndexAny(s, ":/?#"); i >= 0 && s[i] == ':' {
		switch strings.ToLower(s[:i]) {
		case "http", "https", "mailto", "tel":
		default:
			return "#ZgotmplZ"
		}
	}
	return s
}

// content renders a tag's body: template.HTML as is (it is trusted by its
// type), anything else escaped.
func content(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case template.HTML:
		return string(v)
	case string:
		return template.HTMLEscapeString(v)
	default:
		return template.HTMLEscapeString(fmt.Sprint(v))
	}
}

func tag(name string, body any, a ...attr) template.HTML {
	var b strings.Builder
	b.WriteByte('<')
	b.WriteString(name)
	attrs(a).write(&b)
	b.WriteByte('>')
	b.WriteString(content(body))
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
	return template.HTML(b.String())
}

func voidTag(name string, a ...attr) string {
	var b strings.Builder
	b.WriteByte('<')
	b.WriteString(name)
	attrs(a).write(&b)
	b.WriteByte('>')
	return b.String()
}

// linkTo is link_to: {{link_to "Show" (post_path .ID) "class" "btn"}}.
// "method" "delete" adds data-method and rel="nofollow" (for rails-ujs
// style scripts); "confirm" "Sure?" adds data-confirm.
func linkTo(body, url any, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("link_to: %w", err)
	}
	out := attrs{{"href", url}}
	if m := strings.ToLower(a.takeString("method")); m != "" && m != "get" {
		out = append(out, attr{"data-method", m}, attr{"rel", "nofollow"})
	}
	if c := a.takeString("confirm"); c != "" {
		out = append(out, attr{"data-confirm", c})
	}
	return tag("a", body, append(out, a...)...), nil
}

// linkTo2 is link_to without attributes, its fixed-arity form (see
// FixedArity: it returns one value, which costs one allocation less per
// call through reflect).
func linkTo2(body, url any) template.HTML {
	h, err := linkTo(body, url)
	if err != nil {
		panic(err) // text/template reports it as link_to's error result
	}
	return h
}

// mailTo is mail_to: {{mail_to "me@example.com"}} or with a body.
func mailTo(email string, kv ...any) (template.HTML, error) {
	var body any = email
	if len(kv)%2 == 1 {
		body, kv = kv[0], kv[1:]
	}
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("mail_to: %w", err)
	}
	return tag("a", body, append(attrs{{"href", "mailto:" + email}}, a...)...), nil
}

// buttonTo is button_to: a one-button form, POST by default, carrying the
// CSRF token and, for other methods, a _method field:
// {{button_to $ "Delete" (post_path .ID) "method" "delete"}}.
// "form_class" sets the form's class (default "button_to"), "confirm" its
// data-confirm; other pairs are attributes of the button.
func buttonTo(ctx *Context, body, url any, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("button_to: %w", err)
	}
	method := strings.ToLower(a.takeString("method"))
	if method == "" {
		method = "post"
	}
	formClass := a.takeString("form_class")
	if formClass == "" {
		formClass = "button_to"
	}
	formMethod := "post"
	if method == "get" {
		formMethod = "get"
	}
	fa := attrs{{"class", formClass}, {"method", formMethod}, {"action", url}}
	if c := a.takeString("confirm"); c != "" {
		fa = append(fa, attr{"data-confirm", c})
	}
	var b strings.Builder
	b.WriteString("<form")
	fa.write(&b)
	b.WriteByte('>')
	if method != "get" && method != "post" {
		b.WriteString(hiddenInput("_method", method))
	}
	b.WriteString(string(tag("button", body, append(attrs{{"type", "submit"}}, a...)...)))
	if method != "get" {
		b.WriteString(ctx.tokenInput())
	}
	b.WriteString("</form>")
	return template.HTML(b.String()), nil
}

func hiddenInput(name, value string) string {
	return voidTag("input", attr{"type", "hidden"}, attr{"name", name}, attr{"value", value}, attr{"autocomplete", "off"})
}

func (c *Context) tokenInput() string {
	tok := c.csrfToken()
	if tok == "" {
		return ""
	}
	return hiddenInput(c.csrfParam(), tok)
}

// csrfMetaTags is csrf_meta_tags, for scripts that send the token:
// <meta name="csrf-param" ...><meta name="csrf-token" ...>. Empty without a
// token.
func csrfMetaTags(ctx *Context) template.HTML {
	tok := ctx.csrfToken()
	if tok == "" {
		return ""
	}
	return template.HTML(voidTag("meta", attr{"name", "csrf-param"}, attr{"content", ctx.csrfParam()}) + "\n" +
		voidTag("meta", attr{"name", "csrf-token"}, attr{"content", tok}))
}

// csrfToken is csrf_token: the token as a string (escaped where used).
func csrfToken(ctx *Context) string { return ctx.csrfToken() }

// pathFor builds the path of a route named at run time, through the
// request's URLHelper: form_with's default URL for a model ("posts",
// "post"). Templates name routes through the app's route helpers
// ({{post_path .ID}}), which the compiler and the boot check verify.
func pathFor(ctx *Context, name string, args ...any) (string, error) {
	if ctx == nil || ctx.URLs == nil {
		return "", fmt.Errorf("%w: path %q: no URL helper in this render", ErrHelper, name)
	}
	p, err := ctx.URLs.Path(name, args...)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", name, err)
	}
	return p, nil
}

// currentPage is current_page: {{if current_page . "/posts"}}.
func currentPage(ctx *Context, p string) bool { return ctx.RequestPath == p }
