package main_test

import (
	"errors"
	"fmt"
	"os"
	oexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// The launcher's exit status after Ctrl-C: 0 after a clean stop, for the
// launcher alone and for `make run` on a terminal (where make, too, would
// otherwise receive the interrupt and report it as a failure).
func TestCtrlCExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the whole shop; run without -short")
	}
	build(t)
	shop := filepath.Join(t.TempDir(), "shop")
	if out, err := oexec.Command("go", "build", "-o", shop, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the launcher: %v\n%s", err, out)
	}
	args := []string{"-no-build", "-bin", binDir, "-free-ports", "-data"}

	t.Run("launcher", func(t *testing.T) {
		// As a shell starts a job: its own process group, which a
		// terminal's Ctrl-C signals as a whole.
		cmd := oexec.Command(shop, append(args, t.TempDir())...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, out, "Press Ctrl-C")
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(out.String(), "stopped; the data stays in") {
			t.Errorf("exit code %d (%v), want 0 after a clean stop; output:\n%s", code, err, out.String())
		}
	})

	t.Run("make on a terminal", func(t *testing.T) {
		if _, err := oexec.LookPath("make"); err != nil {
			testkit.Unavailable(t, "no make")
		}
		dir := t.TempDir()
		recipe := fmt.Sprintf("run:\n\t%s %s %s\n", shop, strings.Join(args, " "), filepath.Join(dir, "data"))
		if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(recipe), 0o644); err != nil {
			t.Fatal(err)
		}
		master, tty := openPTY(t)
		cmd := oexec.Command("make", "-C", dir, "run")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		// A new session whose controlling terminal is tty: make is its
		// foreground job, as in a shell.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		out := &syncBuffer{}
		go func() { copyUntilEOF(out, master) }()
		waitFor(t, out, "Press Ctrl-C")
		if _, err := master.Write([]byte{3}); err != nil { // Ctrl-C
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if code := cmd.ProcessState.ExitCode(); code != 0 || strings.Contains(out.String(), "make: ***") {
				t.Errorf("make exited %d (%v), want 0; output:\n%s", code, err, out.String())
			}
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("make did not exit after Ctrl-C; output:\n%s", out.String())
		}
	})
}

// waitFor waits up to 3 minutes for out to hold text; the output is logged
// if it never does.
func waitFor(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output:\n%s", out.String())
		}
	})
	testkit.Eventually(t, 3*time.Minute, fmt.Sprintf("%q in the output", text), func() bool {
		return strings.Contains(out.String(), text)
	})
}

// copyUntilEOF copies a pseudo-terminal's output; reading the master ends
// with EIO once every process has closed the terminal.
func copyUntilEOF(dst *syncBuffer, src *os.File) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		dst.Write(buf[:n])
		if err != nil {
			return
		}
	}
}

// openPTY opens a new pseudo-terminal: the master side for the test, the
// terminal itself for the process under test.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		testkit.Unavailable(t, "no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, tty
}

func ioctl(fd, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)); errno != 0 {
		return errors.New(errno.Error())
	}
	return nil
}
