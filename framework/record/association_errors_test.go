package record_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// Misdeclared models, all on the likes table (id, entry_id).
type (
	noForeignKey struct {
		record.Model
		EntryID int64
		Owner   record.BelongsTo[Writer] // no owner_id
	}
	noTargetKey struct {
		record.Model
		EntryID int64
		Remarks record.HasMany[Remark] // remarks has no no_target_key_id
	}
	setOnColumn struct {
		record.Model
		EntryID int64
	}
	wrongScope struct {
		record.Model
		EntryID int64
		Entry   record.BelongsTo[Entry]
	}
	throughNothing struct {
		record.Model
		EntryID int64
		Tags    record.HasManyThrough[Tag]
	}
)

func (noForeignKey) TableName() string   { return "likes" }
func (noTargetKey) TableName() string    { return "likes" }
func (setOnColumn) TableName() string    { return "likes" }
func (wrongScope) TableName() string     { return "likes" }
func (throughNothing) TableName() string { return "likes" }

func (m *setOnColumn) Associations(a *record.Assoc) { a.Set(&m.EntryID, record.AssocOptions{}) }

func (m *wrongScope) Associations(a *record.Assoc) {
	a.Set(&m.Entry, record.AssocOptions{Scope: record.Scoped(approved)})
}

func TestMisdeclaredAssociationsFailRegister(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		tests := []struct {
			name     string
			register func(context.Context, record.Executor) error
			is       error
			says     string
		}{
			{"a BelongsTo without its foreign key field", record.Register[noForeignKey], record.ErrSchema, `no foreign key field for column "owner_id"`},
			{"a HasMany whose target lacks the key", record.Register[noTargetKey], record.ErrSchema, `Remark has no foreign key column "no_target_key_id"`},
			{"options on a column field", record.Register[setOnColumn], record.ErrNoAssociation, "not an association"},
			{"a scope on another model", record.Register[wrongScope], record.ErrNoAssociation, "Scope is on record_test.Remark"},
			{"a through without Through", record.Register[throughNothing], record.ErrNoAssociation, "needs Through"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.register(ctx, db)
				if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.says) {
					t.Errorf("Register = %v, want %v saying %q", err, tt.is, tt.says)
				}
			})
		}
	})
}
