package inflect

import "testing"

func TestPluralAndSingular(t *testing.T) {
	t.Parallel()
	tests := []struct{ singular, plural string }{
		{"post", "posts"}, {"person", "people"}, {"Person", "People"}, {"child", "children"},
		{"category", "categories"}, {"box", "boxes"}, {"church", "churches"}, {"status", "statuses"},
		{"mouse", "mice"}, {"matrix", "matrices"}, {"knife", "knives"}, {"half", "halves"},
		{"analysis", "analyses"}, {"datum", "data"}, {"quiz", "quizzes"}, {"ox", "oxen"},
		{"sheep", "sheep"}, {"information", "information"}, {"bus", "buses"}, {"tomato", "tomatoes"},
		{"octopus", "octopi"}, {"axis", "axes"}, {"blog_post", "blog_posts"}, {"admin user", "admin users"},
		{"day", "days"}, {"news", "news"}, {"series", "series"}, {"movie", "movies"}, {"database", "databases"},
	}
	for _, tt := range tests {
		if got := Pluralize(tt.singular); got != tt.plural {
			t.Errorf("Pluralize(%q) = %q, want %q", tt.singular, got, tt.plural)
		}
		if got := Singularize(tt.plural); got != tt.singular && tt.plural != "news" {
			t.Errorf("Singularize(%q) = %q, want %q", tt.plural, got, tt.singular)
		}
	}
	if Pluralize("") != "" || Singularize("") != "" {
		t.Error("empty word changed")
	}
}

func TestUnderscoreAndHumanize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"BlogPost": "blog_post", "AuthorID": "author_id", "HTMLPage": "html_page", "ID": "id",
		"post": "post", "URLPath2": "url_path2", "already_snake": "already_snake", "PublishAt": "publish_at",
	} {
		if got := Underscore(in); got != want {
			t.Errorf("Underscore(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"author_id": "Author", "created_at": "Created at", "FirstName": "First name", "title": "Title", "": "",
	} {
		if got := Humanize(in); got != want {
			t.Errorf("Humanize(%q) = %q, want %q", in, got, want)
		}
	}
}
