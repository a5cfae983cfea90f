package controller

import "net/http"

// Serve answers the request with h, any net/http handler (a failure
// handler such as auth's, a file server), and counts as the response: a
// before callback that calls it halts the chain, as one that redirects
// does.
func (b *Base) Serve(h http.Handler) error {
	if err := b.perform(); err != nil {
		return err
	}
	h.ServeHTTP(b.w, b.req.HTTP())
	return nil
}
