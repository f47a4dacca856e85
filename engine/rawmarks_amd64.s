#include "textflag.h"

// func rawMarkBlocksAVX2(b *byte, n int, dst *uint64)
//
// For each 64-byte block, one word with a bit set for each byte that is
// '"', '\\', below 0x20 or above 0x7f. The last two are one signed
// comparison: 0x20 > c as signed bytes.
TEXT ·rawMarkBlocksAVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ dst+16(FP), DI
	MOVL $0x22222222, AX
	VMOVD AX, X1
	VPBROADCASTD X1, Y1
	MOVL $0x5c5c5c5c, AX
	VMOVD AX, X2
	VPBROADCASTD X2, Y2
	MOVL $0x20202020, AX
	VMOVD AX, X3
	VPBROADCASTD X3, Y3

loop:
	TESTQ CX, CX
	JZ    done
	VMOVDQU (SI), Y4
	VMOVDQU 32(SI), Y5
	VPCMPEQB Y1, Y4, Y6
	VPCMPEQB Y2, Y4, Y7
	VPOR     Y6, Y7, Y6
	VPCMPGTB Y4, Y3, Y7
	VPOR     Y6, Y7, Y6
	VPMOVMSKB Y6, AX
	VPCMPEQB Y1, Y5, Y8
	VPCMPEQB Y2, Y5, Y9
	VPOR     Y8, Y9, Y8
	VPCMPGTB Y5, Y3, Y9
	VPOR     Y8, Y9, Y8
	VPMOVMSKB Y8, DX
	SHLQ $32, DX
	ORQ  DX, AX
	MOVQ AX, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP  loop

done:
	VZEROUPPER
	RET
