//go:build !linux

package main

// takeTerminal does nothing outside Linux: Ctrl-C reaches the whole job.
func takeTerminal() (giveBack func()) { return func() {} }
