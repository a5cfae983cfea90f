// Package seeds loads the data the application needs to start with:
// `gorails db:seed` runs it, and `gorails db:reset` after recreating the
// database. Write it so that it can run more than once.
package seeds

import (
	"context"

	"github.com/gorails/gorails/framework/record"
)

// Run loads the seed data into db. For example:
//
//	for _, name := range []string{"Action", "Comedy"} {
//		if _, err := record.Query[models.Genre](db).Where("name = ?", name).First(ctx); errors.Is(err, record.ErrNotFound) {
//			if err := record.Create(ctx, db, &models.Genre{Name: name}); err != nil {
//				return err
//			}
//		}
//	}
func Run(ctx context.Context, db *record.DB) error {
	return nil
}
