// Package database opens gorm from a single DSN setting, so that every
// service runs on SQLite (the embedded default) or MySQL/MariaDB (docker
// compose, production) without code changes, and maps database errors to
// apperr kinds in one place.
//
// # DSN forms
//
//	sqlite:PATH                              e.g. sqlite:data/order.db
//	sqlite::memory:                          throw-away, single connection
//	mysql://USER[:PASS]@tcp(HOST:PORT)/DB?params
//
// Everything after "mysql://" is a go-sql-driver DSN; parseTime=true and
// charset=utf8mb4 are added when absent. Two parameters are read here and
// not passed to the driver: maxOpenConns (default 10) and maxIdleConns
// (default 5), the connection pool of one service instance.
//
// # Schema creation
//
// Each service owns its schema (one SQLite file or one MySQL database per
// service; no service reads another's tables) and creates it at start-up by
// calling Migrate with its gorm models before serving. Migrate is gorm's
// AutoMigrate: it creates missing tables, adds missing columns and creates
// missing indexes (including the UNIQUE keys the idempotency machinery relies
// on), and it is safe to run on every start and from several instances.
//
// What AutoMigrate does not do: it never drops tables or columns, never
// renames anything it cannot infer, never backfills or transforms data, and
// only partly alters column types (SQLite cannot alter columns in place).
// A change of that kind needs a deliberate, reviewed migration step; this
// reference app has none because its schemas only ever grow.
//
// # Transactions
//
// InTx runs a closure in one transaction and maps its error with MapError.
// On SQLite the pool has a single connection (see Open), so code inside a
// transaction must use the tx it was given: touching the outer *gorm.DB there
// waits for the connection the transaction holds, for ever.
package database
