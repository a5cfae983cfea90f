package errorpage_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/errorpage"
)

var errMissing = errors.New("missing")

type coded int

func (c coded) Error() string   { return fmt.Sprintf("coded %d", int(c)) }
func (c coded) StatusCode() int { return int(c) }

func TestStatusFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"a plain error is a 500", errors.New("boom"), 500},
		{"an error with a status keeps it", coded(404), 404},
		{"a wrapped error with a status keeps it", fmt.Errorf("show: %w", coded(422)), 422},
		{"a params error is a 400", fmt.Errorf("posts#show: %w", &dispatch.ParamError{Key: "id", Err: errors.New("not a number")}), 400},
		{"a status that is not an error status is a 500", coded(302), 500},
		{"a status out of range is a 500", coded(600), 500},
		{"a rescue with a status that is not an error status is ignored", fmt.Errorf("%w", errors.ErrUnsupported), 500},
		{"the first status in the chain wins", fmt.Errorf("%w", errors.Join(coded(404), coded(409))), 404},
		{"a rescued sentinel gets its status", fmt.Errorf("show: %w", errMissing), 404},
		{"an error's own status wins over a rescue", fmt.Errorf("%w", errors.Join(errMissing, coded(410))), 410},
		{"an error no rescue matches is a 500", errors.New("missing"), 500},
	}
	rescues := []errorpage.Rescue{{Err: errMissing, Status: 404}, {Err: errors.ErrUnsupported, Status: 200}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errorpage.StatusFor(tt.err, rescues...); got != tt.want {
				t.Errorf("StatusFor(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
