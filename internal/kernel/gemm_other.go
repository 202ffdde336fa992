//go:build !amd64 || purego

package kernel

// gemmArchs lists the assembly implementations: none on this platform, so
// Gemm always takes the portable path.
func gemmArchs() (s []*gemmArch[float32], d []*gemmArch[float64]) { return nil, nil }

// elemArchs lists the vectorised element-wise kernels: none on this
// platform.
func elemArchs() (s []*elemArch[float32], d []*elemArch[float64]) { return nil, nil }
