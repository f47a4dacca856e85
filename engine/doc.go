// Package engine compiles rules of the tanchi rule model into CEL programs
// and matches events against them.
//
// Compile once, match many times:
//
//	eng, err := engine.Compile(set.Rules, engine.WithExclusions(set.Exclusions))
//	for each event {
//		ev, err := engine.ParseJSON(raw)
//		for _, m := range eng.Match(ev) { ... }
//	}
//
// Each rule's condition becomes one CEL program (github.com/google/cel-go)
// over tanchi's CEL function library (see Library): every Sigma field
// comparison is a call sigma.match(ev, field, modifiers, values) that is
// compiled once into a native matcher when the program is planned. Before a
// rule's program runs, logsource routing decides whether the rule applies to
// the event at all (a Sysmon process-creation rule never sees a DNS event).
//
// An Engine is safe for concurrent use by multiple goroutines.
package engine
