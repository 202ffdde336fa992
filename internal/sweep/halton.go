package sweep

import (
	"math"
	"math/rand/v2"
)

// haltonStream is the second half of the seed of the PCG that scrambles a
// Halton search's digits: "halton" in ASCII.
const haltonStream = 0x68616c746f6e

// haltonDrawer gives the trials of a Halton search: trial i takes point i
// of the scrambled Halton sequence (counted from 0), whose coordinate j is
// the radical inverse of i in the j-th prime base b with every digit
// position k mapped through its own permutation π_{j,k} of 0 … b−1:
//
//	x_j(i) = Σ_k π_{j,k}(d_k(i)) · b^−(k+1),   i = Σ_k d_k(i) · b^k
//
// summed over every digit position that changes x_j in float64, the
// leading zeros of i included (Owen's randomized Halton sequence, "A
// randomized Halton algorithm in R", arXiv:1706.02808, as gonum's
// samplemv.Halton implements it). The permutations are drawn, dimension
// by dimension and digit by digit, by Fisher–Yates shuffles from a PCG
// seeded with the sweep's seed and haltonStream, so the points depend on
// the seed alone. A trial's draws take the coordinates in order: its
// first draw coordinate 0, its second coordinate 1, and so on, an index
// in [0, n) being ⌊n·x⌋. The points fill the unit cube more evenly than
// random draws: their discrepancy falls about as (log N)^d / N rather than
// as N^−½.
type haltonDrawer struct {
	perm  *pcgDrawer
	perms [][][]int // perms[j][k]: the permutation of dimension j's digit k
	point int       // the trial's point, -1 before the first
	dim   int       // the next coordinate to hand out
}

func newHaltonDrawer(seed int64) *haltonDrawer {
	return &haltonDrawer{perm: &pcgDrawer{rand.NewPCG(uint64(seed), haltonStream)}, point: -1}
}

func (h *haltonDrawer) nextTrial() { h.point, h.dim = h.point+1, 0 }

func (h *haltonDrawer) unit(string) float64 {
	x := h.coordinate(h.point, h.dim)
	h.dim++
	return x
}

func (h *haltonDrawer) index(path string, n uint64) uint64 {
	return min(uint64(h.unit(path)*float64(n)), n-1)
}

// coordinate returns coordinate j of point i.
func (h *haltonDrawer) coordinate(i, j int) float64 {
	for len(h.perms) <= j {
		h.perms = append(h.perms, h.digitPerms(nthPrime(len(h.perms))))
	}
	b := nthPrime(j)
	x, scale := 0.0, 1/float64(b)
	for _, p := range h.perms[j] {
		x += float64(p[i%b]) * scale
		i /= b
		scale /= float64(b)
	}
	return min(x, math.Nextafter(1, 0))
}

// digitPerms draws the permutations of base b's digit positions, as many
// as change a float64 in [0, 1).
func (h *haltonDrawer) digitPerms(b int) [][]int {
	var perms [][]int
	for scale := 1 / float64(b); 1-scale < 1; scale /= float64(b) {
		p := make([]int, b)
		for i := range p {
			p[i] = i
		}
		for i := b - 1; i > 0; i-- {
			k := int(h.perm.index("", uint64(i+1)))
			p[i], p[k] = p[k], p[i]
		}
		perms = append(perms, p)
	}
	return perms
}

// nthPrime returns the n-th prime, counted from 0 (2, 3, 5, …).
func nthPrime(n int) int {
	for p, found := 2, -1; ; p++ {
		prime := true
		for d := 2; d*d <= p; d++ {
			if p%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			if found++; found == n {
				return p
			}
		}
	}
}
