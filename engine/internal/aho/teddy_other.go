//go:build !amd64

package aho

import "unsafe"

// useTeddy is false: only amd64 has the Teddy kernel, and a Go one would
// scan slower than the sets without it.
var useTeddy = false

// teddyWide and haveWide are false: no wide kernel here.
var teddyWide, haveWide = false, false

// teddyWidth is the positions per block of teddyFind here.
func teddyWidth() int { return 32 }

// teddyFind is teddyFindGo; it is not called where useTeddy is false, but
// tests may call it.
func teddyFind(masks *[96]byte, b *byte, n, start int, res *[teddyBlock]byte) (off int, nz, high uint64) {
	return teddyFindGo(masks, unsafe.Slice(b, n), teddyWidth(), start, res)
}
