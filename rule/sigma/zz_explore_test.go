package sigma

import (
	"bytes"
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestZZExplore(t *testing.T) {
	for _, src := range []string{
		"a: 1\n---\nb: 'x\n---\nc: 3\n",
		"a: 1\n---\nb:\n  c: 1\n d: 2\n---\nc: 3\n",
		"a:\n  b:\n    c: 1\n   d: 2\n",
		"a:\n  b: [1,\n  2\n",
		"a: &x [*x]\n",
		"- a\nb: c\n",
	} {
		dec := yaml.NewDecoder(bytes.NewReader([]byte(src)))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			fmt.Printf("%q -> %v\n", src, err)
			if err != nil {
				break
			}
		}
	}
}
