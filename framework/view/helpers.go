package view

import (
	"html/template"
	"time"

	"github.com/gorails/gorails/internal/inflect"
)

// addHelpers adds the helper set. Set-bound helpers (assets, dom_id, clock)
// close over s; request-scoped ones take the *Context.
func (s *Set) addHelpers(m template.FuncMap) {
	// request-scoped
	m["current_page"] = currentPage
	m["csrf_meta_tags"] = csrfMetaTags
	m["csrf_token"] = csrfToken
	m["button_to"] = buttonTo
	m["form_with"] = formWith
	m["error_summary"] = s.errorSummary
	// tags and text
	m["link_to"] = linkTo
	m["mail_to"] = mailTo
	m["options"] = options
	m["dom_id"] = s.domID
	m["dom_class"] = s.domClass
	m["pluralize"] = pluralize
	m["singularize"] = inflect.Singularize
	m["truncate"] = truncate
	// Fixed-arity forms of the variadic helpers a list page calls per row
	// (see FixedArity): the compiled templates call these when the
	// arguments fit, without a slice and boxed values per call.
	m[FixedArity("truncate", 2)] = truncateDefault
	m[FixedArity("link_to", 2)] = linkTo2
	m["number_with_delimiter"] = numberWithDelimiter
	m["simple_format"] = simpleFormat
	m["json"] = toJSON
	m["time_ago_in_words"] = func(t any) (string, error) {
		tt, err := timeOf(t)
		if err != nil {
			return "", err
		}
		return distanceOfTimeInWords(tt, s.cfg.Now()), nil
	}
	m["distance_of_time_in_words"] = func(from, to time.Time) string { return distanceOfTimeInWords(from, to) }
	// assets
	m["asset_path"] = s.assetPath
	m["stylesheet_link_tag"] = s.stylesheetLinkTag
	m["javascript_include_tag"] = s.javascriptIncludeTag
	m["image_tag"] = s.imageTag
}
