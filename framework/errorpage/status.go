package errorpage

import (
	"errors"
	"net/http"
)

// StatusCoder is implemented by errors that know their HTTP status, such
// as a params error (400) or controller.StatusError. The App answers an
// action's error with that status instead of 500.
type StatusCoder interface{ StatusCode() int }

// StatusFor maps an error to the status of its response: the StatusCode of
// the first error in the chain that has one between 400 and 599, else 500.
func StatusFor(err error) int {
	var sc StatusCoder
	if errors.As(err, &sc) {
		if code := sc.StatusCode(); code >= 400 && code <= 599 {
			return code
		}
	}
	return http.StatusInternalServerError
}
