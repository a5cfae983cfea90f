package sqldb

import (
	"container/list"
	"context"
	sqldriver "database/sql/driver"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
)

// DefaultStatementLimit is how many prepared statements a connection keeps
// when Options.StatementLimit is 0: Rails' statement_limit.
const DefaultStatementLimit = 100

// cachingConnector hands database/sql connections that keep their prepared
// statements (an LRU of up to limit per connection), so that a query the
// app runs again skips the parse and plan: database/sql prepares, runs
// and closes a statement for every query with arguments that the driver
// does not run directly (go-sql-driver/mysql: three round trips), and
// modernc.org/sqlite parses the SQL again for every one.
type cachingConnector struct {
	sqldriver.Connector
	limit  int
	schema *atomic.Uint64 // bumped by every DDL statement: connections drop their statements
}

func (c *cachingConnector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	inner, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: inner, limit: c.limit, schema: c.schema, seen: c.schema.Load(),
		stmts: make(map[string]*list.Element)}, nil
}

// cachingConn is one connection and its statements. database/sql serializes
// the use of a driver connection (its calls and those of its rows), so no
// lock guards the cache.
type cachingConn struct {
	sqldriver.Conn
	limit  int
	schema *atomic.Uint64
	seen   uint64 // schema generation the cached statements were prepared in
	stmts  map[string]*list.Element
	lru    list.List // of *cachedStmt, most recently used first
}

// cachedStmt is a prepared statement; busy while rows read from it (SQLite
// resets a statement to run it again, which would end those rows).
type cachedStmt struct {
	query   string
	stmt    sqldriver.Stmt
	busy    bool
	evicted bool // dropped from the cache while busy: closed when its rows close
	// rows wraps the rows of the statement's query in flight: a statement
	// runs one query at a time (busy), and database/sql closes a query's
	// rows once and never reads them after, so each query reuses it.
	rows cachedRows
}

var (
	_ sqldriver.QueryerContext     = (*cachingConn)(nil)
	_ sqldriver.ExecerContext      = (*cachingConn)(nil)
	_ sqldriver.ConnPrepareContext = (*cachingConn)(nil)
	_ sqldriver.ConnBeginTx        = (*cachingConn)(nil)
	_ sqldriver.NamedValueChecker  = (*cachingConn)(nil)
	_ sqldriver.SessionResetter    = (*cachingConn)(nil)
	_ sqldriver.Validator          = (*cachingConn)(nil)
	_ sqldriver.Pinger             = (*cachingConn)(nil)
)

// QueryContext runs a cacheable query on its cached statement, anything
// else as the driver would.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	switch kindOf(query) {
	case stmtCacheable:
		s, err := c.prepared(ctx, query)
		if err != nil {
			return nil, err
		}
		q, ok := s.stmt.(sqldriver.StmtQueryContext)
		if !ok {
			c.done(s)
			return nil, sqldriver.ErrSkip
		}
		rows, err := q.QueryContext(ctx, args)
		if err != nil {
			c.done(s)
			return nil, err
		}
		s.rows = cachedRows{Rows: rows, c: c, s: s}
		return &s.rows, nil
	case stmtDDL:
		c.schema.Add(1)
	}
	if q, ok := c.Conn.(sqldriver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, sqldriver.ErrSkip
}

// ExecContext is QueryContext for statements without rows.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	switch kindOf(query) {
	case stmtCacheable:
		s, err := c.prepared(ctx, query)
		if err != nil {
			return nil, err
		}
		defer c.done(s)
		e, ok := s.stmt.(sqldriver.StmtExecContext)
		if !ok {
			return nil, sqldriver.ErrSkip
		}
		return e.ExecContext(ctx, args)
	case stmtDDL:
		c.schema.Add(1)
		defer c.schema.Add(1) // and after: a statement prepared meanwhile saw the old schema
	}
	if e, ok := c.Conn.(sqldriver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, sqldriver.ErrSkip
}

// prepared returns query's statement marked busy: the cached one, or a new
// one (cached unless the cached one is busy).
func (c *cachingConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	if g := c.schema.Load(); g != c.seen {
		c.flush()
		c.seen = g
	}
	if e, ok := c.stmts[query]; ok {
		s := e.Value.(*cachedStmt)
		if !s.busy {
			c.lru.MoveToFront(e)
			s.busy = true
			return s, nil
		}
		st, err := c.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		return &cachedStmt{query: query, stmt: st, busy: true, evicted: true}, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{query: query, stmt: st, busy: true}
	c.stmts[query] = c.lru.PushFront(s)
	for c.lru.Len() > c.limit {
		c.evict(c.lru.Back())
	}
	return s, nil
}

// done marks s free again, and closes it if it left the cache meanwhile.
func (c *cachingConn) done(s *cachedStmt) {
	s.busy = false
	if s.evicted {
		s.stmt.Close()
	}
}

func (c *cachingConn) evict(e *list.Element) {
	s := c.lru.Remove(e).(*cachedStmt)
	delete(c.stmts, s.query)
	s.evicted = true
	if !s.busy {
		s.stmt.Close()
	}
}

// flush drops every cached statement.
func (c *cachingConn) flush() {
	for c.lru.Len() > 0 {
		c.evict(c.lru.Back())
	}
}

// Close closes the statements, then the connection.
func (c *cachingConn) Close() error {
	c.flush()
	return c.Conn.Close()
}

// PrepareContext implements driver.ConnPrepareContext.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (sqldriver.Stmt, error) {
	if p, ok := c.Conn.(sqldriver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

// BeginTx implements driver.ConnBeginTx.
func (c *cachingConn) BeginTx(ctx context.Context, opts sqldriver.TxOptions) (sqldriver.Tx, error) {
	if b, ok := c.Conn.(sqldriver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver has nothing else
}

// CheckNamedValue implements driver.NamedValueChecker: the driver's, or
// database/sql's default conversion.
func (c *cachingConn) CheckNamedValue(nv *sqldriver.NamedValue) error {
	if ch, ok := c.Conn.(sqldriver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return sqldriver.ErrSkip
}

// ResetSession implements driver.SessionResetter.
func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(sqldriver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(sqldriver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Ping implements driver.Pinger.
func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(sqldriver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// cachedRows frees its statement when closed.
type cachedRows struct {
	sqldriver.Rows
	c *cachingConn
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.s != nil {
		r.c.done(r.s)
		r.s = nil
	}
	return err
}

// The optional interfaces database/sql asks rows for.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (length int64, ok bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(sqldriver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) HasNextResultSet() bool {
	if m, ok := r.Rows.(sqldriver.RowsNextResultSet); ok {
		return m.HasNextResultSet()
	}
	return false
}

func (r *cachedRows) NextResultSet() error {
	if m, ok := r.Rows.(sqldriver.RowsNextResultSet); ok {
		return m.NextResultSet()
	}
	return io.EOF
}

type stmtKind uint8

const (
	stmtOther     stmtKind = iota // run as the driver would, uncached
	stmtCacheable                 // one SELECT, INSERT, UPDATE, DELETE, REPLACE or WITH
	stmtDDL                       // CREATE, ALTER, DROP, RENAME, TRUNCATE: drops every cached statement
)

// kindOf looks at the first keyword. A statement with a ';' (a script, or
// one that merely has the character in a literal) is never cached.
func kindOf(query string) stmtKind {
	i := 0
	for i < len(query) && (query[i] == ' ' || query[i] == '\n' || query[i] == '\t' || query[i] == '\r' || query[i] == '(') {
		i++
	}
	j := i
	for j < len(query) && (query[j]|0x20 >= 'a' && query[j]|0x20 <= 'z') {
		j++
	}
	switch w := query[i:j]; {
	case strings.EqualFold(w, "select"), strings.EqualFold(w, "insert"), strings.EqualFold(w, "update"),
		strings.EqualFold(w, "delete"), strings.EqualFold(w, "with"), strings.EqualFold(w, "replace"):
		if strings.IndexByte(query, ';') >= 0 {
			return stmtOther
		}
		return stmtCacheable
	case strings.EqualFold(w, "create"), strings.EqualFold(w, "alter"), strings.EqualFold(w, "drop"),
		strings.EqualFold(w, "rename"), strings.EqualFold(w, "truncate"):
		return stmtDDL
	}
	return stmtOther
}
