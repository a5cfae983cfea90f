package record

// SetInLimit lowers the number of keys per IN list of Preload on db, so
// that tests can cross the chunk boundary with a few rows.
func SetInLimit(db *DB, n int) { db.inLimit = n }
