package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestColSumsBitIdentical checks ColSums in every implementation against
// the portable loop (row by row from +0) on shapes around the vector widths
// and the MLP's, with special values among the entries.
func TestColSumsBitIdentical(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			useElem(t, name)
			checkColSums[float32](t)
			checkColSums[float64](t)
		})
	}
}

func checkColSums[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, rows := range []int{0, 1, 2, 7, 100, 1000} {
		for _, cols := range []int{1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 784} {
			src := make([]T, rows*cols+1)
			fill(rng, src, false)
			got, want := make([]T, cols), make([]T, cols)
			fill(rng, got, false) // overwritten, not added to
			ColSums(got, src, rows)
			colSumsGo(want, src, rows, cols)
			if i, ok := sameBits(got, want); !ok {
				t.Fatalf("%T rows=%d cols=%d: column %d is %v, portable %v", got[0], rows, cols, i, got[i], want[i])
			}
			if allocs := testing.AllocsPerRun(5, func() { ColSums(got, src, rows) }); allocs != 0 {
				t.Errorf("ColSums allocates %v times per call", allocs)
			}
		}
	}
}

// TestUnitBytes checks that UnitBytes gives T(b)/T(255) exactly, for every
// byte, in every implementation, at positions handled by the vector kernels
// and by the portable tail.
func TestUnitBytes(t *testing.T) {
	for _, name := range gemmImplNames {
		t.Run(name, func(t *testing.T) {
			useElem(t, name)
			checkUnitBytes[float32](t)
			checkUnitBytes[float64](t)
		})
	}
}

func checkUnitBytes[T Float](t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 255, 256, 257, 784, 1000} {
		for _, offset := range []int{0, 1} {
			src := make([]byte, n+offset)
			for i := range src {
				src[i] = byte(i*7 + offset)
			}
			src = src[offset:]
			dst := make([]T, n)
			UnitBytes(dst, src)
			for i, b := range src {
				if want := T(b) / T(255); bitsOf(dst[i]) != bitsOf(want) {
					t.Fatalf("%T n=%d offset %d: byte %d at %d gives %v, want %v", dst[0], n, offset, b, i, dst[i], want)
				}
			}
		}
	}
}

func BenchmarkColSums(b *testing.B) {
	for _, name := range gemmImplNames {
		b.Run(fmt.Sprintf("100x100/float32/%s", name), func(b *testing.B) {
			useElem(b, name)
			src, dst := make([]float32, 100*100), make([]float32, 100)
			fill(rand.New(rand.NewPCG(1, 2)), src, false)
			for b.Loop() {
				ColSums(dst, src, 100)
			}
		})
	}
}

func BenchmarkUnitBytes(b *testing.B) {
	for _, name := range gemmImplNames {
		b.Run(fmt.Sprintf("784/float32/%s", name), func(b *testing.B) { benchUnitBytes[float32](b, name) })
		b.Run(fmt.Sprintf("784/float64/%s", name), func(b *testing.B) { benchUnitBytes[float64](b, name) })
	}
}

func benchUnitBytes[T Float](b *testing.B, name string) {
	useElem(b, name)
	src, dst := make([]byte, 784), make([]T, 784)
	for i := range src {
		src[i] = byte(i)
	}
	b.SetBytes(784)
	for b.Loop() {
		UnitBytes(dst, src)
	}
}
