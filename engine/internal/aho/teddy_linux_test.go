//go:build linux

package aho

import (
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestTeddyPageEnd scans texts that end where readable memory ends (a
// page followed by one that faults when read), and texts just before and
// across that boundary, so that a read past a text's end would crash.
func TestTeddyPageEnd(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	s, err := NewSet(mimikatzLits, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("xy SEKURLSA::x", 30)
	kernels(t, func(t *testing.T) {
		for n := range 300 {
			for gap := range 70 { // bytes between the text's end and the page's
				end := page - gap
				if n > end {
					continue
				}
				b := mem[end-n : end]
				copy(b, filler)
				if n >= 10 {
					copy(b[n-10:], "sekurlsa::")
				}
				text := unsafe.String(unsafe.SliceData(b), n)
				if n == 0 {
					text = ""
				}
				want := occurrences(mimikatzLits, asciiLowerString(text))
				if got := slices.Sorted(slices.Values(s.ScanLower(text, nil))); !slices.Equal(got, want) {
					t.Fatalf("%d bytes ending %d before the page's end: ScanLower = %v, want %v", n, gap, got, want)
				}
			}
		}
	})
}
