package engine

import (
	"maps"
	"os"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/rule"
)

// Mapping renames the fields rules use to the fields events carry. A rule
// field with a mapping is looked up under each mapped name in turn; the first
// one present wins. Fields without a mapping are looked up as written.
type Mapping struct {
	Name   string
	Fields map[string][]string
}

// ParseMapping reads a field mapping in YAML:
//
//	name: my-edr
//	fields:
//	  Image: process.executable
//	  CommandLine: [process.command_line, process.args]
func ParseMapping(file string, src []byte) (*Mapping, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, rule.ErrorList{rule.Errorf(rule.ErrMapping, rule.Pos{File: file, Line: 1, Col: 1}, "invalid mapping YAML: %v", err)}
	}
	var raw struct {
		Name   string               `yaml:"name"`
		Fields map[string]yaml.Node `yaml:"fields"`
	}
	if err := doc.Decode(&raw); err != nil {
		return nil, rule.ErrorList{rule.Errorf(rule.ErrMapping, rule.Pos{File: file, Line: 1, Col: 1}, "mapping must have name and fields: %v", err)}
	}
	m := &Mapping{Name: raw.Name, Fields: map[string][]string{}}
	var errs rule.ErrorList
	for _, k := range slices.Sorted(maps.Keys(raw.Fields)) {
		n := raw.Fields[k]
		pos := rule.Pos{File: file, Line: n.Line, Col: n.Column}
		switch n.Kind {
		case yaml.ScalarNode:
			m.Fields[k] = []string{n.Value}
		case yaml.SequenceNode:
			var names []string
			if err := n.Decode(&names); err != nil || len(names) == 0 {
				errs = append(errs, rule.Errorf(rule.ErrMapping, pos, "field %q must map to a name or a non-empty list of names", k))
				continue
			}
			m.Fields[k] = names
		default:
			errs = append(errs, rule.Errorf(rule.ErrMapping, pos, "field %q must map to a name or a list of names", k))
		}
	}
	return m, errs.Err()
}

// LoadMapping reads a mapping file.
func LoadMapping(path string) (*Mapping, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, src)
}

// Built-in Windows field aliases, tried when an event lacks the field a rule
// names. Security 4688 events carry process creation under other names, and
// flat (nxlog-style) Windows JSON names the provider and host differently.
var (
	securityProcessCreation = map[string]string{"Image": "NewProcessName", "ParentImage": "ParentProcessName"}
	defenderAntivirus       = map[string]string{"Signature": "ThreatName", "Filename": "Path"}
	flatWindows             = map[string]string{"Provider_Name": "SourceName", "Computer": "Hostname"}
)

// lookup finds a rule field in an event: through the user mapping when it
// has the field, else as written, else through the built-in aliases for the
// event's source.
func (m *Mapping) lookup(ev Event, src *eventSource, name string) (Value, bool) {
	if m != nil {
		if names, ok := m.Fields[name]; ok {
			for _, n := range names {
				if v, ok := ev.Field(n); ok {
					return v, true
				}
			}
			return Value{}, false
		}
	}
	if v, ok := ev.Field(name); ok {
		return v, true
	}
	if src.known {
		if src.service == "security" && slices.Contains(src.categories, "process_creation") {
			if alt, ok := securityProcessCreation[name]; ok {
				return ev.Field(alt)
			}
		}
		if slices.Contains(src.categories, "antivirus") {
			if alt, ok := defenderAntivirus[name]; ok {
				return ev.Field(alt)
			}
		}
		if alt, ok := flatWindows[name]; ok {
			return ev.Field(alt)
		}
	}
	return Value{}, false
}
