// Package bench measures tanchi on real rules and real telemetry: all
// SigmaHQ Windows rules over events from the corpora in ../shared.
//
// Run with:
//
//	go test ./bench -run XXX -bench . -benchtime 3x
//
// The benchmarks skip when ../shared is absent.
package bench
