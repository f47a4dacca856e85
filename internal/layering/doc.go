// Package layering holds a test that keeps tanchi's package dependencies
// pointing one way: the rule model at the bottom, readers and the engine on
// it, tools on top, and nothing importing the command or the examples.
package layering
