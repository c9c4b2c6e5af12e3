package database

import (
	"strings"
	"testing"
)

func TestSplitPool(t *testing.T) {
	tests := []struct {
		name     string
		dsn      string
		wantDSN  string
		wantPool mysqlPool
		wantErr  string
	}{
		{"defaults without parameters", "root@tcp(h:3306)/shop", "root@tcp(h:3306)/shop", mysqlPool{10, 5}, ""},
		{"defaults beside other parameters", "root@tcp(h:3306)/shop?timeout=3s", "root@tcp(h:3306)/shop?timeout=3s", mysqlPool{10, 5}, ""},
		{"both set", "root@tcp(h:3306)/shop?maxOpenConns=4&timeout=3s&maxIdleConns=2", "root@tcp(h:3306)/shop?timeout=3s", mysqlPool{4, 2}, ""},
		{"idle follows a small open", "root@tcp(h:3306)/shop?maxOpenConns=3", "root@tcp(h:3306)/shop", mysqlPool{3, 3}, ""},
		{"no idle connections", "root@tcp(h:3306)/shop?maxIdleConns=0", "root@tcp(h:3306)/shop", mysqlPool{10, 0}, ""},
		{"password with a slash and a question mark", "root:a/b?maxOpenConns=1@tcp(h:3306)/shop?maxOpenConns=7", "root:a/b?maxOpenConns=1@tcp(h:3306)/shop", mysqlPool{7, 5}, ""},
		{"zero open", "root@tcp(h:3306)/shop?maxOpenConns=0", "", mysqlPool{}, "maxOpenConns=\"0\""},
		{"not a number", "root@tcp(h:3306)/shop?maxIdleConns=lots", "", mysqlPool{}, "maxIdleConns=\"lots\""},
		{"too many", "root@tcp(h:3306)/shop?maxOpenConns=5000", "", mysqlPool{}, "1 to 1000"},
		{"more idle than open", "root@tcp(h:3306)/shop?maxOpenConns=2&maxIdleConns=3", "", mysqlPool{}, "exceeds maxOpenConns=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, pool, err := splitPool(tt.dsn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if dsn != tt.wantDSN || pool != tt.wantPool {
				t.Errorf("got %q %+v, want %q %+v", dsn, pool, tt.wantDSN, tt.wantPool)
			}
		})
	}
}
