// Package rule is tanchi's rule model: detection rules, exclusions and
// correlations, their condition trees, the positions of everything a person
// wrote, and the one error type every reader and compiler reports.
//
// The model is independent of any rule syntax. The Sigma reader (rule/sigma)
// and tanchi's own language (dsl) both produce it; the engine consumes it and
// never sees source text. Values in the model are plain data: a Rule may be
// shared between goroutines once built, as long as nobody modifies it.
package rule
