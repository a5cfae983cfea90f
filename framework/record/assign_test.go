package record_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// requestParams is a stand-in for controller.Params: record sees only the
// Attributes interface.
type requestParams struct {
	values    map[string]any
	permitted bool
}

var errForbidden = errors.New("forbidden attributes")

func (p requestParams) AttributeValues() (map[string]any, error) {
	if !p.permitted {
		return nil, errForbidden
	}
	return p.values, nil
}

func TestAssignCastsFormText(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		cases := []struct {
			name  string
			attrs map[string]any
			check func(p Post) bool
		}{
			{"a checkbox's 1 is true", map[string]any{"published": "1"}, func(p Post) bool { return p.Published }},
			{"a checkbox's hidden 0 is false", map[string]any{"published": "0"}, func(p Post) bool { return !p.Published }},
			{"JSON true is true", map[string]any{"published": true}, func(p Post) bool { return p.Published }},
			{"digits are an integer", map[string]any{"views": " 42 "}, func(p Post) bool { return p.Views == 42 }},
			{"a JSON number is an integer", map[string]any{"views": json.Number("7")}, func(p Post) bool { return p.Views == 7 }},
			{"text is a float", map[string]any{"rating": "4.5"}, func(p Post) bool { return p.Rating == 4.5 }},
			{"blank text is nil for a pointer", map[string]any{"user_id": ""}, func(p Post) bool { return p.UserID == nil }},
			{"digits set a pointer", map[string]any{"user_id": "3"}, func(p Post) bool { return p.UserID != nil && *p.UserID == 3 }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var p Post
				if err := record.Assign(ctx, db, &p, requestParams{tc.attrs, true}); err != nil {
					t.Fatal(err)
				}
				if !tc.check(p) {
					t.Errorf("after Assign(%v): %+v", tc.attrs, p)
				}
			})
		}
	})
}

func TestAssignRefusesWhatDoesNotConvert(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		cases := []struct {
			attrs map[string]any
			attr  string
		}{
			{map[string]any{"published": "maybe"}, "published"},
			{map[string]any{"views": "12abc"}, "views"},
			{map[string]any{"views": "99999999999999999999"}, "views"},
			{map[string]any{"rating": "NaN-ish"}, "rating"},
			{map[string]any{"title": "ok", "views": map[string]any{"a": "b"}}, "views"},
			{map[string]any{"title": true}, "title"},
		}
		for _, tc := range cases {
			p := Post{Title: "before"}
			err := record.Assign(ctx, db, &p, requestParams{tc.attrs, true})
			var ae *record.AttributeError
			if !errors.As(err, &ae) || !errors.Is(err, record.ErrInvalidAttribute) || ae.Attribute != tc.attr || ae.StatusCode() != 400 {
				t.Errorf("Assign(%v) = %v; want an *AttributeError on %s with status 400", tc.attrs, err, tc.attr)
				continue
			}
			if !strings.Contains(err.Error(), tc.attr) {
				t.Errorf("error %q does not name %s", err, tc.attr)
			}
			if p.Title != "before" {
				t.Errorf("a failed Assign changed the record: %+v", p)
			}
		}
	})
}

func TestAssignRefusesParamsThatWereNotPermitted(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		var p Post
		err := record.Assign(ctx, db, &p, requestParams{map[string]any{"title": "x"}, false})
		if !errors.Is(err, errForbidden) || p.Title != "" {
			t.Fatalf("Assign of params not permitted = %v (title %q); want the params' error and nothing assigned", err, p.Title)
		}
		if err := record.Update(ctx, db, &p, requestParams{map[string]any{"title": "x"}, false}); !errors.Is(err, errForbidden) {
			t.Fatalf("Update of params not permitted = %v", err)
		}
	})
}

func TestErrorsOnAndErrorMessages(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		e := Entry{Title: "orphan", WriterID: 999999}
		err := record.Create(context.Background(), db, &e)
		if !errors.Is(err, record.ErrInvalid) {
			t.Fatalf("Create with a writer_id no writer has = %v, want ErrInvalid (must exist)", err)
		}
		if got := e.ErrorsOn("writer_id"); !slices.Equal(got, []string{"must exist"}) {
			t.Errorf(`ErrorsOn("writer_id") = %q, want the association's "must exist"`, got)
		}
		if got := e.ErrorMessages(); !slices.Equal(got, []string{"Writer must exist"}) {
			t.Errorf("ErrorMessages = %q", got)
		}
		var fresh Entry
		if fresh.ErrorsOn("title") != nil || fresh.ErrorMessages() != nil {
			t.Error("a record never validated has no errors")
		}
	})
}

func TestAssociationsAreInJSONOnlyWhenLoaded(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		type view struct {
			record.Model
			Title   string                   `json:"title"`
			Writer  record.BelongsTo[Writer] `json:"writer,omitzero"`
			Remarks record.HasMany[Remark]   `json:"remarks,omitzero"`
		}
		e, err := record.Query[Entry](db).Find(ctx, b.hello.ID)
		must(t, err)
		out, err := json.Marshal(view{Model: e.Model, Title: e.Title, Writer: e.Writer, Remarks: e.Remarks})
		must(t, err)
		if strings.Contains(string(out), "writer") || strings.Contains(string(out), "remarks") || !strings.Contains(string(out), `"id":`) || !strings.Contains(string(out), `"created_at":`) {
			t.Errorf("not loaded: %s; want snake_case keys and no associations", out)
		}
		_, err = e.Writer.Load(ctx, db)
		must(t, err)
		out, err = json.Marshal(view{Model: e.Model, Title: e.Title, Writer: e.Writer})
		must(t, err)
		if !strings.Contains(string(out), `"writer":{`) {
			t.Errorf("loaded: %s; want the writer", out)
		}
	})
}

func TestErrorsAsJSON(t *testing.T) {
	var e record.Errors
	e.Add("title", "can't be blank")
	e.Add("", "is locked")
	e.Add("title", `is too "short"`)
	out, err := json.Marshal(&e)
	must(t, err)
	if want := `{"title":["can't be blank","is too \"short\""],"base":["is locked"]}`; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}
