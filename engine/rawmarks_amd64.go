package engine

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// rawMarkBlocksFast is whether the AVX2 kernel runs here.
var rawMarkBlocksFast = cpu.X86.HasAVX2

// rawMarkBlocks sets dst[k] to the marks of b[64k:64k+64]; len(b) is
// 64*len(dst).
func rawMarkBlocks(dst []uint64, b []byte) {
	if !rawMarkBlocksFast {
		rawMarkBlocksGo(dst, b)
		return
	}
	rawMarkBlocksAVX2(unsafe.SliceData(b), len(dst), unsafe.SliceData(dst))
}

// rawMarkBlocksAVX2 is rawMarkBlocks for n blocks at b, in AVX2.
//
//go:noescape
func rawMarkBlocksAVX2(b *byte, n int, dst *uint64)
