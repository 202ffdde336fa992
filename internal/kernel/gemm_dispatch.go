package kernel

// The micro-kernels in gemm_amd64.s are generated with avo by asmgen, a
// module of its own (so runner does not depend on avo):
//go:generate sh -c "cd asmgen && go run . -out ../gemm_amd64.s -stubs ../gemm_stub_amd64.go -pkg kernel"

import "os"

// gemmS and gemmD are the blocked implementations Gemm uses for float32 and
// float64, or nil for the portable path. They are chosen once, at init, from
// the CPU's features (golang.org/x/sys/cpu): AVX-512F first, then AVX2 with
// FMA. The environment variable RUNNER_KERNEL overrides the choice:
//
//	RUNNER_KERNEL=generic  the portable path (gonum on serial tiles)
//	RUNNER_KERNEL=avx2     AVX2 even when AVX-512 is present
//
// Any other value (or none) means the best the CPU supports. The same choice
// applies to the element-wise kernels (elemS, elemD).
var (
	gemmS *gemmArch[float32]
	gemmD *gemmArch[float64]
)

func init() {
	env := os.Getenv("RUNNER_KERNEL")
	gemmS, gemmD = selectGemm(env)
	elemS, elemD = selectElem(env)
}

// selectGemm picks the implementations for the RUNNER_KERNEL value env.
func selectGemm(env string) (*gemmArch[float32], *gemmArch[float64]) {
	s, d := gemmArchs()
	return selectArch(env, s, d, func(a *gemmArch[float32]) string { return a.name })
}

// selectArch picks, from the implementations the CPU supports (s[i] and
// d[i] for float32 and float64, best first), the one the RUNNER_KERNEL value
// env names, or the best when it names none; nil, nil for "generic" or when
// the CPU supports none.
func selectArch[S, D any](env string, s []*S, d []*D, name func(*S) string) (*S, *D) {
	if env == "generic" || len(s) == 0 {
		return nil, nil
	}
	for i := range s {
		if name(s[i]) == env {
			return s[i], d[i]
		}
	}
	return s[0], d[0]
}

// gemmImpl names the implementation Gemm uses for float32: "avx512",
// "avx2" or "generic".
func gemmImpl() string {
	if gemmS == nil {
		return "generic"
	}
	return gemmS.name
}
