// Package templates holds the generators' templates, embedded in the gorails
// binary: app/ is the skeleton `gorails new` creates; controller/, mailer/, model/,
// migration/, scaffold/, resource/ and job/ are what `gorails generate`
// writes. Files ending in ".tt"
// are rendered with internal/generator ("[[ ]]" delimiters); the rest are
// copied as they are.
package templates

import "embed"

// FS is the template tree.
//
//go:embed all:app all:authentication all:controller all:job all:mailer all:migration all:model all:resource all:scaffold
var FS embed.FS
