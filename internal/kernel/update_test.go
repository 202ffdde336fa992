package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// elemLengths are the slice lengths of the bit-identity tests: empty, shorter
// than a vector, around one and two vectors of either width, and the MLP's
// sizes (a 100×100 activation, the 784×100 weights).
var elemLengths = []int{0, 1, 7, 15, 16, 17, 31, 33, 1000, 10000, 78400}

// useElem makes the element-wise functions use the named implementation
// until the test ends, skipping the test when this CPU (or build) lacks it.
func useElem(tb testing.TB, name string) {
	tb.Helper()
	s, d := (*elemArch[float32])(nil), (*elemArch[float64])(nil)
	if name != "generic" {
		ss, dd := elemArchs()
		for i := range ss {
			if ss[i].name == name {
				s, d = ss[i], dd[i]
			}
		}
		if s == nil {
			tb.Skipf("%s: not supported by this CPU or build", name)
		}
	}
	oldS, oldD := elemS, elemD
	elemS, elemD = s, d
	tb.Cleanup(func() { elemS, elemD = oldS, oldD })
}

// elemCase is one element-wise function: run applies the exported function
// (whatever implementation is selected) and ref the portable loop to the
// same operands; ops[0] is the output (or the parameters) and the other
// slices are inputs or state, all of length n. Every operand, updated or
// not, is compared afterwards.
type elemCase[T Float] struct {
	name     string
	operands int
	// positive lists the operands that must be ≥ 0 (squared-gradient
	// accumulators), so the square roots are of real numbers.
	positive []int
	run, ref func(ops [][]T, s []T)
}

func elemCases[T Float]() []elemCase[T] {
	return []elemCase[T]{
		{"ReLU", 2, nil,
			func(o [][]T, s []T) { ReLU(o[0], o[1]) },
			func(o [][]T, s []T) { reluGo(o[0], o[1]) }},
		{"ReLUBackward", 3, nil,
			func(o [][]T, s []T) { ReLUBackward(o[0], o[1], o[2]) },
			func(o [][]T, s []T) { reluBackwardGo(o[0], o[1], o[2]) }},
		{"SGDStep", 2, nil,
			func(o [][]T, s []T) { SGDStep(o[0], o[1], s[0]) },
			func(o [][]T, s []T) { sgdStepGo(o[0], o[1], s[0]) }},
		{"MomentumStep", 3, nil,
			func(o [][]T, s []T) { MomentumStep(o[0], o[1], o[2], s[0], s[1]) },
			func(o [][]T, s []T) { momentumStepGo(o[0], o[1], o[2], s[0], s[1]) }},
		{"NesterovStep", 3, nil,
			func(o [][]T, s []T) { NesterovStep(o[0], o[1], o[2], s[0], s[1], s[2], s[3]) },
			func(o [][]T, s []T) { nesterovStepGo(o[0], o[1], o[2], s[0], s[1], s[2], s[3]) }},
		{"AdaGradStep", 3, []int{2},
			func(o [][]T, s []T) { AdaGradStep(o[0], o[1], o[2], s[0], s[1]) },
			func(o [][]T, s []T) { adaGradStepGo(o[0], o[1], o[2], s[0], s[1]) }},
		{"RMSpropStep", 3, []int{2},
			func(o [][]T, s []T) { RMSpropStep(o[0], o[1], o[2], s[0], s[1], s[2], s[3]) },
			func(o [][]T, s []T) { rmspropStepGo(o[0], o[1], o[2], s[0], s[1], s[2], s[3]) }},
		{"AdamStep", 4, []int{3},
			func(o [][]T, s []T) { AdamStep(o[0], o[1], o[2], o[3], s[0], s[1], s[2], s[3]) },
			func(o [][]T, s []T) { adamStepGo(o[0], o[1], o[2], o[3], s[0], s[1], s[2], s[3]) }},
		// The later optimizers (update_modern.go), with s[4] a decay near
		// 1, s[5] in [0, 1) and s[6] a negative step coefficient.
		{"AdamWStep", 4, []int{3},
			func(o [][]T, s []T) { AdamWStep(o[0], o[1], o[2], o[3], s[4], s[0], s[1], s[2], s[3]) },
			func(o [][]T, s []T) { adamWStepGo(o[0], o[1], o[2], o[3], s[4], s[0], s[1], s[2], s[3]) }},
		{"AMSGradStep", 5, []int{3, 4},
			func(o [][]T, s []T) { AMSGradStep(o[0], o[1], o[2], o[3], o[4], s[4], s[0], s[1], s[2], s[3]) },
			func(o [][]T, s []T) { amsGradStepGo(o[0], o[1], o[2], o[3], o[4], s[4], s[0], s[1], s[2], s[3]) }},
		{"NAdamStep", 4, []int{3},
			func(o [][]T, s []T) { NAdamStep(o[0], o[1], o[2], o[3], s[1], s[2], s[0], s[5], s[3]) },
			func(o [][]T, s []T) { nAdamStepGo(o[0], o[1], o[2], o[3], s[1], s[2], s[0], s[5], s[3]) }},
		{"AdamMomentStep", 4, []int{3},
			func(o [][]T, s []T) { AdamMomentStep(o[0], o[1], o[2], o[3], s[0], s[1], s[2]) },
			func(o [][]T, s []T) { adamMomentStepGo(o[0], o[1], o[2], o[3], s[0], s[1], s[2]) }},
		{"LionStep", 3, nil,
			func(o [][]T, s []T) { LionStep(o[0], o[1], o[2], s[4], s[0], s[1], 1-s[1], s[2], 1-s[2]) },
			func(o [][]T, s []T) { lionStepGo(o[0], o[1], o[2], s[4], s[0], s[1], 1-s[1], s[2], 1-s[2]) }},
		{"ScheduleFreeSGDStep", 3, nil,
			func(o [][]T, s []T) { ScheduleFreeSGDStep(o[0], o[1], o[2], s[5], s[1], s[6], s[0]) },
			func(o [][]T, s []T) { sfSGDStepGo(o[0], o[1], o[2], s[5], s[1], s[6], s[0]) }},
		{"ScheduleFreeAdamWStep", 4, []int{3},
			func(o [][]T, s []T) {
				ScheduleFreeAdamWStep(o[0], o[1], o[2], o[3], s[2], s[3], s[5], s[1], s[6], s[0])
			},
			func(o [][]T, s []T) { sfAdamWStepGo(o[0], o[1], o[2], o[3], s[2], s[3], s[5], s[1], s[6], s[0]) }},
		{"Lerp", 2, nil,
			func(o [][]T, s []T) { Lerp(o[0], o[1], s[6]) },
			func(o [][]T, s []T) { lerpGo(o[0], o[1], s[6]) }},
	}
}

// TestElementwiseBitIdentical checks that every implementation gives the
// same bits as the portable loops, on random operands of every length in
// elemLengths, starting at an aligned and at an odd offset, over several
// steps (so the optimizer state evolves), with random scalars of the sizes
// training uses.
func TestElementwiseBitIdentical(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			useElem(t, name)
			checkBitIdentical[float32](t)
			checkBitIdentical[float64](t)
		})
	}
}

func checkBitIdentical[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, uint64(len(elemLengths))))
	for _, c := range elemCases[T]() {
		for _, n := range elemLengths {
			for _, offset := range []int{0, 1} {
				got, want := make([][]T, c.operands), make([][]T, c.operands)
				for j := range got {
					buf := make([]T, n+offset)
					fill(rng, buf, slices.Contains(c.positive, j))
					got[j] = buf[offset:]
					want[j] = slices.Clone(got[j])
				}
				for step := 0; step < 3; step++ {
					s := []T{
						T(math.Exp(-6 * rng.Float64())),    // a learning rate in (0.0025, 1]
						T(rng.Float64()), T(rng.Float64()), // decays, in [0, 1)
						T(1e-7),
						T(1 - 0.1*rng.Float64()), // a weight decay factor
						T(rng.Float64()),
						T(-rng.Float64()),
					}
					c.run(got, s)
					c.ref(want, s)
					for j := range got {
						if i, ok := sameBits(got[j], want[j]); !ok {
							t.Fatalf("%s %T n=%d offset %d step %d: operand %d differs at %d: %v, portable %v",
								c.name, got[j][0], n, offset, step, j, i, got[j][i], want[j][i])
						}
					}
				}
			}
		}
	}
}

// fill sets x to normal deviates, with one in eight an exact zero (of either
// sign) and one in sixteen subnormal; their absolute values if positive.
func fill[T Float](rng *rand.Rand, x []T, positive bool) {
	for i := range x {
		v := T(rng.NormFloat64())
		switch rng.IntN(16) {
		case 0:
			v = 0
		case 1:
			v = T(math.Copysign(0, -1))
		case 2:
			v *= T(smallest[T]())
		}
		if positive {
			v = T(math.Abs(float64(v)))
		}
		x[i] = v
	}
}

// smallest is the smallest positive normal number of T.
func smallest[T Float]() float64 {
	if is32[T]() {
		return 0x1p-126
	}
	return 0x1p-1022
}

// sameBits reports whether a and b hold the same bits, and where they first
// differ if not.
func sameBits[T Float](a, b []T) (int, bool) {
	for i := range a {
		if bitsOf(a[i]) != bitsOf(b[i]) {
			return i, false
		}
	}
	return 0, true
}

func bitsOf[T Float](v T) uint64 {
	if is32[T]() {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(float64(v))
}

// TestReLUSpecialValues checks ReLU and ReLUBackward against the definition
// (x > 0 ? x : +0) on every kind of value, in every implementation, at
// positions handled by the vector kernels and by the portable tail.
func TestReLUSpecialValues(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			useElem(t, name)
			checkReLUSpecial[float32](t)
			checkReLUSpecial[float64](t)
		})
	}
}

func checkReLUSpecial[T Float](t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	special := []float64{0, math.Copysign(0, -1), 1, -1, inf, -inf, nan, -nan, math.Copysign(nan, -1),
		smallest[T](), -smallest[T](), smallest[T]() / 4, -smallest[T]() / 4, math.MaxFloat32, -math.MaxFloat32}
	var x, dy []T
	for len(x) < 67 { // several vectors and a tail
		for _, v := range special {
			x = append(x, T(v))
			dy = append(dy, T(float64(len(dy))-30.5))
		}
	}
	y, dx := make([]T, len(x)), make([]T, len(x))
	ReLU(y, x)
	ReLUBackward(dx, dy, x)
	for i, v := range x {
		wantY, wantDx := T(0), T(0)
		if v > 0 {
			wantY, wantDx = v, dy[i]
		}
		if bitsOf(y[i]) != bitsOf(wantY) {
			t.Errorf("%T: ReLU(%v) = %v (%#x)", v, v, y[i], bitsOf(y[i]))
		}
		if bitsOf(dx[i]) != bitsOf(wantDx) {
			t.Errorf("%T: ReLUBackward(dy=%v, y=%v) = %v (%#x)", v, dy[i], v, dx[i], bitsOf(dx[i]))
		}
	}
}

// TestLionSignSpecialValues checks LionStep's sign against its definition
// (1 for c > 0, −1 for c < 0, +0 for ±0, NaN for NaN) on every kind of
// value, in every implementation, at positions handled by the vector
// kernels and by the portable tail: with w = 1, decay = 1, lr = 1, β1 = 1
// and g = 0, c = m + 0 and W becomes 1 − sign(m).
func TestLionSignSpecialValues(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			useElem(t, name)
			checkLionSpecial[float32](t)
			checkLionSpecial[float64](t)
		})
	}
}

func checkLionSpecial[T Float](t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	special := []float64{0, math.Copysign(0, -1), 1, -1, inf, -inf, nan, math.Copysign(nan, -1),
		smallest[T](), -smallest[T](), smallest[T]() / 4, -smallest[T]() / 4, math.MaxFloat32, -math.MaxFloat32, 1e-30, -3}
	var m []T
	for len(m) < 67 { // several vectors and a tail
		for _, v := range special {
			m = append(m, T(v))
		}
	}
	w, g := make([]T, len(m)), make([]T, len(m))
	for i := range w {
		w[i] = 1
	}
	m0 := slices.Clone(m)
	LionStep(w, g, m, 1, 1, 1, 0, 0.5, 0.5)
	for i, v := range m0 {
		var want float64
		switch {
		case v > 0:
			want = 0
		case v < 0:
			want = 2
		case v == 0:
			want = 1
		default:
			want = nan
		}
		if math.IsNaN(want) != math.IsNaN(float64(w[i])) || !math.IsNaN(want) && float64(w[i]) != want {
			t.Errorf("%T: c = %v: W = %v, want 1 − sign(c) = %v", v, v, w[i], want)
		}
	}
}

// TestSelectElem checks that RUNNER_KERNEL picks the element-wise kernels
// of the same name as the GEMM kernels.
func TestSelectElem(t *testing.T) {
	for _, env := range []string{"", "generic", "avx2", "avx512", "bogus"} {
		s, _ := selectElem(env)
		g, _ := selectGemm(env)
		sName, gName := "generic", "generic"
		if s != nil {
			sName = s.name
		}
		if g != nil {
			gName = g.name
		}
		if sName != gName {
			t.Errorf("RUNNER_KERNEL=%q: element-wise %s, GEMM %s", env, sName, gName)
		}
	}
}

// BenchmarkElementwise times the element-wise functions on the MLP's sizes
// with every implementation the CPU has, in GB/s of operands read and
// written.
func BenchmarkElementwise(b *testing.B) {
	for _, n := range []int{10000, 78400} {
		for _, c := range elemCases[float32]() {
			for _, name := range gemmImplNames {
				b.Run(fmt.Sprintf("%s/%d/float32/%s", c.name, n, name), func(b *testing.B) {
					useElem(b, name)
					rng := rand.New(rand.NewPCG(1, 2))
					ops := make([][]float32, c.operands)
					for j := range ops {
						ops[j] = make([]float32, n)
						fill(rng, ops[j], slices.Contains(c.positive, j))
					}
					// Scalars that keep the state bounded over many steps.
					s := []float32{1e-3, 0.9, 0.01, 1e-7, 0.9999, 0.5, -1e-3}
					b.SetBytes(int64(4 * n * (2*c.operands - 1)))
					b.ReportAllocs()
					for b.Loop() {
						c.run(ops, s)
					}
				})
			}
		}
	}
}
