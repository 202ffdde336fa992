package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmMatchesReference checks Gemm against the triple loop on random
// shapes, with edge sizes (1, odd, around the tile sizes), every
// combination of transposes, padded strides and alpha/beta values.
func TestGemmMatchesReference(t *testing.T) {
	sizes := []int{1, 2, 3, 7, 63, 64, 65, 100, 191, 193}
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 60; trial++ {
		m := sizes[rng.IntN(len(sizes))]
		n := sizes[rng.IntN(len(sizes))]
		k := sizes[rng.IntN(len(sizes))]
		transA, transB := rng.IntN(2) == 1, rng.IntN(2) == 1
		alpha, beta := []float64{1, 0.5}[rng.IntN(2)], []float64{0, 1, -0.25}[rng.IntN(3)]
		checkGemm[float64](t, rng, m, n, k, transA, transB, alpha, beta, 1e-12)
		checkGemm[float32](t, rng, m, n, k, transA, transB, alpha, beta, 1e-4)
	}
}

func checkGemm[T Float](t *testing.T, rng *rand.Rand, m, n, k int, transA, transB bool, alpha, beta float64, tol float64) {
	t.Helper()
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+1, bc+2, n+3 // padded strides
	a := randT[T](rng, ar*lda)
	b := randT[T](rng, br*ldb)
	c := randT[T](rng, m*ldc)
	want := append([]T(nil), c...)
	gemmRef(transA, transB, m, n, k, T(alpha), a, lda, b, ldb, T(beta), want, ldc)
	Gemm(transA, transB, m, n, k, T(alpha), a, lda, b, ldb, T(beta), c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got, exp := float64(c[i*ldc+j]), float64(want[i*ldc+j])
			if j >= n && got != exp {
				t.Fatalf("m=%d n=%d k=%d tA=%v tB=%v: padding C[%d,%d] changed", m, n, k, transA, transB, i, j)
			}
			if math.Abs(got-exp) > tol*(1+math.Abs(exp))*math.Sqrt(float64(k)) {
				t.Fatalf("%T m=%d n=%d k=%d tA=%v tB=%v α=%g β=%g: C[%d,%d] = %g, want %g", a, m, n, k, transA, transB, alpha, beta, i, j, got, exp)
			}
		}
	}
}

func randT[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(rng.NormFloat64())
	}
	return s
}

func TestGemmDoesNotAllocate(t *testing.T) {
	a, b, c := make([]float32, 100*784), make([]float32, 784*100), make([]float32, 100*100)
	allocs := testing.AllocsPerRun(5, func() {
		Gemm(false, false, 100, 100, 784, 1, a, 784, b, 100, 0, c, 100)
		Gemm(true, false, 784, 100, 100, 1, a, 784, c, 100, 0, b, 100)
	})
	if allocs != 0 {
		t.Errorf("Gemm allocated %v times per call", allocs)
	}
}
