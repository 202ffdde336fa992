package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"runner/internal/kernel"
)

// Set is a read-only view of labelled examples. The pixels and labels are
// shared by every Set made from the same load; a Set made by Split also
// holds the indices of its examples. Sets are never modified, so they may be
// used by many goroutines at once.
type Set struct {
	pixels []byte // ImageSize bytes per example
	labels []byte
	index  []int // if not nil, example i is index[i] in pixels and labels
}

// NewSet returns a Set of len(labels) examples whose pixels are pixels,
// ImageSize bytes per example. The Set keeps both slices, which must not be
// modified afterwards. It is for tests and for data made in memory.
func NewSet(pixels, labels []byte) (*Set, error) {
	if len(pixels) != len(labels)*ImageSize {
		return nil, fmt.Errorf("new set: %d bytes of pixels for %d labels, want %d", len(pixels), len(labels), len(labels)*ImageSize)
	}
	for i, l := range labels {
		if l >= NumClasses {
			return nil, fmt.Errorf("new set: label %d is %d, want 0 to %d", i, l, NumClasses-1)
		}
	}
	return &Set{pixels: pixels, labels: labels}, nil
}

// Len returns the number of examples.
func (s *Set) Len() int {
	if s.index != nil {
		return len(s.index)
	}
	return len(s.labels)
}

// at returns the position of example i in pixels and labels.
func (s *Set) at(i int) int {
	if s.index != nil {
		return s.index[i]
	}
	return i
}

// Image returns the ImageSize pixels of example i, row by row, 0 for the
// background and 255 for the ink. The bytes belong to the Set: do not
// modify them.
func (s *Set) Image(i int) []byte {
	j := s.at(i) * ImageSize
	return s.pixels[j : j+ImageSize : j+ImageSize]
}

// Label returns the class of example i, from 0 to NumClasses-1.
func (s *Set) Label(i int) int {
	return int(s.labels[s.at(i)])
}

// First returns a Set of the first n examples, sharing s's memory. If n <= 0
// or n >= s.Len(), it returns s.
func (s *Set) First(n int) *Set {
	if n <= 0 || n >= s.Len() {
		return s
	}
	if s.index != nil {
		return &Set{pixels: s.pixels, labels: s.labels, index: s.index[:n:n]}
	}
	return &Set{pixels: s.pixels[: n*ImageSize : n*ImageSize], labels: s.labels[:n:n]}
}

// Split shuffles the examples with a generator seeded from seed alone
// (math/rand/v2's PCG with seeds uint64(seed) and 0), gives the first
// round(fraction·Len) of them to val and the rest to train, and returns both
// parts with their examples in s's order. Both share s's memory. A fraction
// of 0 returns s and a nil val. It is an error for fraction to be outside
// [0, 1) or for either part to be empty.
func (s *Set) Split(fraction float64, seed int64) (train, val *Set, err error) {
	if !(fraction >= 0 && fraction < 1) { // NaN too
		return nil, nil, fmt.Errorf("split: fraction %v, want at least 0 and below 1", fraction)
	}
	if fraction == 0 {
		return s, nil, nil
	}
	n := s.Len()
	k, err := SplitSize(n, fraction)
	if err != nil {
		return nil, nil, err
	}
	perm := rand.New(rand.NewPCG(uint64(seed), 0)).Perm(n)
	v, t := perm[:k:k], perm[k:]
	slices.Sort(v)
	slices.Sort(t)
	for i, p := range perm {
		perm[i] = s.at(p)
	}
	return &Set{pixels: s.pixels, labels: s.labels, index: t},
		&Set{pixels: s.pixels, labels: s.labels, index: v}, nil
}

// SplitSize returns how many of n examples Split holds out for validation
// with fraction in (0, 1): round(fraction·n). It is an error when that leaves
// the validation or the training part empty, so callers can check a
// configuration before any data is loaded.
func SplitSize(n int, fraction float64) (int, error) {
	k := int(math.Round(fraction * float64(n)))
	switch {
	case k == 0:
		return 0, fmt.Errorf("split: validation part would be empty: %v of %d examples", fraction, n)
	case k == n:
		return 0, fmt.Errorf("split: training part would be empty: %v of %d examples", fraction, n)
	}
	return k, nil
}

// Gather writes examples idx[0], idx[1], … of s into x, ImageSize values a
// row, each pixel b as T(b)/T(255) in [0, 1], and their classes into labels.
// x must hold at least len(idx)·ImageSize values and labels, unless it is
// nil, at least len(idx). Gather does not allocate: it converts each image
// with kernel.UnitBytes (vectorised, bit-identical to the division).
func Gather[T kernel.Float](s *Set, idx []int, x []T, labels []int) {
	if len(x) < len(idx)*ImageSize {
		panic(fmt.Sprintf("data: gather: x holds %d values, want %d", len(x), len(idx)*ImageSize))
	}
	if labels != nil && len(labels) < len(idx) {
		panic(fmt.Sprintf("data: gather: labels holds %d values, want %d", len(labels), len(idx)))
	}
	for k, i := range idx {
		kernel.UnitBytes(x[k*ImageSize:(k+1)*ImageSize], s.Image(i))
		if labels != nil {
			labels[k] = s.Label(i)
		}
	}
}
