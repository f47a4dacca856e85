//go:build !amd64

package engine

const rawMarkBlocksFast = false

func rawMarkBlocks(dst []uint64, b []byte) { rawMarkBlocksGo(dst, b) }
