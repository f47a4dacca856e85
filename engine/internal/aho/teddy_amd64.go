package aho

import "golang.org/x/sys/cpu"

// useTeddy is whether NewSet builds Teddy prefilters: the kernel needs
// AVX2. Tests turn it off to check the sets built without one.
var useTeddy = cpu.X86.HasAVX2

// teddyWide is whether the kernel reads blocks of 64 positions in
// AVX-512 (teddyFind64) rather than 32 in AVX2 (teddyFind32): on the
// processors tested, the same shuffles on 512-bit registers search event
// text in about half the time (bench/README.md). Tests switch it to check
// both kernels.
var teddyWide = haveWide

// haveWide is whether the processor runs teddyFind64.
var haveWide = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// teddyWidth is the positions per block of the kernel teddyFind runs.
func teddyWidth() int {
	if teddyWide {
		return 64
	}
	return 32
}

// teddyFind is teddyFindGo, with blocks of teddyWidth positions, for the
// n bytes at b.
func teddyFind(masks *[96]byte, b *byte, n, start int, res *[teddyBlock]byte) (off int, nz, high uint64) {
	if teddyWide {
		return teddyFind64(masks, b, n, start, res)
	}
	return teddyFind32(masks, b, n, start, res)
}

// teddyFind32 is teddyFindGo with blocks of 32 positions, in AVX2; it
// writes the first 32 bytes of res.
//
//go:noescape
func teddyFind32(masks *[96]byte, b *byte, n, start int, res *[teddyBlock]byte) (off int, nz, high uint64)

// teddyFind64 is teddyFindGo with blocks of 64 positions, in AVX-512.
//
//go:noescape
func teddyFind64(masks *[96]byte, b *byte, n, start int, res *[teddyBlock]byte) (off int, nz, high uint64)
