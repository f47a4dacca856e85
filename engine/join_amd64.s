#include "textflag.h"

// func joinTextsAVX(dst *byte, room int, texts *string, n, min int) int
//
// For each text of at least min bytes: the bytes are copied with two
// loads and two stores that may overlap (the first and the last 16, 8, 4,
// 2 bytes of a text of up to 31), or 32 bytes at a time with the last 32
// overlapping; every load stays inside the text and every store inside
// its place in dst. Then a 0 byte. A text (with its 0) that would end
// past the room returns -1.
TEXT ·joinTextsAVX(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ room+8(FP), R12
	MOVQ texts+16(FP), R8
	MOVQ n+24(FP), R9
	MOVQ min+32(FP), R10
	MOVQ DI, R11
	ADDQ DI, R12        // the room's end

next:
	TESTQ R9, R9
	JZ    done
	MOVQ  0(R8), SI     // the text's bytes
	MOVQ  8(R8), CX     // and length
	ADDQ  $16, R8
	DECQ  R9
	CMPQ  CX, R10
	JLT   next
	LEAQ  1(DI)(CX*1), AX
	CMPQ  AX, R12
	JA    full
	CMPQ  CX, $32
	JAE   c32
	CMPQ  CX, $16
	JAE   c16
	CMPQ  CX, $8
	JAE   c8
	CMPQ  CX, $4
	JAE   c4
	CMPQ  CX, $2
	JAE   c2
	TESTQ CX, CX
	JZ    sep
	MOVB  (SI), AX
	MOVB  AX, (DI)
	JMP   sep

c2:
	MOVW (SI), AX
	MOVW -2(SI)(CX*1), BX
	MOVW AX, (DI)
	MOVW BX, -2(DI)(CX*1)
	JMP  sep

c4:
	MOVL (SI), AX
	MOVL -4(SI)(CX*1), BX
	MOVL AX, (DI)
	MOVL BX, -4(DI)(CX*1)
	JMP  sep

c8:
	MOVQ (SI), AX
	MOVQ -8(SI)(CX*1), BX
	MOVQ AX, (DI)
	MOVQ BX, -8(DI)(CX*1)
	JMP  sep

c16:
	VMOVDQU (SI), X0
	VMOVDQU -16(SI)(CX*1), X1
	VMOVDQU X0, (DI)
	VMOVDQU X1, -16(DI)(CX*1)
	JMP     sep

c32:
	XORQ BX, BX
	LEAQ -32(CX), DX    // whole blocks while they end before the last 32 bytes

block:
	CMPQ    BX, DX
	JAE     last
	VMOVDQU (SI)(BX*1), Y0
	VMOVDQU Y0, (DI)(BX*1)
	ADDQ    $32, BX
	JMP     block

last:
	VMOVDQU -32(SI)(CX*1), Y0
	VMOVDQU Y0, -32(DI)(CX*1)

sep:
	MOVB $0, (DI)(CX*1)
	LEAQ 1(DI)(CX*1), DI
	JMP  next

done:
	VZEROUPPER
	SUBQ R11, DI
	MOVQ DI, ret+40(FP)
	RET

full:
	VZEROUPPER
	MOVQ $-1, ret+40(FP)
	RET
