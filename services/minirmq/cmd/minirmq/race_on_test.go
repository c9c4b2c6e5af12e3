//go:build race

package main

// raceEnabled: the race detector is on (see TestConsumerReceivesAfterKill9Restart).
const raceEnabled = true
