package aho

import "golang.org/x/sys/cpu"

// useTeddy is whether NewSet builds Teddy prefilters: the kernel needs
// AVX2. Tests turn it off to check the sets built without one.
var useTeddy = cpu.X86.HasAVX2

// teddyFind is teddyFindGo for the n bytes at b, in AVX2.
//
//go:noescape
func teddyFind(masks *[96]byte, b *byte, n, start int, res *[teddyBlock]byte) (off int, nz, high uint32)
