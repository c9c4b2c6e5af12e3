package launcher

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Build compiles minirmq, every service and the gateway into binDir from
// the workspace at root, with one go build: the packages compile in
// parallel and share what they have in common (the pure-Go SQLite, gorm,
// gin, the RocketMQ client), and the links run side by side instead of one
// after another. A relative binDir is relative to root. extra packages (tools) are built alongside, each named
// after its last path element. It says what it builds and how long it took.
func Build(ctx context.Context, root, binDir string, progress io.Writer, extra ...string) error {
	if progress == nil {
		progress = io.Discard
	}
	if !filepath.IsAbs(binDir) {
		binDir = filepath.Join(root, binDir) // where go build, run in root, writes
	}
	progs := append([]Program{Broker}, servers()...)
	names := make([]string, len(progs))
	args := []string{"build", "-o", binDir + string(filepath.Separator)}
	for i, p := range progs {
		names[i] = p.Name
		args = append(args, p.Pkg)
	}
	for _, pkg := range extra {
		names = append(names, path.Base(pkg))
		args = append(args, pkg)
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(progress, "building %s into %s with one go build (the first build compiles every dependency: minutes; later ones seconds)…\n",
		strings.Join(names, ", "), binDir)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build: %w\n%s", err, out)
	}
	// go build names each binary after its package's last path element;
	// the gateway's is cmd/gateway, and the shop calls it web.
	for _, p := range progs {
		if built := path.Base(p.Pkg); built != p.Name {
			if err := os.Rename(filepath.Join(binDir, built), filepath.Join(binDir, p.Name)); err != nil {
				return fmt.Errorf("build: %w", err)
			}
		}
	}
	fmt.Fprintf(progress, "built %d programs in %.1fs\n", len(names), time.Since(start).Seconds())
	return nil
}
