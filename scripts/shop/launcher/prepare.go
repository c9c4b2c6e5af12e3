package launcher

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Databases returns the <SVC>_DB settings found in the environment, by
// service; a service without one gets a SQLite file under the data
// directory (Options.DB's default).
func Databases(getenv func(string) string) map[string]string {
	dbs := map[string]string{}
	for _, svc := range contracts.Services() {
		if dsn := getenv(svc.DBVar()); dsn != "" {
			dbs[svc.Name] = dsn
		}
	}
	return dbs
}

// CheckOrderInstances refuses a second order instance unless the order
// service is on MySQL (ErrTwoOrdersOnSQLite). Commands call it before
// building, so the mistake costs no waiting.
func CheckOrderInstances(n int, dbs map[string]string) error {
	if n == 2 && !strings.HasPrefix(dbs[contracts.ServiceOrder], "mysql://") {
		return ErrTwoOrdersOnSQLite
	}
	return nil
}

// BuildInto builds every program, and the extra packages, into bin (made
// absolute) from the current directory, the repository root, saying so on
// out, and returns bin's absolute path; with noBuild it only returns the
// path.
func BuildInto(ctx context.Context, bin string, noBuild bool, out io.Writer, extra ...string) (string, error) {
	root, err := os.Getwd()
	if err != nil {
		return "", err
	}
	binDir, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if !noBuild {
		if err := Build(ctx, root, binDir, out, extra...); err != nil {
			return "", err
		}
	}
	return binDir, nil
}
