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
// calling goroutine and allocates nothing.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
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
