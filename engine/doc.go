// Package engine compiles rules of the tanchi rule model and matches events
// against them.
//
// Compile once, match many times:
//
//	eng, err := engine.Compile(set.Rules, engine.WithExclusions(set.Exclusions))
//	var ev engine.RawJSON // reused: reads each line without building maps
//	for each line {
//		if err := ev.Reset(line); err != nil { ... }
//		for _, m := range eng.Match(&ev) { ... }
//	}
//
// An agent that holds its events in memory implements Event over its own
// types instead; Match then allocates nothing for an event that matches no
// rule. An agent whose event types have fixed fields also implements
// IndexedEvent: one Schema per event type names the fields, and the engine
// reads each field the rules use by its position instead of by name:
//
//	var procSchema, _ = engine.NewSchema("Image", "CommandLine", "ParentImage", ...)
//
//	func (p *ProcessEvent) Schema() *engine.Schema             { return procSchema }
//	func (p *ProcessEvent) FieldAt(i int) (engine.Value, bool) { ... } // a switch or an array
//	func (p *ProcessEvent) Field(name string) (engine.Value, bool) {
//		if i, ok := procSchema.Index(name); ok {
//			return p.FieldAt(i)
//		}
//		return engine.Value{}, false
//	}
//
// Such an event type also implements TextEvent when it can hand over its
// texts in one call: keyword searches (rules that name no field) read
// every value of an event, and AppendTexts spares them a call per field:
//
//	func (p *ProcessEvent) AppendTexts(dst []string) []string {
//		return append(dst, p.Image, p.CommandLine, p.ParentImage, ...)
//	}
//
// An event whose texts all lie in one buffer (the record it was decoded
// into) implements TextBlockEvent as well, and the search reads that
// buffer where it is instead of joining the texts.
//
// # How a rule runs
//
// Every Sigma field comparison (Image|endswith: ['\x.exe', ...]) becomes an
// atom, compiled once: wildcards parsed, values case-folded, windash and
// base64 variants expanded, regular expressions compiled, long value lists
// turned into hash sets and automata. Identical comparisons in different
// rules are one atom. A rule's condition is a tree over its atoms; its CEL
// form (Engine.CEL), one sigma.match(ev, field, modifiers, values) call per
// comparison, is what the condition means and what explanations show.
// Parts written in raw CEL run in cel-go (github.com/google/cel-go), with
// the same atoms standing in for their sigma.match calls.
//
// # Which rules run
//
// Per event, logsource routing first picks the rules whose logsource fits
// (a Sysmon process-creation rule never sees a DNS event). Then the literal
// witness index (index.go) picks, among those, the rules that can match:
// each rule has a set of field literals one of which a matching event must
// contain, found per event with one scan per field over all literals at
// once. Rules with no such literal (a condition that holds when something
// is absent) are candidates whenever the part of their condition that reads
// one field alone, if they have one, holds (gate.go): the index never drops
// a rule that could match. Only candidates are evaluated, each atom at most once per event.
// Each pooled evaluation context also remembers, per field, what the scan
// and the costly comparisons (regular expressions, long lists) gave for
// recent values, so a value seen again is looked up, not searched again.
// WithoutIndex evaluates every routed rule instead: slower, same answers,
// kept for differential tests.
//
// An Engine is safe for concurrent use by multiple goroutines.
package engine
