//go:build !race

package engine_test

const raceEnabled = false // see race_on_test.go
