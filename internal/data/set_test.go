package data_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"runner/internal/data"
)

// NumberedSet returns a Set of n synthetic examples, each numbered (see ID).
func NumberedSet(tb testing.TB, n int) *data.Set {
	tb.Helper()
	s, err := data.NewSet(Pixels(n), Labels(n))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// IDs returns the numbers of the examples of s, in order, checking that
// each label still belongs to its image.
func IDs(tb testing.TB, s *data.Set) []int {
	tb.Helper()
	ids := make([]int, s.Len())
	for i := range ids {
		ids[i] = ID(s.Image(i))
		if s.Label(i) != ids[i]%data.NumClasses {
			tb.Fatalf("example %d (id %d) has label %d, want %d", i, ids[i], s.Label(i), ids[i]%data.NumClasses)
		}
	}
	return ids
}

func TestSet_Image(t *testing.T) {
	s := NumberedSet(t, 5)
	img := s.Image(3)
	if len(img) != data.ImageSize || cap(img) != data.ImageSize {
		t.Fatalf("len, cap = %d, %d, want %d", len(img), cap(img), data.ImageSize)
	}
	if ID(img) != 3 || img[100] != byte(3+100) {
		t.Errorf("Image(3) holds the wrong example")
	}
}

func TestSet_First(t *testing.T) {
	s := NumberedSet(t, 10)
	for _, n := range []int{-1, 0, 10, 11} {
		if got := s.First(n); got != s {
			t.Errorf("First(%d) is a new Set, want s itself", n)
		}
	}
	first := s.First(3)
	if got := IDs(t, first); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("First(3) = %v, want [0 1 2]", got)
	}
	if &first.Image(2)[0] != &s.Image(2)[0] {
		t.Errorf("First copied the pixels, want them shared")
	}

	// First of a split set takes the first of its examples.
	train, _, err := s.Split(0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := IDs(t, train.First(2)), IDs(t, train)[:2]; !slices.Equal(got, want) {
		t.Errorf("train.First(2) = %v, want %v", got, want)
	}
}

func TestSet_Split(t *testing.T) {
	const n = 1000
	s := NumberedSet(t, n)
	train, val, err := s.Split(0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 800 || val.Len() != 200 {
		t.Fatalf("train, val = %d, %d examples, want 800, 200", train.Len(), val.Len())
	}
	trainIDs, valIDs := IDs(t, train), IDs(t, val)
	if !slices.IsSorted(trainIDs) || !slices.IsSorted(valIDs) {
		t.Errorf("parts are not in the original order")
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(trainIDs), valIDs...)))
	for i, id := range all { // disjoint and covering: exactly 0, 1, …, n-1
		if id != i {
			t.Fatalf("train and val together are not the %d examples once each (at %d: %d)", n, i, id)
		}
	}
	if slices.Equal(valIDs, all[:200]) {
		t.Errorf("val is the first 200 examples: not shuffled")
	}
	if &val.Image(0)[0] != &s.Image(valIDs[0])[0] {
		t.Errorf("Split copied the pixels, want them shared")
	}

	// The same seed gives the same split, another seed another.
	train2, val2, _ := s.Split(0.2, 42)
	if !slices.Equal(IDs(t, train2), trainIDs) || !slices.Equal(IDs(t, val2), valIDs) {
		t.Errorf("two splits with seed 42 differ")
	}
	_, val3, _ := s.Split(0.2, 43)
	if slices.Equal(IDs(t, val3), valIDs) {
		t.Errorf("seeds 42 and 43 give the same split")
	}

	// Splitting a part stays inside it.
	sub, subVal, err := train.Split(0.25, 7)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Len() != 600 || subVal.Len() != 200 {
		t.Errorf("train.Split(0.25): %d, %d examples, want 600, 200", sub.Len(), subVal.Len())
	}
	for _, id := range append(IDs(t, sub), IDs(t, subVal)...) {
		if _, ok := slices.BinarySearch(trainIDs, id); !ok {
			t.Fatalf("example %d of train.Split is not in train", id)
		}
	}

	// First, then Split: as a run with train_limit and validation does.
	limited, limitedVal, err := s.First(10).Split(0.25, 1) // round(2.5) = 3
	if err != nil {
		t.Fatal(err)
	}
	if limited.Len() != 7 || limitedVal.Len() != 3 || slices.Max(append(IDs(t, limited), IDs(t, limitedVal)...)) >= 10 {
		t.Errorf("First(10).Split(0.25): %v and %v", IDs(t, limited), IDs(t, limitedVal))
	}
}

func TestSet_Split_Zero(t *testing.T) {
	s := NumberedSet(t, 10)
	train, val, err := s.Split(0, 1)
	if err != nil || train != s || val != nil {
		t.Errorf("Split(0) = %p, %v, %v, want s, nil, nil", train, val, err)
	}
}

func TestSet_Split_Errors(t *testing.T) {
	s := NumberedSet(t, 100)
	tests := []struct {
		fraction float64
		want     string
	}{
		{-0.1, "fraction -0.1, want at least 0 and below 1"},
		{1, "fraction 1, want at least 0 and below 1"},
		{1.5, "fraction 1.5"},
		{math.NaN(), "fraction NaN"},
		{0.004, "validation part would be empty: 0.004 of 100 examples"},
		{0.996, "training part would be empty: 0.996 of 100 examples"},
	}
	for _, tt := range tests {
		train, val, err := s.Split(tt.fraction, 1)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Split(%v): err = %v, want %q", tt.fraction, err, tt.want)
		}
		if train != nil || val != nil {
			t.Errorf("Split(%v) returned sets with its error", tt.fraction)
		}
	}
}

// f32 and f64 are named float types: Gather must handle them too.
type (
	f32 float32
	f64 float64
)

func TestGather(t *testing.T) {
	s := MustMNIST(t).Train
	idx := []int{0, 59999, 7, 7, 31415}
	t.Run("float32", func(t *testing.T) { testGather[float32](t, s, idx) })
	t.Run("float64", func(t *testing.T) { testGather[float64](t, s, idx) })
	t.Run("named32", func(t *testing.T) { testGather[f32](t, s, idx) })
	t.Run("named64", func(t *testing.T) { testGather[f64](t, s, idx) })
}

func testGather[T float32 | float64 | f32 | f64](t *testing.T, s *data.Set, idx []int) {
	x := make([]T, len(idx)*data.ImageSize)
	labels := make([]int, len(idx))
	data.Gather(s, idx, x, labels)
	for k, i := range idx {
		if labels[k] != s.Label(i) {
			t.Errorf("labels[%d] = %d, want %d", k, labels[k], s.Label(i))
		}
		for j, b := range s.Image(i) {
			if got, want := x[k*data.ImageSize+j], T(b)/T(255); got != want {
				t.Fatalf("x[%d][%d] = %v, want %v/255 = %v", k, j, got, b, want)
			}
		}
	}
	if allocs := testing.AllocsPerRun(20, func() { data.Gather(s, idx, x, labels) }); allocs != 0 {
		t.Errorf("Gather allocates %v times per call, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(20, func() { data.Gather(s, idx, x, nil) }); allocs != 0 {
		t.Errorf("Gather without labels allocates %v times per call, want 0", allocs)
	}
}

func TestGather_AllBytes(t *testing.T) {
	px := make([]byte, data.ImageSize)
	for j := range px {
		px[j] = byte(j)
	}
	s, err := data.NewSet(px, []byte{4})
	if err != nil {
		t.Fatal(err)
	}
	x32, x64 := make([]float32, data.ImageSize), make([]float64, data.ImageSize)
	data.Gather(s, []int{0}, x32, nil)
	data.Gather(s, []int{0}, x64, nil)
	for j := range 256 {
		if x32[j] != float32(j)/255 || x64[j] != float64(j)/255 {
			t.Errorf("byte %d: %v (float32), %v (float64), want %v, %v", j, x32[j], x64[j], float32(j)/255, float64(j)/255)
		}
	}
	if x32[0] != 0 || x32[255] != 1 || x64[255] != 1 {
		t.Errorf("0 and 255 give %v and %v, want 0 and 1", x32[0], x32[255])
	}
}

func TestGather_Panics(t *testing.T) {
	s := NumberedSet(t, 3)
	tests := []struct {
		name   string
		x      []float32
		labels []int
		want   string
	}{
		{"short x", make([]float32, 2*data.ImageSize-1), nil, "data: gather: x holds 1567 values, want 1568"},
		{"short labels", make([]float32, 2*data.ImageSize), make([]int, 1), "data: gather: labels holds 1 values, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), tt.want) {
					t.Errorf("panic %v, want %q", r, tt.want)
				}
			}()
			data.Gather(s, []int{0, 2}, tt.x, tt.labels)
		})
	}
}

func BenchmarkGather(b *testing.B) {
	s := MustMNIST(b).Train
	idx := make([]int, 128)
	for i := range idx {
		idx[i] = i * 397 % s.Len()
	}
	x, labels := make([]float32, len(idx)*data.ImageSize), make([]int, len(idx))
	b.SetBytes(int64(len(idx) * data.ImageSize))
	for b.Loop() {
		data.Gather(s, idx, x, labels)
	}
}
