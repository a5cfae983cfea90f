// Package routing compares gorails' dispatch matcher with go-chi/chi and
// net/http.ServeMux on the GitHub REST API route table (203 routes), in one
// run:
//
//	cd bench && go test ./routing -run '^$' -bench . -benchtime 100000x
package routing
