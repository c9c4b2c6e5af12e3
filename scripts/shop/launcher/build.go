package launcher

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"time"
)

// Build compiles minirmq and every service into binDir with the Go
// toolchain, from the workspace at root.
func Build(ctx context.Context, root, binDir string, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	for _, p := range append([]Program{Broker}, servers()...) {
		start := time.Now()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(binDir, p.Name), p.Pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", p.Name, err, out)
		}
		fmt.Fprintf(progress, "built %-10s in %.1fs\n", p.Name, time.Since(start).Seconds())
	}
	return nil
}
