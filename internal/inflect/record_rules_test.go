package inflect

import "testing"

func TestPluralize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"post", "posts"}, {"user", "users"}, {"category", "categories"}, {"day", "days"},
		{"box", "boxes"}, {"bus", "buses"}, {"class", "classes"}, {"dish", "dishes"}, {"match", "matches"},
		{"person", "people"}, {"child", "children"}, {"mouse", "mice"}, {"man", "men"},
		{"sheep", "sheep"}, {"news", "news"}, {"equipment", "equipment"},
		{"knife", "knives"}, {"half", "halves"}, {"quiz", "quizzes"}, {"status", "statuses"},
		{"analysis", "analyses"}, {"datum", "data"}, {"hero", "heroes"}, {"matrix", "matrices"},
		{"blog_post", "blog_posts"}, {"line_item", "line_items"}, {"sales_person", "sales_people"},
		{"posts", "posts"}, {"album", "albums"}, {"", ""}, {"key", "keys"}, {"toy", "toys"},
	}
	for _, tt := range tests {
		if got := Pluralize(tt.in); got != tt.want {
			t.Errorf("Pluralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnderscoreAndTableize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, under, table string }{
		{"Post", "post", "posts"},
		{"BlogPost", "blog_post", "blog_posts"},
		{"UserID", "user_id", "user_ids"},
		{"HTTPServer", "http_server", "http_servers"},
		{"Person", "person", "people"},
		{"LineItem2", "line_item2", "line_item2s"},
		{"APIKey", "api_key", "api_keys"},
		{"CreatedAt", "created_at", "created_ats"},
	}
	for _, tt := range tests {
		if got := Underscore(tt.in); got != tt.under {
			t.Errorf("Underscore(%q) = %q, want %q", tt.in, got, tt.under)
		}
		if got := Tableize(tt.in); got != tt.table {
			t.Errorf("Tableize(%q) = %q, want %q", tt.in, got, tt.table)
		}
	}
}

func TestCamelizeAndHumanize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, camel, human string }{
		{"user_id", "UserID", "User"},
		{"first_name", "FirstName", "First name"},
		{"title", "Title", "Title"},
		{"api_key", "APIKey", "Api key"},
	}
	for _, tt := range tests {
		if got := Camelize(tt.in); got != tt.camel {
			t.Errorf("Camelize(%q) = %q, want %q", tt.in, got, tt.camel)
		}
		if got := Humanize(tt.in); got != tt.human {
			t.Errorf("Humanize(%q) = %q, want %q", tt.in, got, tt.human)
		}
	}
}

func FuzzUnderscoreCamelize(f *testing.F) {
	for _, s := range []string{"Post", "BlogPost", "UserID"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := Underscore(s)
		if Underscore(u) != u {
			t.Fatalf("Underscore not idempotent on %q: %q", s, u)
		}
		_ = Pluralize(u)
	})
}
