package kernel

import (
	"sync"
	"unsafe"
)

// microKernel computes one mr×nr tile of C = alpha·A·B + beta·C from an
// mr×kc panel of A, whose element (r, p) is at a[r·rs + p·ps] (packed:
// rs = 1, ps = mr), and a kc×nr panel of B whose step p is the nr elements
// at b[p·ldb] (packed: ldb = nr; in place: B's row stride); c points at the
// tile's top-left element and ldc is C's row stride. With
// loadC == 0 it writes C without reading it. The assembly kernels
// (gemm_amd64.s) have this signature.
type microKernel[T float32 | float64] func(kc int, a *T, rs, ps int, b *T, ldb int, c *T, ldc int, alpha, beta T, loadC int)

// gemmArch is one implementation of the blocked product: a register tile of
// mr×nr, a kernel for full-width panels, one for panels half as wide (the
// last panel of C when at most nr/2 columns remain, e.g. n = 10) and,
// optionally, one for panels a quarter as wide (at most nr/4 columns left,
// e.g. n = 100 with nr = 32).
type gemmArch[T float32 | float64] struct {
	name    string
	mr, nr  int
	full    microKernel[T]
	half    microKernel[T]
	quarter microKernel[T] // nil: the half kernel serves
}

// minPanel returns the narrowest panel width arch has a kernel for.
func (arch *gemmArch[T]) minPanel() int {
	if arch.quarter != nil {
		return arch.nr / 4
	}
	return arch.nr / 2
}

// panelWidth returns the width of the panel that covers the next rem
// columns: the narrowest of nr, nr/2, … (down to minW) that holds them all,
// else nr. gemmBlocked and packB agree on it.
func panelWidth(nr, minW, rem int) int {
	w := nr
	for w/2 >= minW && rem <= w/2 {
		w /= 2
	}
	return w
}

// kernelFor returns the kernel for panels of width w (from panelWidth).
func (arch *gemmArch[T]) kernelFor(w int) microKernel[T] {
	switch w {
	case arch.nr:
		return arch.full
	case arch.nr / 2:
		return arch.half
	}
	return arch.quarter
}

// Cache blocking. A kc×nc block of op(B) and an mc×kc block of op(A) are
// packed at a time; the kernel streams an mr×kc panel of A past a kc×nr panel
// of B (kc·nr·4 bytes = 32 KiB for float32 with nr = 32, in L1). The blocks
// are split evenly (so k = 784 becomes 3 blocks of 262, not 256+256+256+16),
// which depends only on the shape: the summation order is fixed for a shape.
const (
	gemmKC = 256
	gemmMC = 256
	gemmNC = 2048
)

// packBuf holds the packed blocks and the edge tile of one call.
type packBuf[T float32 | float64] struct {
	a, b, tile []T
	raw        [3][]T
}

// packCache is a free list of packing buffers: a call takes one for its
// duration, so concurrent calls never share one. Unlike a sync.Pool it is
// not emptied by the garbage collector, so a warm process never allocates:
// it holds as many buffers as calls have ever run at once, each as large as
// the largest product it served (at most about 2.5 MB, see gemmMC and co.).
type packCache[T float32 | float64] struct {
	mu   sync.Mutex
	free []*packBuf[T]
}

var (
	packCache32 packCache[float32]
	packCache64 packCache[float64]
)

func (p *packCache[T]) get() *packBuf[T] {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		buf := p.free[n-1]
		p.free = p.free[:n-1]
		return buf
	}
	return new(packBuf[T])
}

func (p *packCache[T]) put(buf *packBuf[T]) {
	p.mu.Lock()
	p.free = append(p.free, buf)
	p.mu.Unlock()
}

// grow returns a 64-byte-aligned slice of length n backed by *raw, growing it if needed.
func grow[T float32 | float64](raw *[]T, n int) []T {
	var z T
	pad := 64 / int(unsafe.Sizeof(z))
	if cap(*raw) < n+pad {
		*raw = make([]T, n+pad)
	}
	r := (*raw)[:cap(*raw)]
	off := int(uintptr(unsafe.Pointer(&r[0]))&63) / int(unsafe.Sizeof(z))
	if off != 0 {
		off = pad - off
	}
	return r[off : off+n]
}

// split divides total into the fewest blocks of at most max, of equal size
// rounded up to a multiple of unit, and returns that size.
func split(total, max, unit int) int {
	nb := (total + max - 1) / max
	s := (total + nb - 1) / nb
	return (s + unit - 1) / unit * unit
}

// packAInPlace tells gemmBlocked to read full mr-row panels of A in place,
// with strides (lda, 1), or (1, lda) when A is transposed, rather than
// packing them: the kernel's broadcasts then read mr sequential streams (or
// one strided one), which measured faster than packing first (the forward
// pass's x·W packed, transposing, all of x on every step; dW = xᵀ·dout copied
// x in runs of mr elements). Only the last panel, if it has fewer than mr
// rows, is packed (with zero rows). The summation order is the same either
// way, so the result is too.
const packAInPlace = true

// packBInPlace does the same for B when it is not transposed: every panel
// of full width is read by the kernel in place, with B's row stride, and
// only a last panel narrower than its kernel is packed (with zero columns).
// The forward pass's x·W and dW = xᵀ·dout then copy nothing: the copies,
// one short run per step of k, cost more than the strided loads do.
const packBInPlace = true

// gemmBlocked computes C = alpha·op(A)·op(B) + beta·C with the micro-kernels
// of arch. Requires m, n, k > 0 and slices long enough (checked by Gemm).
func gemmBlocked[T float32 | float64](arch *gemmArch[T], buf *packBuf[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr, minW := arch.mr, arch.nr, arch.minPanel()
	inPlace := packAInPlace
	bInPlace := packBInPlace && !transB
	kcStep := split(k, gemmKC, 1)
	mcStep := split(m, gemmMC, mr)
	ncStep := split(n, gemmNC, nr)
	buf.a = grow(&buf.raw[0], mcStep*kcStep)
	buf.b = grow(&buf.raw[1], kcStep*ncStep)
	buf.tile = grow(&buf.raw[2], mr*nr)
	tile := buf.tile
	for jc := 0; jc < n; jc += ncStep {
		nc := min(ncStep, n-jc)
		for pc := 0; pc < k; pc += kcStep {
			kc := min(kcStep, k-pc)
			// The first k block applies beta; later ones accumulate onto C.
			bet, loadC := beta, 1
			if pc > 0 {
				bet = 1
			} else if beta == 0 {
				loadC = 0
			}
			packB(buf.b, transB, bInPlace, b, ldb, pc, jc, kc, nc, nr, minW)
			for ic := 0; ic < m; ic += mcStep {
				mc := min(mcStep, m-ic)
				// Panels before full are read in place, the rest packed.
				full := 0
				if inPlace {
					full = mc / mr * mr
				}
				if full < mc {
					packA(buf.a[full*kc:], transA, a, lda, ic+full, pc, mc-full, kc, mr)
				}
				for jr := 0; jr < nc; {
					w := panelWidth(nr, minW, nc-jr)
					kern := arch.kernelFor(w)
					nw := min(w, nc-jr)
					bp, bs := &buf.b[jr*kc], w
					if bInPlace && nw == w {
						bp, bs = &b[pc*ldb+jc+jr], ldb
					}
					for ir := 0; ir < mc; ir += mr {
						mw := min(mr, mc-ir)
						ap, rs, ps := &buf.a[ir*kc], 1, mr
						if ir < full {
							if transA {
								ap, rs, ps = &a[pc*lda+ic+ir], 1, lda
							} else {
								ap, rs, ps = &a[(ic+ir)*lda+pc], lda, 1
							}
						}
						co := (ic+ir)*ldc + jc + jr
						if mw == mr && nw == w {
							kern(kc, ap, rs, ps, bp, bs, &c[co], ldc, alpha, bet, loadC)
							continue
						}
						// Edge tile: run the full kernel on a copy and
						// write back only the valid part.
						if loadC != 0 {
							for i := 0; i < mw; i++ {
								copy(tile[i*w:i*w+nw], c[co+i*ldc:co+i*ldc+nw])
							}
						}
						kern(kc, ap, rs, ps, bp, bs, &tile[0], w, alpha, bet, loadC)
						for i := 0; i < mw; i++ {
							copy(c[co+i*ldc:co+i*ldc+nw], tile[i*w:i*w+nw])
						}
					}
					jr += w
				}
			}
		}
	}
}

// packA copies the mc×kc block of op(A) at (ic, pc) into dst as panels of mr
// rows: panel q holds, for each p, the mr elements op(A)[ic+q·mr+r, pc+p],
// with rows past mc zero.
func packA[T float32 | float64](dst []T, trans bool, a []T, lda, ic, pc, mc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		mw := min(mr, mc-ir)
		d := dst[ir*kc : ir*kc+mr*kc]
		if trans {
			// op(A)[i, p] = a[p·lda + i]: each step is a contiguous run.
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+ir:]
				dp := d[p*mr : p*mr+mr]
				copy(dp, src[:mw])
				clear(dp[mw:])
			}
			continue
		}
		// op(A)[i, p] = a[i·lda + p]: transpose mw rows.
		if mw < mr {
			clear(d)
		}
		transpose(d, mr, a[(ic+ir)*lda+pc:], lda, mw, kc)
	}
}

// transpose writes rows×cols of src (row stride lds) into dst transposed,
// with row stride ldd: dst[p·ldd + r] = src[r·lds + p]. Four rows at a time,
// so that each step of p writes four adjacent elements.
func transpose[T float32 | float64](dst []T, ldd int, src []T, lds, rows, cols int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0 := src[r*lds : r*lds+cols]
		s1 := src[(r+1)*lds : (r+1)*lds+cols]
		s2 := src[(r+2)*lds : (r+2)*lds+cols]
		s3 := src[(r+3)*lds : (r+3)*lds+cols]
		d := dst[r:]
		for p := range s0 {
			q := d[p*ldd : p*ldd+4]
			q[0], q[1], q[2], q[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; r < rows; r++ {
		s0 := src[r*lds : r*lds+cols]
		d := dst[r:]
		for p, v := range s0 {
			d[p*ldd] = v
		}
	}
}

// packB copies the kc×nc block of op(B) at (pc, jc) into dst as panels of nr
// columns (the last one narrower when it fits, see panelWidth): the panel at
// column jr holds, for each p, its w elements op(B)[pc+p, jc+jr+j], with
// columns past nc zero. With skipFull (B not transposed) it leaves out the
// panels of full width, which the kernels read in place.
func packB[T float32 | float64](dst []T, trans, skipFull bool, b []T, ldb, pc, jc, kc, nc, nr, minW int) {
	for jr := 0; jr < nc; {
		w := panelWidth(nr, minW, nc-jr)
		nw := min(w, nc-jr)
		d := dst[jr*kc : jr*kc+w*kc]
		if !trans && skipFull && nw == w {
			// Read in place.
		} else if !trans {
			// op(B)[p, j] = b[p·ldb + j]: each step is a contiguous run.
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+jr:]
				dp := d[p*w : p*w+w]
				copy(dp, src[:nw])
				clear(dp[nw:])
			}
		} else {
			// op(B)[p, j] = b[j·ldb + p]: transpose nw rows of B.
			if nw < w {
				clear(d)
			}
			transpose(d, w, b[(jc+jr)*ldb+pc:], ldb, nw, kc)
		}
		jr += w
	}
}
