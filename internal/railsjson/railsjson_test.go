package railsjson_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/railsjson"
)

// Model is record.Model's shape: exported timestamps and an unexported
// embedded state.
type Model struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	state
}

type state struct {
	persisted bool
	orig      any
}

type post struct {
	Model
	Title       string     `json:"title"`
	PublishedAt *time.Time `json:"published_at"`
	Secret      string     `json:"-"`
	hidden      time.Time
}

type Exported struct {
	At time.Time `json:"at"`
}

type outer struct {
	*Exported
	Name string `json:"name"`
}

type node struct {
	At       time.Time `json:"at"`
	Children []*node   `json:"children"`
}

type stamp struct{ time.Time }

type marshaled struct{ At time.Time }

func (m marshaled) MarshalJSON() ([]byte, error) { return []byte(`"mine"`), nil }

type omit struct {
	A time.Time  `json:"a,omitzero"`
	B *time.Time `json:"b,omitempty"`
	N int        `json:"n,omitempty"`
}

func TestMarshalWritesTimesAsRailsDoes(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 31, 2, 123456789, time.UTC)
	paris := at.In(time.FixedZone("CET", 3600))
	p := post{Model: Model{ID: 7, CreatedAt: at, UpdatedAt: paris, state: state{persisted: true, orig: 1}}, Title: "Hi", Secret: "s", hidden: at}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"a time", at, `"2026-12-05T10:31:02.123Z"`},
		{"a zone keeps its offset", paris, `"2026-12-05T11:31:02.123+01:00"`},
		{"whole seconds keep .000", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), `"2026-01-02T03:04:05.000Z"`},
		{"a record", p, `{"id":7,"created_at":"2026-12-05T10:31:02.123Z","updated_at":"2026-12-05T11:31:02.123+01:00","title":"Hi","published_at":null}`},
		{"a pointer to a record", &p, `{"id":7,"created_at":"2026-12-05T10:31:02.123Z","updated_at":"2026-12-05T11:31:02.123+01:00","title":"Hi","published_at":null}`},
		{"a set pointer", struct {
			T *time.Time `json:"t"`
		}{&at}, `{"t":"2026-12-05T10:31:02.123Z"}`},
		{"a slice of records", []post{{Title: "a"}}, `[{"id":0,"created_at":"0001-01-01T00:00:00.000Z","updated_at":"0001-01-01T00:00:00.000Z","title":"a","published_at":null}]`},
		{"a nil slice", []post(nil), `null`},
		{"a map of any", map[string]any{"post": map[string]any{"at": at}, "n": 1}, `{"n":1,"post":{"at":"2026-12-05T10:31:02.123Z"}}`},
		{"an array", [2]time.Time{at, at}, `["2026-12-05T10:31:02.123Z","2026-12-05T10:31:02.123Z"]`},
		{"an embedded exported pointer", outer{Exported: &Exported{At: at}, Name: "n"}, `{"at":"2026-12-05T10:31:02.123Z","name":"n"}`},
		{"a nil embedded pointer", outer{Name: "n"}, `{"name":"n"}`},
		{"omitzero and omitempty", omit{}, `{}`},
		{"omitzero of a set time", omit{A: at, B: &at}, `{"a":"2026-12-05T10:31:02.123Z","b":"2026-12-05T10:31:02.123Z"}`},
		{"another type's MarshalJSON is its own", marshaled{At: at}, `"mine"`},
		{"a type embedding time.Time has its MarshalJSON", stamp{at}, `"2026-12-05T10:31:02.123456789Z"`},
		{"no time at all", struct {
			A string `json:"a"`
			B []byte `json:"b"`
		}{"x", []byte("hi")}, `{"a":"x","b":"aGk="}`},
		{"nil", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := railsjson.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Marshal = %s\nwant      %s", got, tt.want)
			}
		})
	}
}

func TestMarshalOfARecursiveTypeFallsBackToEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 31, 2, 123456789, time.UTC)
	n := node{At: at, Children: []*node{{At: at}}}
	got, err := railsjson.Marshal(n)
	want, _ := json.Marshal(n)
	if err != nil || string(got) != string(want) {
		t.Fatalf("Marshal = %s, %v; want %s", got, err, want)
	}
}

func TestMarshalFailsAsEncodingJSONDoes(t *testing.T) {
	bad := []any{
		struct{ C chan int }{make(chan int)},
		map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		struct {
			F func() `json:"f"`
			T time.Time
		}{},
	}
	for _, v := range bad {
		if _, err := railsjson.Marshal(v); err == nil {
			t.Errorf("Marshal(%T) succeeded; want encoding/json's error", v)
		}
	}
}

func TestMarshalIsEncodingJSONForValuesWithoutTimes(t *testing.T) {
	vals := []any{1, "s<>&", []int{1}, map[string]int{"a": 1}, struct {
		A int `json:",string"`
		B any
	}{1, []string{"x"}}}
	for _, v := range vals {
		got, err := railsjson.Marshal(v)
		want, _ := json.Marshal(v)
		if err != nil || string(got) != string(want) {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
}

func ExampleMarshal() {
	type Post struct {
		ID        int64     `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	}
	b, _ := railsjson.Marshal(Post{ID: 1, CreatedAt: time.Date(2026, 12, 5, 10, 31, 2, 123456789, time.UTC)})
	fmt.Println(string(b))
	// Output: {"id":1,"created_at":"2026-12-05T10:31:02.123Z"}
}
