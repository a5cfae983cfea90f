package csrf

import "github.com/gorails/gorails/internal/formpeek"

// formLimits bound how much of a form body the middleware reads to find the
// token: 1 MiB of a urlencoded body, 64 KiB of a multipart one (the view
// helpers put the token first in every form). The body is put back, so the
// router's params parser still reads all of it: the middleware never
// consumes what the app needs.
var formLimits = formpeek.Limits{URLEncoded: 1 << 20, Multipart: 64 << 10, Value: 1 << 10}
