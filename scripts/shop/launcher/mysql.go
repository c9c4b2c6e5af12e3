package launcher

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// MySQLSchemas creates one fresh schema per service, <prefix>_<svc>, on the
// server dsn names (a go-sql-driver DSN), and returns the services' DSNs
// for Options.DB and a function that drops the schemas. The soak and the
// benchmark run on them with -db mysql.
func MySQLSchemas(ctx context.Context, dsn, prefix string) (map[string]string, func() error, error) {
	if dsn == "" {
		return nil, nil, errors.New("-db mysql needs -mysql-dsn or TEST_MYSQL_DSN, e.g. root@tcp(127.0.0.1:3306)/test?parseTime=true")
	}
	cfg, err := database.MySQLConfig(dsn)
	if err != nil {
		return nil, nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, err
	}
	admin := sql.OpenDB(connector)
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("mysql at %s: %w", cfg.Addr, err)
	}
	dsns := map[string]string{}
	var schemas []string
	drop := func() error {
		defer admin.Close()
		var errs []error
		for _, s := range schemas {
			_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+s+"`")
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}
	for _, svc := range ServiceNames() {
		schema := prefix + "_" + svc
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+schema+"` CHARACTER SET utf8mb4"); err != nil {
			drop()
			return nil, nil, fmt.Errorf("create schema %s: %w", schema, err)
		}
		schemas = append(schemas, schema)
		c := cfg.Clone()
		c.DBName = schema
		dsns[svc] = "mysql://" + c.FormatDSN()
	}
	return dsns, drop, nil
}
