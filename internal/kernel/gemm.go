package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmTileRows and gemmTileCols bound the block of C handed to gonum in one
// call. gonum's Sgemm/Dgemm go parallel (goroutines, channels: allocations
// and a second thread) once C spans four or more 64×64 blocks; tiles of
// 64×192 stay below that, so every product runs serially on the calling
// goroutine, allocates nothing, and sums each element of C in one fixed order.
const (
	gemmTileRows = 64
	gemmTileCols = 192
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or its transpose. op(A) is m×k, op(B) is k×n and C is m×n; lda,
// ldb and ldc are the row strides of A, B and C as stored. It runs on the
// calling goroutine and allocates nothing (after the first calls on a
// goroutine, which warm a cache of packing buffers).
//
// float32 and float64 products use the fastest implementation the CPU has
// (see gemmS): a blocked product with AVX-512 or AVX2+FMA micro-kernels on
// amd64, else gonum on serial tiles. The result is deterministic: the same
// inputs give bit-identical C on every call, on any goroutine. Different
// implementations sum in different orders and may differ in the last bits.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemmUsing(gemmS, gemmD, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmUsing is Gemm with the blocked implementations given (nil: portable).
func gemmUsing[T Float](s *gemmArch[float32], d *gemmArch[float64], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if k > 0 {
		switch av := any(a).(type) {
		case []float32:
			if arch := s; arch != nil {
				buf := packCache32.get()
				gemmBlocked(arch, buf, transA, transB, m, n, k, float32(alpha), av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
				packCache32.put(buf)
				return
			}
		case []float64:
			if arch := d; arch != nil {
				buf := packCache64.get()
				gemmBlocked(arch, buf, transA, transB, m, n, k, float64(alpha), av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
				packCache64.put(buf)
				return
			}
		}
	}
	gemmGeneric(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemm panics unless the strides and lengths describe matrices of the
// given shape: the assembly kernels do no bounds checks of their own.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch {
	case m < 0 || n < 0 || k < 0:
		panic("kernel: Gemm: negative dimension")
	case lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n):
		panic("kernel: Gemm: stride shorter than a row")
	case ar > 0 && ac > 0 && la < (ar-1)*lda+ac:
		panic("kernel: Gemm: A too short")
	case br > 0 && bc > 0 && lb < (br-1)*ldb+bc:
		panic("kernel: Gemm: B too short")
	case lc < (m-1)*ldc+n:
		panic("kernel: Gemm: C too short")
	}
}

// gemmGeneric is the portable path: gonum's Sgemm/Dgemm on tiles of C, or
// gemmRef for named float types.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	for i := 0; i < m; i += gemmTileRows {
		mi := min(gemmTileRows, m-i)
		// Rows i.. of op(A): rows of A, or columns of A when transposed.
		aOff := i * lda
		if transA {
			aOff = i
		}
		for j := 0; j < n; j += gemmTileCols {
			nj := min(gemmTileCols, n-j)
			// Columns j.. of op(B): columns of B, or rows of B when transposed.
			bOff := j
			if transB {
				bOff = j * ldb
			}
			cs := c[i*ldc+j:]
			switch av := any(a).(type) {
			case []float32:
				gonum.Implementation{}.Sgemm(tA, tB, mi, nj, k, float32(alpha), av[aOff:], lda, any(b).([]float32)[bOff:], ldb, float32(beta), any(cs).([]float32), ldc)
			case []float64:
				gonum.Implementation{}.Dgemm(tA, tB, mi, nj, k, float64(alpha), av[aOff:], lda, any(b).([]float64)[bOff:], ldb, float64(beta), any(cs).([]float64), ldc)
			default:
				gemmRef(transA, transB, mi, nj, k, alpha, a[aOff:], lda, b[bOff:], ldb, beta, cs, ldc)
			}
		}
	}
}

// gemmRef is the straightforward triple loop: the reference every faster
// product is checked against, and the path for named float types.
func gemmRef[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
