package main

import (
	"os"
	"os/signal"
	"syscall"
	"unsafe"
)

// takeTerminal makes the launcher the terminal's foreground process group
// when it is started from one (make run, go run), so that Ctrl-C reaches
// the launcher alone. Otherwise the terminal sends SIGINT to the whole job:
// make and go run too, which then report the interrupt as a failure
// ("make: *** [Makefile:…: run] Interrupt", go run's exit status 1) even
// though the shop stopped cleanly. The launcher stops every program and
// exits 0; the returned function gives the terminal back to the job first,
// so make, and then the shell, carry on as usual. Without a terminal, or
// when the launcher is not in the foreground, it does nothing.
func takeTerminal() (giveBack func()) {
	noop := func() {}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return noop
	}
	fd := tty.Fd()
	job, err := foregroundGroup(fd)
	if err != nil || job != syscall.Getpgrp() || syscall.Getpid() == syscall.Getpgrp() {
		tty.Close()
		return noop
	}
	// A process outside the foreground group that changes it is sent
	// SIGTTOU (and stopped) unless it ignores the signal.
	signal.Ignore(syscall.SIGTTOU)
	if err := syscall.Setpgid(0, 0); err != nil {
		tty.Close()
		return noop
	}
	if err := setForegroundGroup(fd, syscall.Getpgrp()); err != nil {
		syscall.Setpgid(0, job) // back into the job: Ctrl-C reaches everyone, as before
		tty.Close()
		return noop
	}
	return func() {
		setForegroundGroup(fd, job)
		tty.Close()
	}
}

func foregroundGroup(fd uintptr) (int, error) {
	var pgrp int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp))); errno != 0 {
		return 0, errno
	}
	return int(pgrp), nil
}

func setForegroundGroup(fd uintptr, pgrp int) error {
	p := int32(pgrp)
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPGRP, uintptr(unsafe.Pointer(&p))); errno != 0 {
		return errno
	}
	return nil
}
