//go:build race

package engine_test

// raceEnabled reports whether the race detector is on. It makes sync.Pool
// drop some of what it is given, so the engine's pooled contexts are made
// anew from call to call, and counting allocations means nothing.
const raceEnabled = true
