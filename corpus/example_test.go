package corpus_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tanchi-dev/tanchi/corpus"
)

func ExampleReader_Next() {
	in := `{"EventID": 1, "Image": "C:\\Windows\\System32\\cmd.exe"}
{"EventID": 1, "Image": oops}
[1, 2]
{"EventID": 3}
`
	r := corpus.NewReader("events.jsonl", strings.NewReader(in))
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A bad record: report it and go on.
			fmt.Println("error:", err, "| not an object:", errors.Is(err, corpus.ErrNotObject))
			continue
		}
		fmt.Printf("%s:%d: %s\n", rec.File, rec.Line, rec.Raw)
	}
	// Output:
	// events.jsonl:1: {"EventID": 1, "Image": "C:\\Windows\\System32\\cmd.exe"}
	// error: events.jsonl:2: invalid JSON: invalid character 'o' looking for beginning of value (column 25) | not an object: false
	// error: events.jsonl:3: not a JSON object: found an array | not an object: true
	// events.jsonl:4: {"EventID": 3}
}

func ExampleNewReader_pretty() {
	// SigmaHQ's regression data: pretty-printed objects, one after another.
	in := `{
  "Event": {
    "System": {"EventID": 4688}
  }
}
{
  "Event": {
    "System": {"EventID": 4689}
  }
}
`
	r := corpus.NewReader("regression.json", strings.NewReader(in))
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		fmt.Printf("line %d: %d bytes\n", rec.Line, len(rec.Raw))
	}
	// Output:
	// line 1: 52 bytes
	// line 6: 52 bytes
}
