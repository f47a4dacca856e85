package aho

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// newSetNoTeddy is NewSet with the Teddy prefilter off: the set as built
// where AVX2 is missing.
func newSetNoTeddy(lits []string, dfaBytes int) (*Set, error) {
	defer func(old bool) { useTeddy = old }(useTeddy)
	useTeddy = false
	return NewSet(lits, dfaBytes)
}

// newSetTeddy is a Set that is lits' Teddy prefilter, whatever the rate
// of its filter: the tests check sets that filter badly too.
func newSetTeddy(t testing.TB, lits []string) *Set {
	td := newTeddy(lits)
	if td == nil {
		t.Fatalf("lits %q: no Teddy prefilter", lits)
	}
	return &Set{lits: lits, td: td}
}

// occurrences is the reference with counts: literal i once per position
// where it occurs, in order of literal number.
func occurrences(lits []string, text string) []int32 {
	var out []int32
	for i, l := range lits {
		if l == "" {
			continue
		}
		for p := 0; p+len(l) <= len(text); p++ {
			if text[p:p+len(l)] == l {
				out = append(out, int32(i))
			}
		}
	}
	return out
}

// mimikatzLits is Sigma's Mimikatz keyword rule, lower-cased.
var mimikatzLits = []string{
	"dpapi::masterkey", "eo.oe.kiwi", "event::clear", "event::drop", "gentilkiwi.com",
	"kerberos::golden", "kerberos::ptc", "kerberos::ptt", "kerberos::tgt", "kiwi legit printer",
	"lsadump::", "mimidrv.sys", "\\mimilib.dll", "misc::printnightmare", "misc::shadowcopies",
	"misc::skeleton", "privilege::backup", "privilege::debug", "privilege::driver", "sekurlsa::",
}

// eventText is a Sysmon process-creation event as nxlog writes it (flat
// JSON, the rendered message included), about 2 KB and with no keyword.
const eventText = `{"EventTime":"2024-03-12 14:22:31","Hostname":"WKS-0142.corp.example.com","Keywords":-9223372036854775808,"EventType":"INFO","SeverityValue":2,"Severity":"INFO","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","Version":5,"TaskValue":1,"OpcodeValue":0,"RecordNumber":4817263,"ExecutionProcessID":3012,"ExecutionThreadID":4120,"Channel":"Microsoft-Windows-Sysmon/Operational","Domain":"NT AUTHORITY","AccountName":"SYSTEM","UserID":"S-1-5-18","AccountType":"User","Message":"Process Create:\r\nRuleName: -\r\nUtcTime: 2024-03-12 14:22:31.412\r\nProcessGuid: {8f1c2a3b-4d5e-65f0-1b02-000000003a00}\r\nProcessId: 7416\r\nImage: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\r\nFileVersion: 10.0.19041.546 (WinBuild.160101.0800)\r\nDescription: Windows PowerShell\r\nProduct: Microsoft Windows Operating System\r\nCompany: Microsoft Corporation\r\nOriginalFileName: PowerShell.EXE\r\nCommandLine: \"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\Tasks\\inventory.ps1\r\nCurrentDirectory: C:\\Users\\jdoe\\\r\nUser: CORP\\jdoe\r\nLogonGuid: {8f1c2a3b-1a2b-65f0-7d3e-0e0000000000}\r\nLogonId: 0x3E7A21\r\nTerminalSessionId: 1\r\nIntegrityLevel: High\r\nHashes: SHA1=04C5D2B4DA9A0F3FA8A45702D4256CEE42D8C48D,MD5=7353F60B1739074EB17C5F4DDDEFE239,IMPHASH=741776AACCFC5B71FF59832DCDCACE0F\r\nParentProcessGuid: {8f1c2a3b-0e1f-65f0-2a01-000000003a00}\r\nParentProcessId: 5120\r\nParentImage: C:\\Windows\\explorer.exe\r\nParentCommandLine: C:\\Windows\\Explorer.EXE\r\nParentUser: CORP\\jdoe","Category":"Process Create (rule: ProcessCreate)","Opcode":"Info","RuleName":"-","UtcTime":"2024-03-12 14:22:31.412","ProcessGuid":"{8f1c2a3b-4d5e-65f0-1b02-000000003a00}","ProcessId":"7416","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","FileVersion":"10.0.19041.546 (WinBuild.160101.0800)","Description":"Windows PowerShell","Product":"Microsoft Windows Operating System","Company":"Microsoft Corporation","OriginalFileName":"PowerShell.EXE","CurrentDirectory":"C:\\Users\\jdoe\\","User":"CORP\\jdoe","LogonGuid":"{8f1c2a3b-1a2b-65f0-7d3e-0e0000000000}","LogonId":"0x3e7a21","TerminalSessionId":"1","IntegrityLevel":"High","ParentProcessGuid":"{8f1c2a3b-0e1f-65f0-2a01-000000003a00}","ParentProcessId":"5120","ParentImage":"C:\\Windows\\explorer.exe","EventReceivedTime":"2024-03-12 14:22:33","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}`

// kernels runs f with each Teddy kernel the processor has in use in turn
// (teddyWide off, then on), as subtests named by block width.
func kernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func(old bool) { teddyWide = old }(teddyWide)
	for _, wide := range []bool{false, true} {
		if wide && !haveWide {
			t.Log("no AVX-512 here: the 64-position kernel is not tested")
			continue
		}
		teddyWide = wide
		t.Run(fmt.Sprintf("width=%d", teddyWidth()), f)
	}
}

// TestTeddyKernel: each kernel finds the same blocks, positions and bucket
// bits as teddyFindGo with its width, and tells the same of bytes above
// 0x7f, for random tables and texts of every length from a block's reach
// to 300 (ASCII with at times one byte above 0x7f, so that whether the
// blocks read it depends on where they start), from every start.
func TestTeddyKernel(t *testing.T) {
	kernels(t, func(t *testing.T) {
		width := teddyWidth()
		reach := width + teddyMinLen - 1
		r := rand.New(rand.NewPCG(21, 22))
		for round := range 3000 {
			var masks [96]byte
			for i := range masks {
				// Sparse tables, so that blocks without candidates occur.
				masks[i] = byte(r.Uint32() & r.Uint32() & r.Uint32())
			}
			b := make([]byte, reach+round%(301-reach))
			for i := range b {
				b[i] = byte(r.Uint32())
				if round%4 != 0 {
					b[i] &= 0x7f
				}
			}
			if round%4 != 0 && round%3 != 0 {
				b[r.IntN(len(b))] |= 0x80
			}
			for start := range len(b) + 1 {
				var got, want [teddyBlock]byte
				off, nz, high := teddyFind(&masks, &b[0], len(b), start, &got)
				woff, wnz, whigh := teddyFindGo(&masks, b, width, start, &want)
				if off != woff || nz != wnz || nz != 0 && !bytes.Equal(got[:width], want[:width]) || (high != 0) != (whigh != 0) {
					t.Fatalf("text of %d bytes from %d: kernel (%d, %064b, %x, %d), Go (%d, %064b, %x, %d)", len(b), start, off, nz, got[:width], high, woff, wnz, want[:width], whigh)
				}
			}
		}
	})
}

// teddyRound makes a random literal set for a differential round: 1 to 64
// literals of 3 to 20 bytes from a small alphabet, so that near misses,
// overlaps and shared fingerprints are common.
func teddyRound(r *rand.Rand, round int) (lits []string, alpha string) {
	alphas := []string{"ab", "ab:", "abc\\.", "a\x80\xff", "kes:\xc3\x89", "abcdefghijklmnop", "aAbB[{@`"}
	alpha = alphas[round%len(alphas)]
	lits = make([]string, 1+r.IntN(63)) // and one more, at times
	for i := range lits {
		lits[i] = randomWord(r, alpha, 0)
		for n := 3 + r.IntN(18); len(lits[i]) < n; {
			lits[i] += string(alpha[r.IntN(len(alpha))])
		}
	}
	if round%5 == 0 {
		lits = slices.Insert(lits, r.IntN(len(lits)+1), "") // empty literals are never reported
	}
	if round%7 == 0 {
		lits = append(lits, lits[0]) // a literal twice is reported twice
	}
	return lits, alpha
}

// teddyText makes a text of n bytes from pieces of lits, whole literals,
// upper-cased runs and alphabet bytes, with a literal often placed to end
// at the very end or to straddle a block boundary.
func teddyText(r *rand.Rand, lits []string, alpha string, n int) string {
	var b []byte
	for len(b) < n {
		l := lits[r.IntN(len(lits))]
		switch r.IntN(5) {
		case 0:
			b = append(b, l...)
		case 1:
			i, j := r.IntN(len(l)+1), r.IntN(len(l)+1)
			b = append(b, l[min(i, j):max(i, j)]...)
		case 2:
			b = append(b, strings.ToUpper(l)...)
		case 3:
			b = append(b, alpha[r.IntN(len(alpha))], "xyZ\x00\xe9"[r.IntN(5)])
		default:
			b = append(b, alpha[r.IntN(len(alpha))])
		}
	}
	b = b[:n]
	if l := lits[r.IntN(len(lits))]; l != "" && len(l) <= n && r.IntN(2) == 0 {
		at := n - len(l) // at the end
		if r.IntN(2) == 0 {
			// Across a block boundary (of either kernel's blocks, or of
			// the tail's).
			at = max(0, min(n-len(l), (1+r.IntN(8))*32-1-r.IntN(len(l))))
		}
		src := l
		if r.IntN(3) == 0 {
			src = strings.ToUpper(l)
		}
		copy(b[at:], src)
	}
	return string(b)
}

// TestTeddyAgainstContains checks Scan, ScanLower and Any of Teddy sets
// against the naive answer (every occurrence, once) and against the set
// without Teddy, and ScanLowerChecked against IsASCII and, on ASCII text,
// the set without Teddy, for random literal sets and texts of 0 to 300
// bytes.
func TestTeddyAgainstContains(t *testing.T) {
	if !useTeddy {
		t.Skip("no Teddy kernel here")
	}
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for round := range 1500 {
			lits, alpha := teddyRound(r, round)
			if round%2 == 1 {
				for i := range lits {
					lits[i] = asciiLowerString(lits[i]) // as callers of ScanLower fold them
				}
			}
			s := newSetTeddy(t, lits)
			plain, err := newSetNoTeddy(lits, 256<<10)
			if err != nil {
				t.Fatal(err)
			}
			if plain.td != nil {
				t.Fatal("newSetNoTeddy built a Teddy prefilter")
			}
			for k := range 40 {
				text := teddyText(r, lits, alpha, (round*40+k)%301)
				lowered := asciiLowerString(text)
				got := slices.Sorted(slices.Values(s.Scan(text, nil)))
				if want := occurrences(lits, text); !slices.Equal(got, want) {
					t.Fatalf("lits %q: Scan(%q) = %v, want %v", lits, text, got, want)
				}
				if d, p := distinct(got), distinct(plain.Scan(text, nil)); !slices.Equal(d, p) {
					t.Fatalf("lits %q: Scan(%q) = %v, without Teddy %v", lits, text, d, p)
				}
				got = slices.Sorted(slices.Values(s.ScanLower(text, nil)))
				if want := occurrences(lits, lowered); !slices.Equal(got, want) {
					t.Fatalf("lits %q: ScanLower(%q) = %v, want %v", lits, text, got, want)
				}
				if !hasUpper(lits) {
					if d, p := distinct(got), distinct(plain.ScanLower(text, nil)); !slices.Equal(d, p) {
						t.Fatalf("lits %q: ScanLower(%q) = %v, without Teddy %v", lits, text, d, p)
					}
				}
				if got, want := s.Any(text), len(found(lits, text)) > 0; got != want {
					t.Fatalf("lits %q: Any(%q) = %v, want %v", lits, text, got, want)
				}
				hits, ascii := s.ScanLowerChecked(text, nil)
				if ascii != IsASCII(text) {
					t.Fatalf("lits %q: ScanLowerChecked(%q) says ASCII %v", lits, text, ascii)
				}
				if ascii && !hasUpper(lits) {
					if d, p := distinct(hits), distinct(plain.ScanLower(text, nil)); !slices.Equal(d, p) {
						t.Fatalf("lits %q: ScanLowerChecked(%q) = %v, without Teddy %v", lits, text, d, p)
					}
				}
			}
		}
	})
}

// TestTeddyEligible: which sets get a Teddy prefilter.
func TestTeddyEligible(t *testing.T) {
	var dense []string // 64 literals of common letters: most positions would pass
	for i := range 64 {
		const common = "etaoinsr"
		dense = append(dense, string([]byte{common[i/8], common[i%8], common[(3*i+i/8)%8]}))
	}
	for _, tc := range []struct {
		lits []string
		ok   bool // newTeddy builds one
		set  bool // and NewSet uses it
	}{
		{mimikatzLits, true, true},
		{[]string{"abc"}, true, true},
		{[]string{"", "abc", ""}, true, true},
		{[]string{"abc", "ab"}, false, false}, // too short for the fingerprint
		{[]string{""}, false, false},
		{nil, false, false},
		{make64("lit%02d"), true, true},
		{append(make64("lit%02d"), "one more"), false, false},
		{dense, true, false},
	} {
		td := newTeddy(tc.lits)
		if got := td != nil; got != tc.ok {
			t.Errorf("newTeddy(%q) != nil is %v, want %v", tc.lits, got, tc.ok)
		}
		s, err := NewSet(tc.lits, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.td != nil; got != (tc.set && useTeddy) {
			t.Errorf("NewSet(%q) has a Teddy prefilter: %v (rate %.4f), want %v", tc.lits, got, td.rate(), tc.set && useTeddy)
		}
	}
}

func make64(format string) []string {
	out := make([]string, 64)
	for i := range out {
		out[i] = strings.Replace(format, "%02d", string([]byte{'0' + byte(i/10), '0' + byte(i%10)}), 1)
	}
	return out
}

// TestTeddyBuckets: every literal is in exactly one bucket, literals with
// one fingerprint share a bucket, and each fingerprint lies in its literal.
func TestTeddyBuckets(t *testing.T) {
	td := newTeddy(mimikatzLits)
	print := func(tl teddyLit) string {
		return mimikatzLits[tl.id][tl.off : tl.off+teddyMinLen]
	}
	var all []int32
	for b, tls := range td.buckets {
		for _, tl := range tls {
			all = append(all, tl.id)
			t.Logf("bucket %d: %q at %d", b, mimikatzLits[tl.id], tl.off)
			for _, other := range td.buckets[b+1:] {
				for _, o := range other {
					if print(o) == print(tl) {
						t.Errorf("%q and %q have fingerprint %q in different buckets", mimikatzLits[tl.id], mimikatzLits[o.id], print(tl))
					}
				}
			}
		}
	}
	slices.Sort(all)
	for i, id := range all {
		if id != int32(i) {
			t.Fatalf("buckets hold %v, want each of the %d literals once", all, len(mimikatzLits))
		}
	}
}

// FuzzTeddy checks Scan and ScanLower against the naive answer, with
// each kernel the processor has.
func FuzzTeddy(f *testing.F) {
	f.Add("sekurlsa::\x00lsadump::\x00gentilkiwi.com", "C:\\x SEKURLSA::logonpasswords")
	f.Add("abc\x00bca\x00cab", strings.Repeat("abcab", 13))
	f.Add("\x80\x81\x82\x00ABC", "abc\x80\x81\x82")
	defer func(old bool) { teddyWide = old }(teddyWide)
	f.Fuzz(func(t *testing.T, joined, text string) {
		lits := strings.Split(joined, "\x00")
		s, err := NewSet(lits, 256<<10)
		if err != nil {
			return
		}
		if useTeddy && newTeddy(lits) != nil {
			s = newSetTeddy(t, lits) // whatever its rate
		}
		for _, wide := range []bool{false, true} {
			if wide && (!haveWide || s.td == nil) {
				continue
			}
			teddyWide = wide
			if got, want := slices.Sorted(slices.Values(s.Scan(text, nil))), occurrences(lits, text); !slices.Equal(got, want) && (s.td != nil || !slices.Equal(distinct(got), distinct(want))) {
				t.Fatalf("lits %q, Scan(%q) = %v, want %v", lits, text, got, want)
			}
			if got, want := slices.Sorted(slices.Values(s.ScanLower(text, nil))), occurrences(lits, asciiLowerString(text)); !slices.Equal(got, want) && (s.td != nil || !hasUpper(lits) && !slices.Equal(distinct(got), distinct(want))) {
				t.Fatalf("lits %q, ScanLower(%q) = %v, want %v", lits, text, got, want)
			}
		}
	})
}

// teddyCandidates counts the positions of text that pass the filter.
func teddyCandidates(td *teddy, text string) int {
	b := []byte(text)
	for len(b) < teddyBlock+teddyMinLen-1 {
		b = append(b, 0) // as padded
	}
	n := 0
	var res [teddyBlock]byte
	for i := 0; ; {
		off, nz, _ := teddyFindGo(&td.masks, b, teddyBlock, i, &res)
		if nz == 0 {
			return n
		}
		for j := range teddyBlock {
			if nz&(1<<j) != 0 && off+j+td.minRest <= len(text) {
				n++
			}
		}
		i = off + teddyBlock
	}
}

// BenchmarkKeywords scans a 2.5 KB event for the Mimikatz keywords, with
// Teddy (each kernel the processor has) and without (the stepped gram
// table), and with the automaton a small set without Teddy is, in the
// same run; and the same for the event's values one at a time.
func BenchmarkKeywords(b *testing.B) {
	td, err := NewSet(mimikatzLits, 1<<16)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := newSetNoTeddy(mimikatzLits, 1<<16)
	if err != nil {
		b.Fatal(err)
	}
	if td.td == nil || len(plain.tabs) != 1 || plain.tabs[0].step < 2 {
		b.Fatal("want a Teddy set and a stepped one")
	}
	var values []string
	for _, v := range strings.Split(eventText, `"`) {
		if len(v) >= 8 {
			values = append(values, v)
		}
	}
	a, err := Build(mimikatzLits, 1<<16)
	if err != nil {
		b.Fatal(err)
	}
	var hits []int32
	defer func(old bool) { teddyWide = old }(teddyWide)
	for _, sc := range []struct {
		name string
		s    interface{ ScanLower(string, []int32) []int32 }
		wide bool // the Teddy set with the 64-position kernel
	}{{"teddy32", td, false}, {"teddy64", td, true}, {"stepped", plain, false}, {"automaton", a, false}} {
		if sc.wide && !haveWide {
			continue
		}
		teddyWide = sc.wide
		b.Run("event/"+sc.name, func(b *testing.B) {
			b.SetBytes(int64(len(eventText)))
			for b.Loop() {
				hits = sc.s.ScanLower(eventText, hits[:0])
			}
			if sc.s == td {
				b.ReportMetric(float64(teddyCandidates(td.td, eventText)), "cands")
			}
		})
		b.Run("values/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				for _, v := range values {
					hits = sc.s.ScanLower(v, hits[:0])
				}
			}
			b.ReportMetric(float64(len(values)), "values")
		})
	}
}
