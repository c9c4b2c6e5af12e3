package database

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
)

// SQLite compiles a statement's SQL into a program before it runs it, and
// under load that compile was the largest single cost of a service's
// queries (issue 14: 14 % of the order service's CPU at 64 clients). gorm
// sends every query as text, and database/sql hands text to the driver,
// which compiles it, runs it once and throws the program away. The
// statement cache below keeps each connection's compiled statements by SQL
// text, so a query the service has run before is only bound and stepped.
// The modernc driver keeps a prepared statement's program and resets it
// after each run (its stmt.pstmt), which is what makes a cache at this level
// possible.
//
// gorm's PrepareStmt would not do: it prepares a statement first met inside
// a transaction on that transaction, and database/sql prepares it again in
// every later one.

// stmtCacheSize is how many statements a connection keeps compiled: every
// distinct SQL text a service runs on its hot paths several times over,
// with room for the IN lists of varying length that also arrive. The least
// recently used one goes when a new one arrives and the cache is full.
const stmtCacheSize = 256

// stmtCacheConnector opens connections that keep their statements compiled.
type stmtCacheConnector struct {
	driver.Connector
}

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	for _, ok := range []bool{
		implements[driver.ConnBeginTx](conn), implements[driver.ConnPrepareContext](conn),
		implements[driver.ExecerContext](conn), implements[driver.QueryerContext](conn),
		implements[driver.Pinger](conn), implements[driver.SessionResetter](conn), implements[driver.Validator](conn),
	} {
		if !ok {
			conn.Close()
			return nil, errors.New("database: the sqlite driver's connection lacks an interface the statement cache forwards")
		}
	}
	return &cachingConn{conn: conn, byText: map[string]*list.Element{}, lru: list.New()}, nil
}

func implements[T any](v any) bool { _, ok := v.(T); return ok }

// cachingConn runs ExecContext and QueryContext through compiled statements
// it keeps by SQL text and forwards everything else. database/sql never
// uses a connection from two goroutines at once (rows included: their Close
// runs under the connection's lock), so the cache needs no lock of its own.
type cachingConn struct {
	conn   driver.Conn
	byText map[string]*list.Element // of *cachedStmt, most recently used at the front of lru
	lru    *list.List

	compiled int // statements compiled for the cache, for tests
}

// cachedStmt is one compiled statement. While rows of it are open it is
// busy: the same SQL run meanwhile (a query inside a loop over another's
// rows) gets a statement of its own rather than resetting the open one.
type cachedStmt struct {
	text    string
	stmt    driver.Stmt
	busy    bool
	evicted bool // out of the cache while busy: closed when its rows close
}

// Unwrap returns the driver's connection (modernc's Limit looks for it).
func (c *cachingConn) Unwrap() driver.Conn { return c.conn }

// statement returns the cached statement for text, compiling and caching
// it on first use, or nil when the cached one is busy.
func (c *cachingConn) statement(ctx context.Context, text string) (*cachedStmt, error) {
	if e, ok := c.byText[text]; ok {
		s := e.Value.(*cachedStmt)
		if s.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return s, nil
	}
	stmt, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.compiled++
	s := &cachedStmt{text: text, stmt: stmt}
	c.byText[text] = c.lru.PushFront(s)
	if c.lru.Len() > stmtCacheSize {
		c.evict(c.lru.Back())
	}
	return s, nil
}

func (c *cachingConn) evict(e *list.Element) {
	s := c.lru.Remove(e).(*cachedStmt)
	delete(c.byText, s.text)
	if s.busy {
		s.evicted = true
		return
	}
	s.stmt.Close()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, stmt: s}, nil
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.byText, c.lru = nil, list.New()
	return c.conn.Close()
}

// The rest is the driver's own.

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }

// cachedRows frees its statement for the next run when closed. The column
// type methods are the driver's (gorm's migrator reads them), where it has them.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	if r.stmt.evicted {
		r.stmt.stmt.Close()
	}
	return err
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
