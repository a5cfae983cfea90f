package appmigrate

import "github.com/gorails/gorails/framework/record/migrate"

// One and Two share a file.
func (Bad) One() migrate.Migration { return migrate.Migration{Change: func(*migrate.Schema) {}} }

// Two is the second migration of the file.
func (Bad) Two() migrate.Migration { return migrate.Migration{Change: func(*migrate.Schema) {}} }
