package learn_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tanchi-dev/tanchi/learn"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

func ExampleLearner_Run() {
	set, err := sigma.Parse("whoami.yml", []byte(`title: Whoami
id: 0b4f6e3a-9d0e-4c4b-8a55-7c2e1d9f3a10
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
`))
	if err != nil {
		panic(err)
	}
	// An inventory agent runs whoami on three hosts over three days; a
	// person runs it once.
	dir, _ := os.MkdirTemp("", "learn-example")
	defer os.RemoveAll(dir)
	var lines []string
	event := `{"Image":"C:\\Windows\\System32\\whoami.exe","ParentImage":%q,"CommandLine":"whoami /all","User":%q,"Computer":"%s","UtcTime":"2026-03-0%d 10:00:00.000"}`
	for i, host := range []string{"WS-1", "WS-2", "WS-3"} {
		lines = append(lines, fmt.Sprintf(event, `C:\Program Files\Inventory\agent.exe`, `NT AUTHORITY\SYSTEM`, host, 4+i))
	}
	lines = append(lines, fmt.Sprintf(event, `C:\Windows\System32\cmd.exe`, `CORP\j.doe`, "WS-2", 5))
	baseline := filepath.Join(dir, "baseline.jsonl")
	os.WriteFile(baseline, []byte(strings.Join(lines, "\n")), 0o644)

	l, err := learn.New(set.Rules)
	if err != nil {
		panic(err)
	}
	res, err := l.Run(context.Background(), []string{baseline}, nil)
	if err != nil {
		panic(err)
	}
	for _, p := range res.Proposals {
		fmt.Println(p.Title)
		fmt.Println(p.Reason)
		for _, c := range p.Conditions {
			fmt.Printf("  %s: %s\n", c.Field, c.Value)
		}
	}
	for _, n := range res.NotLearned {
		fmt.Println("not learned:", n.Reason)
	}
	// Output:
	// whoami.exe from agent.exe (Whoami)
	// learned: 3 events, 3 hosts, 3 of 3 days
	//   Image: C:\Windows\System32\whoami.exe
	//   ParentImage: C:\Program Files\Inventory\agent.exe
	//   CommandLine: whoami /all
	//   User: NT AUTHORITY\SYSTEM
	// not learned: seen once: a one-off alert is for a person to judge
}
