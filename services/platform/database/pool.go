package database

import (
	"fmt"
	"strconv"
	"strings"
)

// MySQL pool sizes per service instance, unless the DSN sets maxOpenConns
// or maxIdleConns. Six services at these defaults hold at most 60
// connections, so a second instance of each, the tests and an operator's
// shell still fit under MariaDB's default max_connections (151). make bench
// measured no gain from more (README: Performance).
const (
	mysqlMaxOpenDefault = 10
	mysqlMaxIdleDefault = 5
)

// mysqlPool is how many connections a service keeps open at most, and idle.
type mysqlPool struct {
	maxOpen, maxIdle int
}

// splitPool takes the pool parameters maxOpenConns (1–1000) and
// maxIdleConns (0 to maxOpenConns) out of a go-sql-driver DSN's parameters,
// which the driver would otherwise send to the server as system variables,
// and returns the rest of the DSN and the sizes, defaults filled in.
func splitPool(dsn string) (string, mysqlPool, error) {
	pool := mysqlPool{maxOpen: mysqlMaxOpenDefault, maxIdle: -1}
	slash := strings.LastIndexByte(dsn, '/')
	base, query, ok := strings.Cut(dsn[slash+1:], "?")
	if !ok {
		pool.maxIdle = mysqlMaxIdleDefault
		return dsn, pool, nil
	}
	var kept []string
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		var dst *int
		switch k {
		case "maxOpenConns":
			dst = &pool.maxOpen
		case "maxIdleConns":
			dst = &pool.maxIdle
		default:
			kept = append(kept, kv)
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 || (n == 0 && k == "maxOpenConns") {
			return "", pool, fmt.Errorf("database: mysql DSN: %s=%q: want a whole number of connections, 1 to 1000 (maxIdleConns may be 0)", k, v)
		}
		*dst = n
	}
	switch {
	case pool.maxIdle < 0:
		pool.maxIdle = min(mysqlMaxIdleDefault, pool.maxOpen)
	case pool.maxIdle > pool.maxOpen:
		return "", pool, fmt.Errorf("database: mysql DSN: maxIdleConns=%d exceeds maxOpenConns=%d", pool.maxIdle, pool.maxOpen)
	}
	rest := dsn[:slash+1] + base
	if len(kept) > 0 {
		rest += "?" + strings.Join(kept, "&")
	}
	return rest, pool, nil
}
