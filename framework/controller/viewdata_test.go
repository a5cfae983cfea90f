package controller_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/view"
)

type shopUser struct{ Name string }

func (u *shopUser) Greeting() string { return "hi " + u.Name }

type shopProduct struct {
	ID   int
	Name string
}

// ShopBase is a shop's ApplicationController: an assign every view reads
// and a field no view may.
type ShopBase struct {
	controller.Base
	CurrentUser *shopUser
	secret      string
}

// banner is a concern embedded by value: its exported fields are view data.
type banner struct {
	Banner string
	note   string
}

// tracker is embedded by pointer: its fields live elsewhere, and are not.
type tracker struct{ Visits int }

// ShopController mixes assigns of every shape with hidden fields, so that
// the view data's layout (assigns at their offsets, padding between) is
// exercised.
type ShopController struct {
	ShopBase
	banner
	hidden  string
	Count   int
	flag    bool
	Tags    []string
	Prices  map[string]int
	Product shopProduct
	Extra   *shopProduct
	Any     any
	*tracker
}

func (c *ShopController) Index() error {
	c.CurrentUser = &shopUser{Name: "ann"}
	c.secret, c.hidden, c.note, c.flag = "s3cret", "h1dden", "n0te", true
	c.Banner = "Sale <now>"
	c.Count = 3
	c.Tags = []string{"a", "b"}
	c.Prices = map[string]int{"tea": 4}
	c.Product = shopProduct{ID: 7, Name: "Tea"}
	c.Extra = &shopProduct{ID: 8, Name: "Cup"}
	c.Any = 42
	c.tracker = &tracker{Visits: 9}
	return nil
}

// Show renders a view that tries to act for the controller.
func (c *ShopController) Show() error { return nil }

const shopIndex = `{{.Data.CurrentUser.Greeting}}|{{.Data.Banner}}|{{.Data.Count}}|{{range .Data.Tags}}{{.}}{{end}}|` +
	`{{.Data.Prices.tea}}|{{.Data.Product.Name}}|{{.Data.Extra.ID}}|{{.Data.Any}}|{{with .Data.Product}}{{.ID}}{{end}}|{{post_path .Data.Product.ID}}`

func shopApp(t *testing.T, files fstest.MapFS) (*controller.Env, *dispatch.RouteSet, error) {
	t.Helper()
	views, err := view.New(view.Config{FS: files, Funcs: testRoutes.Funcs()})
	if err != nil {
		t.Fatal(err)
	}
	env := &controller.Env{Views: views, Logger: slog.New(slog.DiscardHandler)}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env, ErrorHandler: statusErrorHandler})
	return env, rs, rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("shop", dispatch.For[ShopController](), dispatch.Only("index", "show"))
	})
}

func TestViewsReadTheControllersExportedFields(t *testing.T) {
	t.Parallel()
	env, rs, err := shopApp(t, fstest.MapFS{"shop/index.html.tmpl": {Data: []byte(shopIndex)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.CheckViews(); err != nil {
		t.Fatalf("CheckViews of a valid view: %v", err)
	}
	want := "hi ann|Sale &lt;now&gt;|3|ab|4|Tea|8|42|7|/posts/7"
	// Many requests with collections in between: the view reads the
	// controller's memory through the view data's type, so pointers in it
	// must survive the garbage collector.
	for i := range 50 {
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/shop", nil))
		if rec.Code != 200 || rec.Body.String() != want {
			t.Fatalf("request %d: %d %q, want %q", i, rec.Code, rec.Body, want)
		}
		if i%10 == 0 {
			runtime.GC()
		}
	}
}

func TestViewsCannotSeeHiddenFieldsOrCallControllerMethods(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, view, want string }{
		{"a controller method", `{{.Data.Redirect "/evil"}}`, "can't evaluate field Redirect"},
		{"Base's methods", `{{.Data.Head 500}}`, "can't evaluate field Head"},
		{"an unexported field", `{{.Data.secret}}`, "can't evaluate field secret"},
		{"a field behind an embedded pointer", `{{.Data.Visits}}`, "can't evaluate field Visits"},
	} {
		t.Run(tc.name+" is not in the view's data", func(t *testing.T) {
			t.Parallel()
			_, rs, err := shopApp(t, fstest.MapFS{"shop/show.html.tmpl": {Data: []byte(tc.view)}})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/shop/1", nil))
			if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%s: %d %q, want a 500 saying %q", tc.view, rec.Code, rec.Body, tc.want)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Fatalf("the view redirected to %q", loc)
			}
		})
	}
}

func TestCheckViewsFailsOnWhatAViewCannotRead(t *testing.T) {
	t.Parallel()
	layout := `<main>{{block "title" .}}Shop{{end}}{{template "content" .}}</main>`
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a view calling a controller method", map[string]string{"shop/index.html.tmpl": "<p>\n{{.Data.Head 500}}</p>"},
			"shop/index.html.tmpl:2: .Data.Head: Head is not in the view's data: ShopController views read ShopController's exported fields (CurrentUser, Banner, Count, Tags, Prices, Product, Extra, Any), never its methods"},
		{"a misspelled assign", map[string]string{"shop/index.html.tmpl": "{{.Data.Cuont}}"}, "shop/index.html.tmpl:1: .Data.Cuont: Cuont is not in the view's data"},
		{"an unexported field", map[string]string{"shop/index.html.tmpl": "{{.Data.secret}}"}, ".Data.secret: secret is not in the view's data"},
		{"a missing field down the chain", map[string]string{"shop/index.html.tmpl": "{{.Data.CurrentUser.Nmae}}"},
			"shop/index.html.tmpl:1: .Data.CurrentUser.Nmae: *controller_test.shopUser has no field or method Nmae"},
		{"a missing field inside with", map[string]string{"shop/index.html.tmpl": "{{with .Data.Product}}\n{{.Prise}}{{end}}"},
			"shop/index.html.tmpl:2: .Prise: controller_test.shopProduct has no field or method Prise"},
		{"a missing field inside range", map[string]string{"shop/index.html.tmpl": "{{range .Data.Tags}}{{.Len}}{{end}}"}, ".Len: string has no field or method Len"},
		{"$.Data inside range", map[string]string{"shop/index.html.tmpl": "{{range .Data.Tags}}{{$.Data.Nope}}{{end}}"}, "$.Data.Nope: Nope is not in the view's data"},
		{"a block of the view", map[string]string{"shop/index.html.tmpl": `{{define "title"}}{{.Data.Nope}}{{end}}x`}, ".Data.Nope: Nope is not in the view's data"},
		{"the layout", map[string]string{"shop/index.html.tmpl": "x", "layouts/application.html.tmpl": `{{.Data.Nope}}{{template "content" .}}`},
			"layouts/application.html.tmpl:1: .Data.Nope"},
		{"a partial", map[string]string{"shop/index.html.tmpl": `{{render . "row" "x" 1}}`, "shop/_row.html.tmpl": "\n\n{{.Data.Nope}}"},
			"shop/_row.html.tmpl:3: .Data.Nope"},
		{"a partial included with locals", map[string]string{"shop/index.html.tmpl": `{{range .Data.Tags}}{{template "shop/_row" (locals $ "tag" .)}}{{end}}`, "shop/_row.html.tmpl": "{{.Data.Nope}}"},
			"shop/_row.html.tmpl:1: .Data.Nope"},
		{"another view of the controller", map[string]string{"shop/index.html.tmpl": "x", "shop/edit.html.tmpl": "{{.Data.Nope}}"}, "shop/edit.html.tmpl:1: .Data.Nope"},
		{"a view of another format", map[string]string{"shop/index.html.tmpl": "x", "shop/index.json.tmpl": "{{.Data.Nope}}"}, "shop/index.json.tmpl:1: .Data.Nope"},
		{"a route helper that does not exist", map[string]string{"shop/index.html.tmpl": "<a href=\"{{product_path 1}}\">"},
			`shop/index.html.tmpl:1: function "product_path" not defined`},
	}
	for _, tc := range tests {
		t.Run(tc.name+" fails the check", func(t *testing.T) {
			t.Parallel()
			files := fstest.MapFS{"layouts/application.html.tmpl": {Data: []byte(layout)}}
			for p, src := range tc.files {
				files[p] = &fstest.MapFile{Data: []byte(src)}
			}
			env, _, err := shopApp(t, files)
			if err != nil {
				t.Fatal(err)
			}
			err = env.CheckViews()
			if !errors.Is(err, view.ErrInvalidTemplate) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckViews: %v\nwant an error containing %q", err, tc.want)
			}
		})
	}
	t.Run("valid views pass", func(t *testing.T) {
		t.Parallel()
		files := fstest.MapFS{
			"layouts/application.html.tmpl": {Data: []byte(layout + `{{with .Data.CurrentUser}}{{.Name}}{{end}}{{.Flash.notice}}{{.RequestPath}}`)},
			"shop/index.html.tmpl": {Data: []byte(shopIndex + `{{define "title"}}{{.Data.Banner}}{{end}}` +
				`{{range $i, $t := .Data.Tags}}{{$i}}{{$t}}{{$.Data.Count}}{{end}}{{render_collection . "row" .Data.Tags}}` +
				`{{template "shop/_row" (locals $ "row" 1)}}{{.Data.Any}}{{.Data.Prices.anything}}{{post_url $ 1}}`)},
			"shop/_row.html.tmpl": {Data: []byte(`{{.Locals.row}}{{.Data.Count}}{{with .Locals.row}}{{.Whatever}}{{end}}`)},
		}
		env, _, err := shopApp(t, files)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.CheckViews(); err != nil {
			t.Fatalf("CheckViews: %v", err)
		}
	})
}

func ExampleEnv_CheckViews() {
	views, _ := view.New(view.Config{FS: fstest.MapFS{
		"shop/index.html.tmpl": {Data: []byte("<p>{{.Data.Count}} items</p>\n{{if .Data.Count}}{{.Data.Head 500}}{{end}}")},
	}})
	env := &controller.Env{Views: views}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	if err := rs.Draw(func(r *dispatch.Mapper) { r.Get("shop", dispatch.To((*ShopController).Index)) }); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.CheckViews())
	// Output:
	// shop/index.html.tmpl:2: .Data.Head: Head is not in the view's data: ShopController views read ShopController's exported fields (CurrentUser, Banner, Count, Tags, Prices, Product, Extra, Any), never its methods
}
