package engine

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// joinTextsFast is whether the AVX kernel runs here.
var joinTextsFast = cpu.X86.HasAVX

// joinTexts writes to dst the texts of at least min bytes, each followed
// by a 0 byte, and returns the bytes written; -1 when they do not fit in
// dst (what it holds then is unspecified).
func joinTexts(dst []byte, texts []string, min int) int {
	if !joinTextsFast || len(texts) == 0 || len(dst) == 0 {
		return joinTextsGo(dst, texts, min)
	}
	return joinTextsAVX(unsafe.SliceData(dst), len(dst), unsafe.SliceData(texts), len(texts), min)
}

// joinTextsAVX is joinTexts for the n texts at texts, writing to the room
// bytes at dst.
//
//go:noescape
func joinTextsAVX(dst *byte, room int, texts *string, n, min int) int
