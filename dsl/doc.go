// Package dsl reads and writes tanchi's rule language (.tdl files): rules,
// exclusions, and the macros and lists they share, converted to and from
// the rule model.
//
// The language says everything a Sigma rule says, plus what Sigma cannot:
// macros (named conditions) and lists (named values) shared across files,
// raw CEL conditions, response actions and exclude blocks with a reason and
// an expiry date. README.md beside this file is the language reference.
//
// Parse and ParseSources return a rule.Set: macros and lists are expanded
// into the rules that use them, so the engine never sees them. Format works
// on the parse tree instead and prints the one canonical layout, keeping
// macros, lists and comments as written. FromSet prints a model (a Sigma
// rule, say) in the language.
//
// Every error is a *rule.Error inside a rule.ErrorList, with the file, line
// and column and a stable code; Detail renders the source line and a caret.
// All functions are safe for concurrent use.
package dsl
