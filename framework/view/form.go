package view

import (
	"fmt"
	"html/template"
	"reflect"
	"strings"
	"time"

	"github.com/gorails/gorails/internal/inflect"
)

// FormBuilder is what form_with returns: the form's tags for one model.
//
//	{{with form_with $ .Data.Post}}
//	  {{.Begin}}
//	    {{.Label "title"}} {{.TextField "title" "class" "input"}} {{.Errors "title"}}
//	    {{.Select "status" (options "draft" "Draft" "published" "Published")}}
//	    {{.Submit}}
//	  {{.End}}
//	{{end}}
//
// Field names are snake_case ("author_id"); values are read from the model
// (see FieldValuer), errors through FieldErrors. A field with errors is
// wrapped in <div class="field_with_errors">, as in Rails. Every value is
// escaped.
type FormBuilder struct {
	ctx    *Context
	model  any
	scope  string // "post": fields are post[title]
	url    string
	method string // lower case
	attrs  attrs
}

// formWith is form_with: {{form_with $ .Data.Post}}. Options: "url" (by
// default the route "posts" for a new model, "post" with its ID for a
// saved one), "method" (default post, or patch for a saved model), "scope"
// (default the model name; "" for a model-less form), and attributes of the
// form tag.
func formWith(ctx *Context, model any, kv ...any) (*FormBuilder, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return nil, fmt.Errorf("form_with: %w", err)
	}
	s := ctx.set
	f := &FormBuilder{ctx: ctx, model: model, scope: s.modelName(model)}
	if v, ok := a.take("scope"); ok {
		f.scope = fmt.Sprint(v)
	}
	f.url = a.takeString("url")
	f.method = strings.ToLower(a.takeString("method"))
	persisted := model != nil && s.persisted(model)
	if f.method == "" {
		f.method = "post"
		if persisted {
			f.method = "patch"
		}
	}
	if f.url == "" && model != nil {
		name := s.modelName(model)
		if persisted {
			f.url, err = pathFor(ctx, name, s.modelID(model))
		} else {
			f.url, err = pathFor(ctx, inflect.Pluralize(name))
		}
		if err != nil {
			return nil, fmt.Errorf("form_with: no url given: %w", err)
		}
	}
	if model != nil && s.modelName(model) != "" && !a.has("id") {
		prefix := "new"
		if persisted {
			prefix = "edit"
		}
		a = append(a, attr{"id", s.domID(model, prefix)})
	}
	f.attrs = a
	return f, nil
}

// Begin returns the form's opening tag with its hidden fields (_method for
// PATCH, PUT and DELETE; the CSRF token unless the method is GET).
func (f *FormBuilder) Begin() template.HTML {
	method := "post"
	if f.method == "get" {
		method = "get"
	}
	var b strings.Builder
	b.WriteString("<form")
	attrs{{"action", f.url}, {"accept-charset", "UTF-8"}, {"method", method}}.write(&b)
	f.attrs.write(&b)
	b.WriteByte('>')
	if method != f.method {
		b.WriteString(hiddenInput("_method", f.method))
	}
	if method != "get" {
		b.WriteString(f.ctx.tokenInput())
	}
	return template.HTML(b.String())
}

// End closes the form.
func (f *FormBuilder) End() template.HTML { return "</form>" }

// Name is a field's parameter name: post[title].
func (f *FormBuilder) Name(field string) string {
	if f.scope == "" {
		return field
	}
	return f.scope + "[" + field + "]"
}

// ID is a field's DOM id: post_title.
func (f *FormBuilder) ID(field string) string {
	if f.scope == "" {
		return field
	}
	return f.scope + "_" + field
}

// Value is a field's current value from the model, or nil.
func (f *FormBuilder) Value(field string) any { return f.ctx.set.fieldValue(f.model, field) }

// ErrorsOn returns the model's errors on field, or nil.
func (f *FormBuilder) ErrorsOn(field string) []string {
	if fe, ok := f.model.(FieldErrors); ok {
		return fe.ErrorsOn(field)
	}
	return nil
}

// Errors renders the field's errors, joined: <span class="error">can't
// be blank, is too short (minimum is 3
// characters)</span>; nothing when there are none.
func (f *FormBuilder) Errors(field string) template.HTML {
	msgs := f.ErrorsOn(field)
	if len(msgs) == 0 {
		return ""
	}
	return tag("span", strings.Join(msgs, ", "), attr{"class", "error"})
}

// ErrorMessages is a model with full validation messages, for
// error_summary (record.Model has it).
type ErrorMessages interface {
	ErrorMessages() []string
}

// errorSummary is error_summary, the block Rails' scaffold puts at the top
// of a form: {{error_summary .Data.Post}} renders
//
//	<div id="error_explanation" class="error_explanation"><h2>2 errors prohibited this post from being saved:</h2><ul><li>Title can't be blank</li>...</ul></div>
//
// and nothing when the model has no errors (or no ErrorMessages method).
func (s *Set) errorSummary(model any) template.HTML {
	em, ok := model.(ErrorMessages)
	if !ok {
		return ""
	}
	msgs := em.ErrorMessages()
	if len(msgs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div id="error_explanation" class="error_explanation" role="alert">`)
	head, _ := pluralize(len(msgs), "error")
	b.WriteString(string(tag("h2", head+" prohibited this "+strings.ReplaceAll(s.modelName(model), "_", " ")+" from being saved:")))
	b.WriteString("<ul>")
	for _, m := range msgs {
		b.WriteString(string(tag("li", m)))
	}
	b.WriteString("</ul></div>")
	return template.HTML(b.String())
}

func (f *FormBuilder) wrap(field, html string) template.HTML {
	if len(f.ErrorsOn(field)) > 0 {
		html = `<div class="field_with_errors">` + html + `</div>`
	}
	return template.HTML(html)
}

// Label is <label for="post_title">Title</label>; an odd first argument
// is the text: {{.Label "title" "Headline" "class" "big"}}.
func (f *FormBuilder) Label(field string, kv ...any) (template.HTML, error) {
	var text any = inflect.Humanize(field)
	if len(kv)%2 == 1 {
		text, kv = kv[0], kv[1:]
	}
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("label %s: %w", field, err)
	}
	return f.wrap(field, string(tag("label", text, append(attrs{{"for", f.ID(field)}}, a...)...))), nil
}

func (f *FormBuilder) input(typ, field string, kv []any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("%s field %s: %w", typ, field, err)
	}
	base := attrs{{"type", typ}, {"name", f.Name(field)}, {"id", f.ID(field)}}
	if typ != "password" && !a.has("value") {
		if v := formatValue(f.Value(field), typ); v != "" {
			base = append(base, attr{"value", v})
		}
	}
	return f.wrap(field, voidTag("input", append(base, a...)...)), nil
}

// TextField is <input type="text" name="post[title]" id="post_title" value="...">.
func (f *FormBuilder) TextField(field string, kv ...any) (template.HTML, error) {
	return f.input("text", field, kv)
}

// EmailField is an email input.
func (f *FormBuilder) EmailField(field string, kv ...any) (template.HTML, error) {
	return f.input("email", field, kv)
}

// PasswordField is a password input; it never shows the value.
func (f *FormBuilder) PasswordField(field string, kv ...any) (template.HTML, error) {
	return f.input("password", field, kv)
}

// NumberField is a number input.
func (f *FormBuilder) NumberField(field string, kv ...any) (template.HTML, error) {
	return f.input("number", field, kv)
}

// DateField is a date input (value 2006-01-02).
func (f *FormBuilder) DateField(field string, kv ...any) (template.HTML, error) {
	return f.input("date", field, kv)
}

// DatetimeField is a datetime-local input (value 2006-01-02T15:04).
func (f *FormBuilder) DatetimeField(field string, kv ...any) (template.HTML, error) {
	return f.input("datetime-local", field, kv)
}

// TimeField is a time input (value 15:04).
func (f *FormBuilder) TimeField(field string, kv ...any) (template.HTML, error) {
	return f.input("time", field, kv)
}

// HiddenField is a hidden input.
func (f *FormBuilder) HiddenField(field string, kv ...any) (template.HTML, error) {
	return f.input("hidden", field, kv)
}

// TextArea is <textarea name=... id=...>value</textarea>.
func (f *FormBuilder) TextArea(field string, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("text_area %s: %w", field, err)
	}
	body := "\n" + formatValue(f.Value(field), "text")
	return f.wrap(field, string(tag("textarea", body, append(attrs{{"name", f.Name(field)}, {"id", f.ID(field)}}, a...)...))), nil
}

// CheckBox is a hidden "0" and a checkbox "1", checked when the value is
// true, so an unchecked box still sends the field.
func (f *FormBuilder) CheckBox(field string, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("check_box %s: %w", field, err)
	}
	base := attrs{{"type", "checkbox"}, {"name", f.Name(field)}, {"id", f.ID(field)}, {"value", "1"}}
	if truthy(f.Value(field)) {
		base = append(base, attr{"checked", true})
	}
	return f.wrap(field, hiddenInput(f.Name(field), "0")+voidTag("input", append(base, a...)...)), nil
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// options is options: {{options "draft" "Draft" "published" "Published"}}.
func options(kv ...string) ([]Option, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("%w: options: odd number of arguments", ErrHelper)
	}
	out := make([]Option, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Option{kv[i], kv[i+1]})
	}
	return out, nil
}

func choicesOf(c any) ([]Option, error) {
	switch c := c.(type) {
	case []Option:
		return c, nil
	case []string:
		out := make([]Option, len(c))
		for i, s := range c {
			out[i] = Option{s, s}
		}
		return out, nil
	case [][2]string:
		out := make([]Option, len(c))
		for i, s := range c {
			out[i] = Option{s[0], s[1]}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: choices are %T, want []view.Option, []string or [][2]string", ErrHelper, c)
}

// Select is a <select> with the model's value(s) selected. Options:
// "include_blank" true or a label; "multiple" true (name post[tags][]).
func (f *FormBuilder) Select(field string, choices any, kv ...any) (template.HTML, error) {
	opts, err := choicesOf(choices)
	if err != nil {
		return "", fmt.Errorf("select %s: %w", field, err)
	}
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("select %s: %w", field, err)
	}
	blank, hasBlank := a.take("include_blank")
	name := f.Name(field)
	if v, _ := a.take("multiple"); v == true {
		name += "[]"
		a = append(a, attr{"multiple", true})
	}
	selected := selectedSet(f.Value(field))
	var b strings.Builder
	b.WriteString("<select")
	attrs{{"name", name}, {"id", f.ID(field)}}.write(&b)
	a.write(&b)
	b.WriteByte('>')
	if hasBlank && blank != false {
		label := ""
		if s, ok := blank.(string); ok {
			label = s
		}
		b.WriteString(string(tag("option", label, attr{"value", ""})))
	}
	for _, o := range opts {
		b.WriteString(string(tag("option", o.Label, attr{"value", o.Value}, attr{"selected", selected[o.Value]})))
	}
	b.WriteString("</select>")
	return f.wrap(field, b.String()), nil
}

func selectedSet(v any) map[string]bool {
	out := make(map[string]bool)
	if v == nil {
		return out
	}
	rv := reflect.ValueOf(v)
	if (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8 {
		for i := range rv.Len() {
			out[formatValue(rv.Index(i).Interface(), "text")] = true
		}
		return out
	}
	out[formatValue(v, "text")] = true
	return out
}

// Submit is <input type="submit" name="commit" value="Create Post">; an
// odd first argument is the label.
func (f *FormBuilder) Submit(kv ...any) (template.HTML, error) {
	var label any
	if len(kv)%2 == 1 {
		label, kv = kv[0], kv[1:]
	}
	if label == nil {
		verb := "Create"
		if f.model != nil && f.ctx.set.persisted(f.model) {
			verb = "Update"
		}
		label = strings.TrimSpace(verb + " " + inflect.Humanize(f.ctx.set.modelName(f.model)))
		if f.model == nil {
			label = "Save"
		}
	}
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("submit: %w", err)
	}
	if v, ok := a.take("value"); ok { // {{.Submit "value" "Add comment"}} is the label too
		label = v
	}
	base := attrs{{"type", "submit"}, {"name", "commit"}, {"value", label}, {"data-disable-with", label}}
	return template.HTML(voidTag("input", append(base, a...)...)), nil
}

// formatValue formats a field value for an input of type typ.
func formatValue(v any, typ string) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
		v = rv.Interface()
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		if v.IsZero() {
			return ""
		}
		switch typ {
		case "date":
			return v.Format(time.DateOnly)
		case "datetime-local":
			return v.Format("2006-01-02T15:04")
		case "time":
			return v.Format("15:04")
		}
		return v.Format(time.RFC3339)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case *bool:
		return v != nil && *v
	case string:
		return v == "1" || v == "true" || v == "on"
	case nil:
		return false
	}
	rv := reflect.ValueOf(v)
	return rv.CanInt() && rv.Int() != 0 || rv.CanUint() && rv.Uint() != 0
}
