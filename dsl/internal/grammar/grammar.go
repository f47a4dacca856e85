// Package grammar holds the participle grammar of tanchi's rule language:
// the lexer, the parse tree types and the parser. The dsl package converts
// parse trees into the rule model and prints them back (the formatter); the
// parse tree types never leave it.
//
// A source is lexed once; its top-level declarations are then parsed one at
// a time (see Split), so that a syntax error in one declaration does not
// hide the declarations after it.
package grammar

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Decl is a top-level declaration.
type Decl struct {
	Pos     lexer.Position
	Rule    *Block `parser:"(  'rule' @@"`
	Exclude *Block `parser:"| 'exclude' @@"`
	Macro   *Macro `parser:"| 'macro' @@"`
	List    *List  `parser:"| 'list' @@ ) EOL*"`
}

// Block is the body of a rule or an exclude: a title and statements.
type Block struct {
	Pos    lexer.Position
	Title  string  `parser:"@(String | RawString | TextBlock)"`
	Stmts  []*Stmt `parser:"'{' EOL* ( @@ ( EOL+ @@ )* EOL* )?"`
	Close  string  `parser:"@'}'"`
	EndPos lexer.Position
}

// Macro is "macro name = expr".
type Macro struct {
	Pos  lexer.Position
	Name string `parser:"@Ident '='"`
	Expr *Expr  `parser:"@@"`
}

// List is "list name = values".
type List struct {
	Pos    lexer.Position
	Name   string  `parser:"@Ident '='"`
	Values *Values `parser:"@@"`
}

// Stmt is one statement of a block.
type Stmt struct {
	Pos       lexer.Position
	Selection *Selection `parser:"(  @@"`
	Condition *Cond      `parser:"| @@"`
	Logsource *Logsource `parser:"| @@"`
	Custom    *Custom    `parser:"| 'custom' @@"`
	Test      *Test      `parser:"| 'test' @@"`
	Attr      *Attr      `parser:"| (?! 'condition' | 'when' | 'logsource' | 'custom' | 'test' ) @@ )"`
	EndPos    lexer.Position
}

// Test is an example event attached to a rule: test match {...} or test
// nomatch {...}.
type Test struct {
	Kind  string   `parser:"@('match' | 'nomatch')"`
	Event *Literal `parser:"@@"`
}

// Selection is "name = expr".
type Selection struct {
	Name string `parser:"@(Ident | String | RawString) '='"`
	Expr *Expr  `parser:"@@"`
}

// Cond is "condition expr" (rules) or "when expr" (excludes).
type Cond struct {
	Keyword string `parser:"@('condition' | 'when')"`
	Expr    *Expr  `parser:"@@"`
}

// Logsource is "logsource key=value ...".
type Logsource struct {
	Keyword string  `parser:"@'logsource'"`
	Pairs   []*Pair `parser:"@@*"`
}

// Pair is key=value in a logsource.
type Pair struct {
	Pos   lexer.Position
	Key   string  `parser:"@Ident '='"`
	Value *Scalar `parser:"@@"`
}

// Attr is a metadata attribute: a key and a comma-separated list of
// scalars ("tags a, b", "level high", "rules *").
type Attr struct {
	Key    string    `parser:"@Ident"`
	Values []*Scalar `parser:"( @@ ( ',' @@ )* )?"`
}

// Scalar is one literal token.
type Scalar struct {
	Pos lexer.Position
	Tok string `parser:"@(String | RawString | TextBlock | Number | Date | Pattern | Ident)"`
}

// Custom is "custom key = literal": an attribute the model keeps as data.
type Custom struct {
	Key   string   `parser:"@(Ident | String | RawString) '='"`
	Value *Literal `parser:"@@"`
}

// Literal is a data literal: a scalar, a [list] or a {map}.
type Literal struct {
	Pos     lexer.Position
	Scalar  *Scalar    `parser:"(  @@"`
	IsList  bool       `parser:"| @'['"`
	Items   []*Literal `parser:"( @@ ( ',' @@ )* ','? )? ']'"`
	IsMap   bool       `parser:"| @'{'"`
	Entries []*Entry   `parser:"( @@ ( ',' @@ )* ','? )? EOL* '}' )"`
}

// Entry is key: value in a map literal.
type Entry struct {
	Pos   lexer.Position
	Key   string   `parser:"@(Ident | String | RawString) ':'"`
	Value *Literal `parser:"@@"`
}

// Expr is a disjunction: and-terms joined by "or".
type Expr struct {
	Pos   lexer.Position
	Terms []*AndExpr `parser:"@@ ( 'or' @@ )*"`
}

// AndExpr is a conjunction: factors joined by "and".
type AndExpr struct {
	Pos     lexer.Position
	Factors []*Unary `parser:"@@ ( 'and' @@ )*"`
}

// Unary is a negation or a primary expression.
type Unary struct {
	Pos     lexer.Position
	Not     *Unary   `parser:"(  'not' @@"`
	Primary *Primary `parser:"| @@ )"`
}

// Primary is one operand of a condition.
type Primary struct {
	Pos      lexer.Position
	Paren    *Expr     `parser:"(  '(' @@ ')'"`
	Of       *Of       `parser:"| @@"`
	CEL      *CEL      `parser:"| @@"`
	Keywords *Keywords `parser:"| @@"`
	Match    *Match    `parser:"| @@"`
	Ref      string    `parser:"| (?! 'and' | 'or' | 'not' | 'of' | 'them' | 'all' | 'any' ) @(Ident | String | RawString) )"`
	EndPos   lexer.Position
}

// Of is "1 of pattern", "any of pattern" or "all of pattern".
type Of struct {
	Pos     lexer.Position
	Quant   string `parser:"@('1' | 'any' | 'all') 'of'"`
	Pattern string `parser:"@(Pattern | Ident | String | RawString)"`
}

// CEL is a raw CEL expression: cel "...".
type CEL struct {
	Pos lexer.Position
	Src string `parser:"'cel' @(String | RawString)"`
}

// Keywords is a keyword search: keywords [all] values.
type Keywords struct {
	Pos    lexer.Position
	Quant  string  `parser:"'keywords' @('all' | 'any')?"`
	Values *Values `parser:"@@"`
}

// Match compares a field with values.
type Match struct {
	Pos    lexer.Position
	Field  *Field    `parser:"@@"`
	Op     *Operator `parser:"@@"`
	Values *Values   `parser:"@@?"`
	EndPos lexer.Position
}

// Operator is the comparison of a match with its options:
// [cased] [not] op[/flags] [all|any].
type Operator struct {
	Pos   lexer.Position
	Cased bool   `parser:"@'cased'?"`
	Not   bool   `parser:"@'not'?"`
	Op    string `parser:"@('==' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'contains' | 'startswith' | 'endswith' | 'matches' | 'cidr' | 'exists')"`
	Flags string `parser:"( '/' @Ident )?"`
	Quant string `parser:"@('all' | 'any')?"`
}

// Field names the field of a match, optionally a part of its time value.
type Field struct {
	Pos   lexer.Position
	Timed *TimedField `parser:"(  @@"`
	Name  string      `parser:"| @(Ident | String | RawString) )"`
}

// TimedField is hour(Field) and the like.
type TimedField struct {
	Part string `parser:"@('minute' | 'hour' | 'day' | 'week' | 'month' | 'year') '('"`
	Name string `parser:"@(Ident | String | RawString) ')'"`
}

// Values are the right-hand side of a match, a list or a keyword search.
type Values struct {
	Pos    lexer.Position
	Call   *Call  `parser:"(  @@"`
	Group  *Group `parser:"| @@"`
	Item   *Item  `parser:"| @@ )"`
	EndPos lexer.Position
}

// Call is a transform or field reference applied to values:
// windash("-enc"), base64offset(utf16le("x")), field(Image).
type Call struct {
	Pos    lexer.Position
	Func   string  `parser:"@Ident '('"`
	Inner  *Call   `parser:"(  @@"`
	Items  []*Item `parser:"| ( @@ ( ',' @@ )* ','? )? ) ')'"`
	EndPos lexer.Position
}

// Group is a parenthesized list of values.
type Group struct {
	Pos    lexer.Position
	Items  []*Item `parser:"'(' ( @@ ( ',' @@ )* ','? )? ')'"`
	EndPos lexer.Position
}

// Item is one value: a literal, true/false/null or the name of a list.
type Item struct {
	Pos lexer.Position
	Tok string `parser:"(?! 'and' | 'or' | 'not' | 'of' ) @(String | RawString | TextBlock | Number | Ident)"`
}

// Parser parses one declaration.
var Parser = participle.MustBuild[Decl](
	participle.Lexer(Definition{}),
	participle.UseLookahead(4),
)

// ParseDecl parses the tokens of one declaration (ending with EOF).
func ParseDecl(toks []lexer.Token) (d *Decl, err error) {
	defer recoverParse(toks, &err)
	pl, err := lexer.Upgrade(NewSliceLexer(toks))
	if err != nil {
		return nil, err
	}
	return Parser.ParseFromLexer(pl)
}

// recoverParse turns a panic of the parser library into an error at the
// start of the tokens, so that no input can crash a caller.
func recoverParse(toks []lexer.Token, err *error) {
	if r := recover(); r != nil {
		*err = participle.Errorf(toks[0].Pos, "cannot parse this declaration (%v)", r)
	}
}

// StmtParser parses one statement; it is used to find every bad statement
// of a block that failed to parse.
var StmtParser = participle.MustBuild[Stmt](
	participle.Lexer(Definition{}),
	participle.UseLookahead(4),
)

// ParseStmt parses the tokens of one statement (ending with EOF).
func ParseStmt(toks []lexer.Token) (st *Stmt, err error) {
	defer recoverParse(toks, &err)
	pl, err := lexer.Upgrade(NewSliceLexer(toks))
	if err != nil {
		return nil, err
	}
	return StmtParser.ParseFromLexer(pl)
}

// Split cuts a token stream into declarations: each starts with rule,
// exclude, macro or list at the start of a line outside any brackets. Every
// part ends with an EOF token. Tokens before the first declaration form a
// part of their own (which then fails to parse, pointing at them).
func Split(toks []lexer.Token) [][]lexer.Token {
	var parts [][]lexer.Token
	start, depth := 0, 0
	atLineStart := true
	for i, t := range toks {
		if t.Type == EOF {
			break
		}
		if atLineStart && t.Type == Ident && i > start && (depth == 0 || startsDecl(toks[i:])) {
			switch t.Value {
			case "rule", "exclude", "macro", "list":
				parts = append(parts, withEOF(toks[start:i], t.Pos))
				start, depth = i, 0
			}
		}
		switch {
		case t.Type == Punct && (t.Value == "(" || t.Value == "[" || t.Value == "{"):
			depth++
		case t.Type == Punct && (t.Value == ")" || t.Value == "]" || t.Value == "}"):
			if depth > 0 {
				depth--
			}
		}
		atLineStart = t.Type == EOL
	}
	eof := toks[len(toks)-1]
	if start < len(toks)-1 {
		parts = append(parts, withEOF(toks[start:len(toks)-1], eof.Pos))
	}
	return parts
}

// startsDecl reports whether toks surely start a declaration, even where an
// unclosed bracket before them makes it look nested: rule or exclude and a
// title, or macro or list, a name and "=".
func startsDecl(toks []lexer.Token) bool {
	if len(toks) < 3 {
		return false
	}
	switch toks[0].Value {
	case "rule", "exclude":
		return toks[1].Type == String || toks[1].Type == RawString
	case "macro", "list":
		return toks[1].Type == Ident && toks[2].Value == "="
	}
	return false
}

func withEOF(toks []lexer.Token, pos lexer.Position) []lexer.Token {
	out := make([]lexer.Token, len(toks), len(toks)+1)
	copy(out, toks)
	// Trailing line breaks belong to no declaration.
	for len(out) > 0 && out[len(out)-1].Type == EOL {
		out = out[:len(out)-1]
	}
	return append(out, lexer.Token{Type: EOF, Pos: pos})
}
