//go:build race

package minirmq_test

// raceEnabled: the race detector is on (see preStartClient).
const raceEnabled = true
