package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
)

// testImpl is one implementation under test: the portable path (both archs
// nil) or a blocked one.
type testImpl struct {
	name string
	s    *gemmArch[float32]
	d    *gemmArch[float64]
}

// gemmImplNames are every implementation that exists on some machine.
var gemmImplNames = []string{"generic", "avx2", "avx512"}

// implFor returns the named implementation, skipping the test when this CPU
// (or build) lacks it.
func implFor(tb testing.TB, name string) testImpl {
	tb.Helper()
	if name == "generic" {
		return testImpl{name: name}
	}
	s, d := gemmArchs()
	for i := range s {
		if s[i].name == name {
			return testImpl{name, s[i], d[i]}
		}
	}
	tb.Skipf("%s: not supported by this CPU or build", name)
	return testImpl{}
}

func (im testImpl) gemm32(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmUsing(im.s, im.d, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestGemmMatchesReference checks every implementation against the triple
// loop on random shapes, with edge sizes (1, odd, around the register tiles
// and cache blocks), every combination of transposes, padded strides and
// alpha/beta values; the padding of C must be left untouched.
func TestGemmMatchesReference(t *testing.T) {
	sizes := []int{1, 2, 3, 5, 7, 8, 13, 14, 15, 16, 17, 29, 31, 32, 33, 63, 64, 65, 100, 191, 193, 257, 300}
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			im := implFor(t, name)
			rng := rand.New(rand.NewPCG(1, 1))
			trials := 200
			if testing.Short() {
				trials = 40
			}
			for trial := 0; trial < trials; trial++ {
				m := sizes[rng.IntN(len(sizes))]
				n := sizes[rng.IntN(len(sizes))]
				k := sizes[rng.IntN(len(sizes))]
				transA, transB := trial&1 == 1, trial&2 == 2
				alpha := []float64{1, 0.5, -2}[rng.IntN(3)]
				beta := []float64{0, 1, -0.25}[rng.IntN(3)]
				checkAgainstRef[float64](t, im, rng, m, n, k, transA, transB, alpha, beta, 1e-12)
				checkAgainstRef[float32](t, im, rng, m, n, k, transA, transB, alpha, beta, 1e-4)
			}
			// Shapes that cross the cache blocks in every dimension,
			// and the MLP's own shapes.
			for _, sh := range [][3]int{{600, 3, 5}, {3, 2100, 4}, {2, 3, 1100}, {100, 100, 784}, {784, 100, 100}, {100, 784, 100}, {100, 10, 100}, {1000, 100, 784}} {
				for tr := 0; tr < 4; tr++ {
					checkAgainstRef[float32](t, im, rng, sh[0], sh[1], sh[2], tr&1 == 1, tr&2 == 2, 1, 1, 1e-4)
					checkAgainstRef[float64](t, im, rng, sh[0], sh[1], sh[2], tr&1 == 1, tr&2 == 2, 0.5, 0, 1e-12)
				}
			}
		})
	}
}

func checkAgainstRef[T float32 | float64](t *testing.T, im testImpl, rng *rand.Rand, m, n, k int, transA, transB bool, alpha, beta float64, tol float64) {
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
	if beta == 0 {
		// beta = 0 must overwrite C, not scale it: NaN must not leak.
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				c[i*ldc+j] = T(math.NaN())
			}
		}
	}
	want := append([]T(nil), c...)
	gemmRef(transA, transB, m, n, k, T(alpha), a, lda, b, ldb, T(beta), want, ldc)
	gemmUsing(im.s, im.d, transA, transB, m, n, k, T(alpha), a, lda, b, ldb, T(beta), c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got, exp := float64(c[i*ldc+j]), float64(want[i*ldc+j])
			if j >= n {
				if math.Float64bits(got) != math.Float64bits(exp) {
					t.Fatalf("%s %T m=%d n=%d k=%d tA=%v tB=%v: padding C[%d,%d] changed", im.name, a, m, n, k, transA, transB, i, j)
				}
				continue
			}
			if !(math.Abs(got-exp) <= tol*(1+math.Abs(exp))*math.Sqrt(float64(k))) {
				t.Fatalf("%s %T m=%d n=%d k=%d tA=%v tB=%v α=%g β=%g: C[%d,%d] = %g, want %g", im.name, a, m, n, k, transA, transB, alpha, beta, i, j, got, exp)
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

// mlpShapes are the products of one training step of the chapter-6 MLP
// (batch 100) and of evaluation (1000 rows at a time).
var mlpShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"fwd784x100", false, false, 100, 100, 784},
	{"fwd100x100", false, false, 100, 100, 100},
	{"fwd100x10", false, false, 100, 10, 100},
	{"dW784x100", true, false, 784, 100, 100},
	{"dW100x100", true, false, 100, 100, 100},
	{"dx100x784", false, true, 100, 784, 100},
	{"dx100x100", false, true, 100, 100, 100},
	{"eval1000x784x100", false, false, 1000, 100, 784},
}

// operands returns A, B and C for a shape, stored unpadded.
func operands[T Float](transA, transB bool, m, n, k int) (a []T, lda int, b []T, ldb int, c []T, ldc int) {
	rng := rand.New(rand.NewPCG(2, 2))
	lda, ldb = k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	return randT[T](rng, m*k), lda, randT[T](rng, k*n), ldb, randT[T](rng, m*n), n
}

func TestGemmDoesNotAllocate(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			im := implFor(t, name)
			for _, sh := range mlpShapes {
				a, lda, b, ldb, c, ldc := operands[float32](sh.transA, sh.transB, sh.m, sh.n, sh.k)
				a64, _, b64, _, c64, _ := operands[float64](sh.transA, sh.transB, sh.m, sh.n, sh.k)
				allocs := testing.AllocsPerRun(10, func() {
					gemmUsing(im.s, im.d, sh.transA, sh.transB, sh.m, sh.n, sh.k, 1, a, lda, b, ldb, 1, c, ldc)
					gemmUsing(im.s, im.d, sh.transA, sh.transB, sh.m, sh.n, sh.k, 1, a64, lda, b64, ldb, 0, c64, ldc)
				})
				if allocs != 0 {
					t.Errorf("%s: %v allocations per call", sh.name, allocs)
				}
			}
		})
	}
	// And through the exported entry point.
	a, b, c := make([]float32, 100*784), make([]float32, 784*100), make([]float32, 100*100)
	allocs := testing.AllocsPerRun(5, func() {
		Gemm(false, false, 100, 100, 784, 1, a, 784, b, 100, 0, c, 100)
		Gemm(true, false, 784, 100, 100, 1, a, 784, c, 100, 0, b, 100)
	})
	if allocs != 0 {
		t.Errorf("Gemm allocated %v times per call", allocs)
	}
	// The packing buffers survive garbage collections (a sync.Pool would not).
	allocs = testing.AllocsPerRun(3, func() {
		runtime.GC()
		runtime.GC()
		Gemm(false, false, 100, 100, 784, 1, a, 784, b, 100, 0, c, 100)
	})
	if allocs != 0 {
		t.Errorf("Gemm allocated %v times per call after garbage collections", allocs)
	}
}

// TestGemmDeterministic: the same product computed twice, the second time
// after other shapes have dirtied the cached packing buffers and concurrently on
// several goroutines, is bit-identical.
func TestGemmDeterministic(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			im := implFor(t, name)
			for _, sh := range mlpShapes {
				for _, beta := range []float32{0, 1} {
					a, lda, b, ldb, c0, ldc := operands[float32](sh.transA, sh.transB, sh.m, sh.n, sh.k)
					first := append([]float32(nil), c0...)
					im.gemm32(sh.transA, sh.transB, sh.m, sh.n, sh.k, 0.5, a, lda, b, ldb, beta, first, ldc)
					// Dirty the packing buffers with another shape.
					x, _, y, _, z, _ := operands[float32](false, false, 37, 53, 301)
					im.gemm32(false, false, 37, 53, 301, 1, x, 301, y, 53, 0, z, 53)
					var wg sync.WaitGroup
					again := make([][]float32, 4)
					for g := range again {
						again[g] = append([]float32(nil), c0...)
						wg.Go(func() {
							im.gemm32(sh.transA, sh.transB, sh.m, sh.n, sh.k, 0.5, a, lda, b, ldb, beta, again[g], ldc)
						})
					}
					wg.Wait()
					for g := range again {
						for i := range first {
							if math.Float32bits(first[i]) != math.Float32bits(again[g][i]) {
								t.Fatalf("%s β=%g: run %d: C[%d] = %x, first run %x", sh.name, beta, g, i, math.Float32bits(again[g][i]), math.Float32bits(first[i]))
							}
						}
					}
				}
			}
		})
	}
}

// TestRunnerKernelGeneric checks that RUNNER_KERNEL=generic forces the
// portable path (for Gemm and the element-wise functions), in a subprocess of this test binary with the variable set
// (it is read once, at init).
func TestRunnerKernelGeneric(t *testing.T) {
	if os.Getenv("RUNNER_KERNEL") == "generic" {
		if got := gemmImpl(); got != "generic" {
			t.Fatalf("RUNNER_KERNEL=generic: Gemm uses %s", got)
		}
		if got := elemImpl(); got != "generic" || elemD != nil {
			t.Fatalf("RUNNER_KERNEL=generic: the element-wise functions use %s", got)
		}
		return
	}
	if s, d := selectGemm("generic"); s != nil || d != nil {
		t.Fatalf("selectGemm(generic) = %v, %v; want the portable path", s, d)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunnerKernelGeneric$", "-test.v")
	cmd.Env = append(os.Environ(), "RUNNER_KERNEL=generic")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess with RUNNER_KERNEL=generic: %v\n%s", err, out)
	}
	t.Logf("default implementation here: %s (element-wise: %s)", gemmImpl(), elemImpl())
}

func TestSelectGemm(t *testing.T) {
	s, _ := gemmArchs()
	for _, env := range []string{"", "avx2", "avx512", "bogus"} {
		got, _ := selectGemm(env)
		switch {
		case len(s) == 0 && got != nil:
			t.Errorf("RUNNER_KERNEL=%q: %s on a machine without assembly kernels", env, got.name)
		case len(s) > 0 && got == nil:
			t.Errorf("RUNNER_KERNEL=%q: portable path although %s is available", env, s[0].name)
		case len(s) > 0 && (env == "" || env == "bogus") && got != s[0]:
			t.Errorf("RUNNER_KERNEL=%q: %s, want the best, %s", env, got.name, s[0].name)
		case got != nil && (env == "avx2" || env == "avx512") && got.name != env && hasArch(s, env):
			t.Errorf("RUNNER_KERNEL=%q: %s", env, got.name)
		}
	}
}

func hasArch(s []*gemmArch[float32], name string) bool {
	for _, a := range s {
		if a.name == name {
			return true
		}
	}
	return false
}

// BenchmarkGemm times the MLP's products with every implementation the CPU
// has, interleaved by shape, and reports GFLOP/s (2mnk per product).
func BenchmarkGemm(b *testing.B) {
	for _, sh := range mlpShapes {
		for _, name := range gemmImplNames {
			b.Run(fmt.Sprintf("%s/float32/%s", sh.name, name), func(b *testing.B) {
				benchGemm[float32](b, implFor(b, name), sh.transA, sh.transB, sh.m, sh.n, sh.k)
			})
		}
		for _, name := range gemmImplNames {
			b.Run(fmt.Sprintf("%s/float64/%s", sh.name, name), func(b *testing.B) {
				benchGemm[float64](b, implFor(b, name), sh.transA, sh.transB, sh.m, sh.n, sh.k)
			})
		}
	}
}

func benchGemm[T float32 | float64](b *testing.B, im testImpl, transA, transB bool, m, n, k int) {
	a, lda, bm, ldb, c, ldc := operands[T](transA, transB, m, n, k)
	b.ReportAllocs()
	for b.Loop() {
		gemmUsing(im.s, im.d, transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, ldc)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
