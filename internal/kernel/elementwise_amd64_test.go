//go:build !purego

package kernel

import (
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// modernOps are the fields of elemArch that the avx512 set takes from the
// avx2 set, as their AVX-512 forms are not generated (elementwise_amd64.go).
var modernOps = []string{"adamWStep", "amsGradStep", "nAdamStep", "adamMomentStep",
	"lionStep", "sfSGDStep", "sfAdamWStep", "lerp"}

// TestElemAVX512ModernIsAVX2 checks that the avx512 element-wise set runs
// the updates of update_modern.go with the AVX2 kernels, and every other
// kernel with its own AVX-512 form (which TestElementwiseBitIdentical/avx512
// then tests on an AVX-512 machine). It only inspects the tables, so it runs
// on any amd64 machine.
func TestElemAVX512ModernIsAVX2(t *testing.T) {
	checkModernFromAVX2(t, elemS512, elemS2)
	checkModernFromAVX2(t, elemD512, elemD2)
}

func checkModernFromAVX2[E float32 | float64](t *testing.T, a512, a2 *elemArch[E]) {
	t.Helper()
	v512, v2 := reflect.ValueOf(a512).Elem(), reflect.ValueOf(a2).Elem()
	seen := 0
	for i := range v512.NumField() {
		field := v512.Type().Field(i).Name
		if v512.Field(i).Kind() != reflect.Func {
			continue
		}
		modern := slices.Contains(modernOps, field)
		if modern {
			seen++
		}
		if v512.Field(i).IsNil() || v2.Field(i).IsNil() {
			t.Errorf("%T %s: nil kernel", E(0), field)
			continue
		}
		p512, p2 := v512.Field(i).Pointer(), v2.Field(i).Pointer()
		name := runtime.FuncForPC(p512).Name()
		if modern {
			if p512 != p2 || !strings.HasSuffix(name, "AVX2") {
				t.Errorf("%T %s: avx512 runs %s, want avx2's %s", E(0), field, name, runtime.FuncForPC(p2).Name())
			}
		} else if !strings.HasSuffix(name, "AVX512") {
			t.Errorf("%T %s: avx512 runs %s, want an AVX-512 kernel", E(0), field, name)
		}
	}
	if seen != len(modernOps) {
		t.Errorf("%T: %d of the %d fields in modernOps found in elemArch", E(0), seen, len(modernOps))
	}
}

// TestElemAVX512ModernBitIdentical runs the bit-identity test on the AVX2
// kernels as the avx512 set calls them: the set's modern kernels (AVX2
// ones, by TestElemAVX512ModernIsAVX2) on its vector prefix, a multiple of
// 16 (float32) or 8 (float64) elements. The other kernels are avx2's, so
// this runs on any CPU with AVX2.
func TestElemAVX512ModernBitIdentical(t *testing.T) {
	useElem(t, "avx2")
	elemS, elemD = withModern(elemS, elemS512), withModern(elemD, elemD512)
	checkBitIdentical[float32](t)
	checkBitIdentical[float64](t)
}

// withModern returns a copy of base with the vector width and the modern
// kernels (modernOps) of from.
func withModern[E float32 | float64](base, from *elemArch[E]) *elemArch[E] {
	a := *base
	a.name, a.lanes = from.name, from.lanes
	a.adamWStep, a.amsGradStep, a.nAdamStep, a.adamMomentStep = from.adamWStep, from.amsGradStep, from.nAdamStep, from.adamMomentStep
	a.lionStep, a.sfSGDStep, a.sfAdamWStep, a.lerp = from.lionStep, from.sfSGDStep, from.sfAdamWStep, from.lerp
	return &a
}
