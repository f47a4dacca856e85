#include "textflag.h"

// BLOCK sets Y6 to the bucket bits of the 32 positions at SI+BX: the
// bytes at each position and the two after it are three unaligned loads
// (the block reads 34 bytes), each byte's low and high nibbles pick bucket
// bits from its fingerprint byte's tables (Y0-Y5), and the six lookups
// are ANDed. The first and last loads, which hold all 34 bytes, are ORed
// into Y13, whose high bits tell whether a byte above 0x7f was read.
#define BLOCK \
	VMOVDQU (SI)(BX*1), Y6 \
	VMOVDQU 1(SI)(BX*1), Y7 \
	VMOVDQU 2(SI)(BX*1), Y8 \
	VPOR    Y6, Y13, Y13 \
	VPOR    Y8, Y13, Y13 \
	VPSRLW  $4, Y6, Y9 \
	VPAND   Y15, Y6, Y6 \
	VPAND   Y15, Y9, Y9 \
	VPSHUFB Y6, Y0, Y6 \
	VPSHUFB Y9, Y1, Y9 \
	VPAND   Y6, Y9, Y6 \
	VPSRLW  $4, Y7, Y10 \
	VPAND   Y15, Y7, Y7 \
	VPAND   Y15, Y10, Y10 \
	VPSHUFB Y7, Y2, Y7 \
	VPSHUFB Y10, Y3, Y10 \
	VPAND   Y7, Y10, Y7 \
	VPAND   Y6, Y7, Y6 \
	VPSRLW  $4, Y8, Y11 \
	VPAND   Y15, Y8, Y8 \
	VPAND   Y15, Y11, Y11 \
	VPSHUFB Y8, Y4, Y8 \
	VPSHUFB Y11, Y5, Y11 \
	VPAND   Y8, Y11, Y8 \
	VPAND   Y6, Y8, Y6

// func teddyFind32(masks *[96]byte, b *byte, n int, start int, res *[64]byte) (off int, nz, high uint64)
//
// Y0-Y5 hold the nibble tables of the three fingerprint bytes (low, high;
// each 16-byte table in both lanes, as VPSHUFB looks up per lane). Blocks
// run from start while off <= n-34; the positions left after them that
// have room for a fingerprint (off < n-2) are read as the block at n-34,
// with the positions before off masked off. high is not 0 when a byte
// the blocks read is above 0x7f.
TEXT ·teddyFind32(SB), NOSPLIT, $0-64
	MOVQ masks+0(FP), AX
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), R9
	MOVQ start+24(FP), BX
	MOVQ res+32(FP), DI
	VBROADCASTI128 0(AX), Y0
	VBROADCASTI128 16(AX), Y1
	VBROADCASTI128 32(AX), Y2
	VBROADCASTI128 48(AX), Y3
	VBROADCASTI128 64(AX), Y4
	VBROADCASTI128 80(AX), Y5
	MOVL $0x0f0f0f0f, DX
	VMOVD DX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y13, Y13, Y13
	SUBQ $34, R9        // the last block's offset
	MOVL $-1, R8        // the positions of the block kept
	CMPQ BX, R9
	JGT  last

loop:
	BLOCK
	VPTEST Y6, Y6
	JNZ    found
	ADDQ   $32, BX
	CMPQ   BX, R9
	JLE    loop

last:
	LEAQ 32(R9), DX
	CMPQ BX, DX
	JGE  none
	MOVQ BX, CX
	SUBQ R9, CX         // positions of the last block already read: 1 to 31
	MOVQ R9, BX
	SHLL CX, R8
	BLOCK

found:
	VMOVDQU   Y6, (DI)
	VPXOR     Y12, Y12, Y12
	VPCMPEQB  Y12, Y6, Y6
	VPMOVMSKB Y6, AX
	NOTL      AX
	ANDL      R8, AX
	JZ        none
	MOVQ      BX, off+40(FP)
	MOVQ      AX, nz+48(FP)
	VPMOVMSKB Y13, AX
	MOVQ      AX, high+56(FP)
	VZEROUPPER
	RET

none:
	MOVQ      BX, off+40(FP)
	MOVQ      $0, nz+48(FP)
	VPMOVMSKB Y13, AX
	MOVQ      AX, high+56(FP)
	VZEROUPPER
	RET

// BLOCK64 is BLOCK for the 64 positions at SI+BX in Z registers (the
// block reads 66 bytes), with three-input ANDs and ORs (VPTERNLOGD). Of
// the six lookups it leaves the AND of the first three (both of the first
// fingerprint byte's, the second's low nibble) in Z6 and of the other
// three in Z10: their AND is the block's bucket bits.
#define BLOCK64 \
	VMOVDQU8   (SI)(BX*1), Z6 \
	VMOVDQU8   1(SI)(BX*1), Z7 \
	VMOVDQU8   2(SI)(BX*1), Z8 \
	VPTERNLOGD $0xfe, Z8, Z6, Z13 \
	VPSRLW     $4, Z6, Z9 \
	VPANDD     Z15, Z6, Z6 \
	VPANDD     Z15, Z9, Z9 \
	VPSHUFB    Z6, Z0, Z6 \
	VPSHUFB    Z9, Z1, Z9 \
	VPSRLW     $4, Z7, Z10 \
	VPANDD     Z15, Z7, Z7 \
	VPANDD     Z15, Z10, Z10 \
	VPSHUFB    Z7, Z2, Z7 \
	VPSHUFB    Z10, Z3, Z10 \
	VPTERNLOGD $0x80, Z7, Z9, Z6 \
	VPSRLW     $4, Z8, Z11 \
	VPANDD     Z15, Z8, Z8 \
	VPANDD     Z15, Z11, Z11 \
	VPSHUFB    Z8, Z4, Z8 \
	VPSHUFB    Z11, Z5, Z11 \
	VPTERNLOGD $0x80, Z8, Z11, Z10

// func teddyFind64(masks *[96]byte, b *byte, n int, start int, res *[64]byte) (off int, nz, high uint64)
//
// teddyFind32 with blocks of 64 positions, in AVX-512 (F and BW): the
// tables are in each 128-bit lane of Z0-Z5, and a block's positions that
// pass are the mask K1 (VPTESTMB). Blocks run while off <= n-66; the
// positions left are read as the block at n-66.
TEXT ·teddyFind64(SB), NOSPLIT, $0-64
	MOVQ masks+0(FP), AX
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), R9
	MOVQ start+24(FP), BX
	MOVQ res+32(FP), DI
	VBROADCASTI32X4 0(AX), Z0
	VBROADCASTI32X4 16(AX), Z1
	VBROADCASTI32X4 32(AX), Z2
	VBROADCASTI32X4 48(AX), Z3
	VBROADCASTI32X4 64(AX), Z4
	VBROADCASTI32X4 80(AX), Z5
	MOVL $0x0f0f0f0f, DX
	VPBROADCASTD DX, Z15
	VPXORD Z13, Z13, Z13
	SUBQ $66, R9        // the last block's offset
	MOVQ $-1, R8        // the positions of the block kept
	CMPQ BX, R9
	JGT  last64

loop64:
	BLOCK64
	VPTESTMB Z10, Z6, K1
	KORTESTQ K1, K1
	JNZ      found64
	ADDQ     $64, BX
	CMPQ     BX, R9
	JLE      loop64

last64:
	LEAQ 64(R9), DX
	CMPQ BX, DX
	JGE  none64
	MOVQ BX, CX
	SUBQ R9, CX         // positions of the last block already read: 1 to 63
	MOVQ R9, BX
	SHLQ CX, R8
	BLOCK64
	VPTESTMB Z10, Z6, K1

found64:
	VPANDD   Z10, Z6, Z6
	VMOVDQU8 Z6, (DI)
	KMOVQ    K1, AX
	ANDQ     R8, AX
	JZ       none64
	MOVQ     BX, off+40(FP)
	MOVQ     AX, nz+48(FP)
	VPMOVB2M Z13, K2
	KMOVQ    K2, AX
	MOVQ     AX, high+56(FP)
	VZEROUPPER
	RET

none64:
	MOVQ     BX, off+40(FP)
	MOVQ     $0, nz+48(FP)
	VPMOVB2M Z13, K2
	KMOVQ    K2, AX
	MOVQ     AX, high+56(FP)
	VZEROUPPER
	RET
