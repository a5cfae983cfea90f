package view

import (
	"fmt"
	"html/template"
	"strings"
)

// assetPath is asset_path: "application.css" -> "/assets/application-3f2a.css"
// when the manifest has it; absolute paths and URLs are kept.
func (s *Set) assetPath(name string) string {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "://") {
		return name
	}
	if fp, ok := s.cfg.Assets[name]; ok {
		name = fp
	}
	return strings.TrimSuffix(s.cfg.AssetPrefix, "/") + "/" + name
}

func withExt(name, ext string) string {
	if strings.HasSuffix(name, ext) || strings.Contains(name, "://") {
		return name
	}
	return name + ext
}

// stylesheetLinkTag is stylesheet_link_tag: {{stylesheet_link_tag "application"}}.
func (s *Set) stylesheetLinkTag(name string, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("stylesheet_link_tag: %w", err)
	}
	out := append(attrs{{"rel", "stylesheet"}, {"href", s.assetPath(withExt(name, ".css"))}}, a...)
	return template.HTML(voidTag("link", out...)), nil
}

// javascriptIncludeTag is javascript_include_tag: {{javascript_include_tag "application" "defer" true}}.
func (s *Set) javascriptIncludeTag(name string, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("javascript_include_tag: %w", err)
	}
	return tag("script", "", append(attrs{{"src", s.assetPath(withExt(name, ".js"))}}, a...)...), nil
}

// imageTag is image_tag: {{image_tag "logo.png" "alt" "Logo"}}.
func (s *Set) imageTag(name string, kv ...any) (template.HTML, error) {
	a, err := parseAttrs(kv)
	if err != nil {
		return "", fmt.Errorf("image_tag: %w", err)
	}
	return template.HTML(voidTag("img", append(attrs{{"src", s.assetPath(name)}}, a...)...)), nil
}
