//go:build linux

package engine

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestAppendJoinedPageEnd joins texts that end where readable memory ends
// (a page followed by one that faults when read), and texts that start
// where it starts (after one that faults), so that a read outside a text
// would crash.
func TestAppendJoinedPageEnd(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	if err := syscall.Mprotect(mem[2*page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	body := mem[page : 2*page]
	for i := range body {
		body[i] = byte('A' + i%23)
	}
	for n := 1; n <= 100; n++ {
		end := unsafe.String(&body[len(body)-n], n) // ends at the faulting page
		start := unsafe.String(&body[0], n)         // starts after the other
		texts := []string{end, start, end}
		if got, want := appendJoined(nil, texts, 1), joinRef(nil, texts, 1); string(got) != string(want) {
			t.Fatalf("%d-byte texts at the page's ends: got %q, want %q", n, got, want)
		}
	}
}
