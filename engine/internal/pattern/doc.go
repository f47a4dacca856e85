// Package pattern parses, matches and rewrites Sigma string values: the `*`
// and `?` wildcards with their backslash escapes, case-folded matching under
// the exact, contains, startswith and endswith modes, and the value-rewriting
// modifiers windash, base64, base64offset and utf16.
//
// # Parsing
//
// [Parse] reads a value as the Sigma specification (v2.1, "Escaping") and
// pySigma read it: `*` matches any run of characters, `?` exactly one
// character (one rune), and a backslash escapes `*`, `?` and itself. A
// backslash before anything else, or at the end, is a literal backslash, so
// Windows paths such as `C:\Windows\` need no escaping. [Literal] makes a
// pattern in which every character is literal. A [Pattern] is a small
// comparable value: two patterns are == exactly when they hold the same
// sequence of literal runs and wildcards, so patterns can be map keys.
//
// # Matching
//
// [Compile] turns a pattern, a [Mode] and a case sensitivity into a
// [Matcher]. Compiling does all the work that can be done once (folding the
// literals, choosing a fast path); [Matcher.Match] then runs without
// allocating (see [Matcher] for the one exception). Values without
// wildcards use plain equality, prefix, suffix and substring tests; values
// with wildcards use a linear-space glob matcher that anchors the parts
// before the first and after the last `*` and finds the parts between stars
// leftmost-first, which is O(len(value)·len(pattern)) at worst and needs no
// recursion or regular expression.
//
// # Case folding
//
// Case-insensitive matching (Sigma's default) compares the [Fold] of the
// value with the folded pattern. Fold is Unicode simple case folding without
// locale rules: two strings have the same Fold exactly when
// [strings.EqualFold] reports them equal, which is also how Go's regexp
// treats (?i). Each rune becomes the lower case of its upper case (so 'Ä' and
// 'ä' fold to 'ä', 'ſ' to 's', 'ς' to 'σ', the Kelvin sign to 'k'). The
// Turkish dotted capital 'İ' (U+0130) and dotless small 'ı' (U+0131) have no
// simple case folding in Unicode and fold only to themselves: `i` does not
// match 'İ' or 'ı', as in strings.EqualFold. (Windows' own upper-casing
// tables equate 'ı' with 'I'; a rule that cares must name 'ı' itself.) Folding
// never changes the number of runes, so `?` means the same before and after.
//
// Invalid UTF-8 in values is never rejected: each byte that does not start a
// valid encoding counts as one character, is left unchanged by Fold and
// matches only itself. Pattern text is expected to be valid UTF-8, as rule
// files are; for pattern text that is not, matching is byte-oriented and
// defined only so far as it never panics.
//
// # Transforms
//
// [Windash], [Base64], [Base64Offset], [UTF16LE], [UTF16BE] and [UTF16]
// implement the Sigma modifiers that rewrite a value before it is matched.
// The encoding transforms only make sense for values without wildcards; the
// caller checks [Pattern.IsPlain] first.
//
// Everything in the package is safe for concurrent use: patterns are
// immutable values and a compiled Matcher is never modified.
package pattern
