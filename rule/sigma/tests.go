package sigma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/rule"
)

// testcasesKey is the custom attribute sigma-test
// (github.com/bradleyjkemp/sigma-test) reads example events from:
//
//	testcases:
//	  match:          # events the rule must match
//	    - Image: 'C:\Windows\System32\cmd.exe'
//	      ParentImage: 'C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE'
//	  dont-match:     # events it must not match
//	    - Image: 'C:\Windows\explorer.exe'
//
// Each list item is one event, written as a YAML mapping; nested mappings
// (the evtx shape Event: {System: ..., EventData: ...}) work too.
const testcasesKey = "testcases"

// ruleTests fills r.Tests from the rule's testcases attribute, in the
// order written (match before dont-match when both lists are given that
// way), each with the position of its event. Tests get the names "match 1",
// "dont-match 2" and so on. The attribute is taken out of r.Custom, where
// the attribute loop put it, since the model now holds it.
//
// A malformed testcases block is an error (rule.ErrSchema), not ignored:
// tests that silently do not run would pass for the wrong reason.
func (p *parser) ruleTests(r *rule.Rule, top map[string]field) {
	f, ok := top[testcasesKey]
	if !ok {
		return
	}
	delete(r.Custom, testcasesKey)
	if len(r.Custom) == 0 {
		r.Custom = nil
	}
	if f.val.Kind == yaml.ScalarNode && f.val.Tag == "!!null" {
		return
	}
	if f.val.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, f.val, "testcases must be a mapping with match and dont-match lists of events, got a %s", kindName(f.val))
		return
	}
	for _, g := range p.mapping(f.val) {
		var match bool
		switch g.key.Value {
		case "match":
			match = true
		case "dont-match":
		default:
			p.errorf(rule.ErrSchema, g.key, "unknown key %q in testcases: use match or dont-match%s",
				g.key.Value, rule.Suggest(g.key.Value, []string{"match", "dont-match"}))
			continue
		}
		if g.val.Kind == yaml.ScalarNode && g.val.Tag == "!!null" {
			continue
		}
		if g.val.Kind != yaml.SequenceNode {
			p.errorf(rule.ErrSchema, g.val, "testcases %s must be a list of events, got a %s", g.key.Value, kindName(g.val))
			continue
		}
		for i, item := range g.val.Content {
			item = resolve(item)
			if item.Kind != yaml.MappingNode {
				p.errorf(rule.ErrSchema, item, "each event in testcases %s must be a mapping of fields, got a %s", g.key.Value, kindName(item))
				continue
			}
			var b bytes.Buffer
			if err := p.eventJSON(&b, item, 0); err != nil {
				continue // reported
			}
			r.Tests = append(r.Tests, rule.Test{
				Name:  fmt.Sprintf("%s %d", g.key.Value, i+1),
				Event: b.String(),
				Match: match,
				Pos:   p.pos(item),
			})
		}
	}
}

// maxEventDepth bounds the nesting of a test event.
const maxEventDepth = 32

// eventJSON writes a YAML node as JSON, keeping the order of keys as
// written. Scalars keep their YAML type: 4688 stays a number and 'true' a
// string, as the rule author wrote them.
func (p *parser) eventJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	n = resolve(n)
	if depth > maxEventDepth {
		return p.errorf(rule.ErrLimit, n, "test event nests deeper than %d levels", maxEventDepth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		var err error
		for i, f := range p.mapping(n) {
			if f.key.Kind != yaml.ScalarNode {
				err = p.errorf(rule.ErrSchema, f.key, "field names in a test event must be strings")
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, f.key.Value)
			b.WriteByte(':')
			if e := p.eventJSON(b, f.val, depth+1); e != nil {
				err = e
			}
		}
		b.WriteByte('}')
		return err
	case yaml.SequenceNode:
		b.WriteByte('[')
		var err error
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if e := p.eventJSON(b, c, depth+1); e != nil {
				err = e
			}
		}
		b.WriteByte(']')
		return err
	case yaml.ScalarNode:
		return p.scalarJSON(b, n)
	}
	return p.errorf(rule.ErrSchema, n, "unsupported value in a test event")
}

func (p *parser) scalarJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Tag {
	case "!!null":
		b.WriteString("null")
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return p.errorf(rule.ErrValue, n, "test event value %q: %v", n.Value, err)
		}
		switch x := v.(type) {
		case bool:
			b.WriteString(strconv.FormatBool(x))
		case int:
			b.WriteString(strconv.Itoa(x))
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		case uint64:
			b.WriteString(strconv.FormatUint(x, 10))
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return p.errorf(rule.ErrValue, n, "test event value %s has no JSON form; quote it to make it a string", n.Value)
			}
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		default:
			writeJSONString(b, n.Value)
		}
		return nil
	}
	writeJSONString(b, n.Value)
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}
