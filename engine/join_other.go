//go:build !amd64

package engine

func joinTexts(dst []byte, texts []string, min int) int { return joinTextsGo(dst, texts, min) }
