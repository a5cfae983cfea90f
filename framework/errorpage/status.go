package errorpage

import (
	"errors"
	"net/http"
)

// StatusCoder is implemented by errors that know their HTTP status, such
// as a params error (400) or controller.StatusError. The App answers an
// action's error with that status instead of 500.
type StatusCoder interface{ StatusCode() int }

// A Rescue gives the errors that match Err (errors.Is) the status Status,
// for errors that cannot carry a StatusCode of their own, such as another
// package's sentinels: Rails' rescue_responses.
type Rescue struct {
	Err    error
	Status int
}

// StatusFor maps an error to the status of its response: the StatusCode of
// the first error in the chain that has one between 400 and 599, else the
// Status of the first rescue whose Err the chain matches, else 500.
func StatusFor(err error, rescues ...Rescue) int {
	var sc StatusCoder
	if errors.As(err, &sc) {
		if code := sc.StatusCode(); code >= 400 && code <= 599 {
			return code
		}
	}
	for _, r := range rescues {
		if errors.Is(err, r.Err) && r.Status >= 400 && r.Status <= 599 {
			return r.Status
		}
	}
	return http.StatusInternalServerError
}
