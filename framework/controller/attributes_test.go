package controller_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// attributes is what record.Assign takes (record.Attributes); controller
// does not import record, so the test names the method set.
type attributes interface {
	AttributeValues() (map[string]any, error)
}

var _ attributes = (*controller.Params)(nil)

// AssignController hands params to a stand-in for record.Assign and answers
// what it was given, or the error's status.
type AssignController struct{ controller.Base }

func (c *AssignController) Permitted() error {
	p, err := c.Params().Require("post").Permit("title")
	if err != nil {
		return err
	}
	return c.answer(p)
}

func (c *AssignController) Required() error { return c.answer(c.Params().Require("post")) }

func (c *AssignController) answer(a attributes) error {
	v, err := a.AttributeValues()
	if err != nil {
		if errors.Is(err, controller.ErrForbiddenAttributes) {
			return c.Text(http.StatusInternalServerError, err.Error())
		}
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func TestParamsAreAssignedOnlyOncePermitted(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Post("permitted", dispatch.To((*AssignController).Permitted))
		r.Post("required/:id", dispatch.To((*AssignController).Required))
		r.Post("permitted/:id", dispatch.To((*AssignController).Permitted))
	})
	tests := []struct {
		name, path, body, ctype string
		status                  int
		want                    string
	}{
		{"permitted form params are handed over without what was not permitted",
			"/permitted", "post[title]=m&post[admin]=1", "", 200, `{"title":"m"}`},
		{"required but not permitted params are refused",
			"/required/1", "post[title]=m&post[admin]=1", "", 500, "post: params must be permitted"},
		{"a JSON body nested under the model is permitted the same way",
			"/permitted", `{"post":{"title":"m","admin":true}}`, "application/json", 200, `{"title":"m"}`},
		{"a JSON body of bare attributes is wrapped under the model (wrap_parameters), then permitted",
			"/permitted/5", `{"title":"m","admin":true,"id":9}`, "application/json", 200, `{"title":"m"}`},
		{"a form of bare attributes is not wrapped: post is missing",
			"/permitted", "title=m", "", 400, "param is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h []string
			if tt.ctype != "" {
				h = []string{"Content-Type", tt.ctype}
			}
			rec := a.do(t, http.MethodPost, tt.path, strings.NewReader(tt.body), h...)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("got %d %s\nwant %d containing %s", rec.Code, rec.Body, tt.status, tt.want)
			}
		})
	}
}
