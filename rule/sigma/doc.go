// Package sigma reads Sigma rules (specification v2.1) written in YAML into
// tanchi's rule model, keeping the file, line and column of every selection,
// field, modifier and value so that errors and explanations point at what a
// person wrote.
//
// A file may hold several YAML documents. Detection rules become rule.Rule,
// Sigma filters become rule.Exclusion and correlation rules become
// rule.Correlation. Every problem in a file is reported, not just the first,
// and a bad rule never stops the others in the same file or folder from
// loading.
package sigma
