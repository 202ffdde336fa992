package tpe

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// optimizers is the space of the tests: an optimizer, its learning rate,
// momentum for momentum and nesterov, beta1 for adam, a layer count.
func optimizers(t *testing.T) *Space {
	t.Helper()
	s, err := NewSpace(
		Choice("optimizer", 4), // sgd, momentum, nesterov, adam
		LogUniform("lr", 1e-6, 1e-2),
		Uniform("momentum", 0, 0.99).When("optimizer", 1, 2),
		Uniform("beta1", 0.5, 0.999).When("optimizer", 3),
		IntUniform("layers", 1, 5),
		IntLogUniform("hidden", 8, 1024),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// randomValues draws the values of a trial of space uniformly.
func randomValues(space *Space, r *rand.Rand) map[string]float64 {
	v := map[string]float64{}
	for _, p := range space.Params() {
		if space.Active(p.Name, v) {
			v[p.Name] = uniformValue(&p, r.Float64())
		}
	}
	return v
}

// history returns n uniform trials of space with the objective f.
func history(space *Space, n int, seed uint64, f func(map[string]float64) float64) []Trial {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]Trial, n)
	for i := range out {
		v := randomValues(space, r)
		out[i] = Trial{Values: v, Objective: f(v)}
	}
	return out
}

// sum is an objective of the optimizers space with a maximum at adam,
// lr = 1e-3, beta1 = 0.9, 3 layers and 64 hidden units.
func sum(v map[string]float64) float64 {
	o := -math.Abs(math.Log10(v["lr"])+3) - math.Abs(v["layers"]-3)/2 - math.Abs(math.Log2(v["hidden"])-6)/3
	if b, ok := v["beta1"]; ok {
		o += 1 - 5*math.Abs(b-0.9)
	}
	return o
}

func samplers() map[string]Sampler {
	return map[string]Sampler{"multivariate": {}, "univariate": {Univariate: true}}
}

func TestNewSpace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params []Param
		ok     bool
	}{
		{"all kinds", []Param{Uniform("a", -1, 1), LogUniform("b", 1e-3, 1), IntUniform("c", 0, 3),
			IntLogUniform("d", 1, 64), Choice("e", 1), Uniform("f", 0, 1).When("e", 0)}, true},
		{"empty", nil, true},
		{"no name", []Param{Uniform("", 0, 1)}, false},
		{"duplicate", []Param{Uniform("a", 0, 1), Choice("a", 2)}, false},
		{"low = high", []Param{Uniform("a", 1, 1)}, false},
		{"low > high", []Param{IntUniform("a", 2, 1)}, false},
		{"NaN bound", []Param{Uniform("a", math.NaN(), 1)}, false},
		{"infinite bound", []Param{Uniform("a", 0, math.Inf(1))}, false},
		{"log at 0", []Param{LogUniform("a", 0, 1)}, false},
		{"int log at 0", []Param{IntLogUniform("a", 0, 8)}, false},
		{"fractional int", []Param{{Name: "a", Kind: Int, Low: 0.5, High: 3}}, false},
		{"no choices", []Param{Choice("a", 0)}, false},
		{"choices of a float", []Param{{Name: "a", Kind: Float, Low: 0, High: 1, Choices: 2}}, false},
		{"bounds of a choice", []Param{{Name: "a", Kind: Categorical, Choices: 2, High: 1}}, false},
		{"unknown kind", []Param{{Name: "a", Kind: Kind(7), Low: 0, High: 1}}, false},
		{"parent later", []Param{Uniform("a", 0, 1).When("b", 0), Choice("b", 2)}, false},
		{"parent unknown", []Param{Uniform("a", 0, 1).When("b", 0)}, false},
		{"parent not categorical", []Param{Uniform("b", 0, 1), Uniform("a", 0, 1).When("b", 0)}, false},
		{"parent choice out of range", []Param{Choice("b", 2), Uniform("a", 0, 1).When("b", 2)}, false},
		{"no parent choices", []Param{Choice("b", 2), Uniform("a", 0, 1).When("b")}, false},
		{"choices without parent", []Param{{Name: "a", Kind: Float, Low: 0, High: 1, In: []int{0}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSpace(tc.params...)
			if tc.ok && err != nil {
				t.Fatalf("NewSpace: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrSpace) {
				t.Fatalf("NewSpace: %v, want an ErrSpace", err)
			}
		})
	}
}

func TestProposeErrors(t *testing.T) {
	space := optimizers(t)
	good := history(space, 20, 1, sum)
	with := func(i int, change func(map[string]float64)) []Trial {
		h := slices.Clone(good)
		v := map[string]float64{}
		for k, x := range h[i].Values {
			v[k] = x
		}
		change(v)
		h[i].Values = v
		return h
	}
	var adam, sgd int // trials of good with optimizer adam, sgd
	for i, tr := range good {
		switch tr.Values["optimizer"] {
		case 0:
			sgd = i
		case 3:
			adam = i
		}
	}
	if good[adam].Values["optimizer"] != 3 || good[sgd].Values["optimizer"] != 0 {
		t.Fatal("the test history lacks an adam or an sgd trial")
	}
	bad := func(w []float64) func(int) []float64 {
		return func(int) []float64 { return w }
	}
	for _, tc := range []struct {
		name      string
		sampler   Sampler
		history   []Trial
		n         int
		isHistory bool // the error wraps ErrHistory
	}{
		{name: "missing value", history: with(0, func(v map[string]float64) { delete(v, "lr") }), isHistory: true},
		{name: "missing conditional", history: with(adam, func(v map[string]float64) { delete(v, "beta1") }), isHistory: true},
		{name: "set but inactive", history: with(sgd, func(v map[string]float64) { v["momentum"] = 0.5 }), isHistory: true},
		{name: "set under another choice", history: with(adam, func(v map[string]float64) { v["momentum"] = 0.5 }), isHistory: true},
		{name: "out of bounds", history: with(0, func(v map[string]float64) { v["lr"] = 0.1 }), isHistory: true},
		{name: "NaN value", history: with(0, func(v map[string]float64) { v["lr"] = math.NaN() }), isHistory: true},
		{name: "fractional int", history: with(0, func(v map[string]float64) { v["layers"] = 2.5 }), isHistory: true},
		{name: "no such choice", history: with(sgd, func(v map[string]float64) { v["optimizer"] = 4 }), isHistory: true},
		{name: "fractional choice", history: with(sgd, func(v map[string]float64) { v["optimizer"] = 0.5 }), isHistory: true},
		{name: "negative n", history: good, n: -1},
		{name: "negative candidates", sampler: Sampler{Candidates: -1}, history: good, n: 1},
		{name: "negative prior weight", sampler: Sampler{PriorWeight: -1}, history: good, n: 1},
		{name: "NaN prior weight", sampler: Sampler{PriorWeight: math.NaN()}, history: good, n: 1},
		{name: "weights of the wrong length", sampler: Sampler{Weights: bad([]float64{1})}, history: good, n: 1},
		{name: "zero weights", sampler: Sampler{Weights: func(m int) []float64 { return make([]float64, m) }}, history: good, n: 1},
		{name: "negative weight", sampler: Sampler{Weights: func(m int) []float64 {
			w := DefaultWeights(m)
			if m > 0 {
				w[0] = -1
			}
			return w
		}}, history: good, n: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.sampler.Propose(space, tc.history, tc.n, 1, 0)
			if err == nil {
				t.Fatal("Propose succeeded")
			}
			if errors.Is(err, ErrHistory) != tc.isHistory {
				t.Fatalf("Propose: %v; wraps ErrHistory: %v, want %v", err, !tc.isHistory, tc.isHistory)
			}
		})
	}
	t.Run("unknown names are ignored", func(t *testing.T) {
		h := with(0, func(v map[string]float64) { v["dropout"] = 7 })
		if _, err := Propose(space, h, 1, 1, 0); err != nil {
			t.Fatal(err)
		}
	})
}

// same reports whether two proposals hold the same parameters with the
// same bits.
func same(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || math.Float64bits(x) != math.Float64bits(y) {
			return false
		}
	}
	return true
}

func TestDeterministic(t *testing.T) {
	space := optimizers(t)
	for name, s := range samplers() {
		for _, n := range []int{0, 1, 30} {
			h := history(space, n, 2, sum)
			propose := func(n int, seed int64, batch int) []map[string]float64 {
				t.Helper()
				p, err := s.Propose(space, h, n, seed, batch)
				if err != nil {
					t.Fatal(err)
				}
				if len(p) != n {
					t.Fatalf("%d proposals, want %d", len(p), n)
				}
				return p
			}
			ref := propose(8, 5, 3)
			for _, tc := range []struct {
				what string
				got  []map[string]float64
			}{
				{"again", propose(8, 5, 3)},
				{"n = 1", propose(1, 5, 3)},
				{"n = 3", propose(3, 5, 3)},
				{"n = 20", propose(20, 5, 3)},
			} {
				for i, p := range tc.got[:min(len(tc.got), len(ref))] {
					if !same(p, ref[i]) {
						t.Errorf("%s, %d trials, %s: proposal %d is %v, want %v", name, n, tc.what, i, p, ref[i])
					}
				}
			}
			for i := range ref {
				for j := range i {
					if same(ref[i], ref[j]) {
						t.Errorf("%s, %d trials: proposals %d and %d of a batch are the same: %v", name, n, j, i, ref[i])
					}
				}
			}
			for _, other := range [][]map[string]float64{propose(8, 5, 4), propose(8, 6, 3)} {
				for i := range ref {
					if same(other[i], ref[i]) {
						t.Errorf("%s, %d trials: proposal %d is the same for another batch or seed", name, n, i)
					}
				}
			}
		}
	}
}

// TestValid checks that proposals set exactly their active parameters, to
// values of the right kind within the bounds: that they make a valid
// history.
func TestValid(t *testing.T) {
	space := optimizers(t)
	for name, s := range samplers() {
		for _, n := range []int{0, 1, 3, 40, 120} {
			h := history(space, n, 3, sum)
			props, err := s.Propose(space, h, 200, 9, 1)
			if err != nil {
				t.Fatal(err)
			}
			var trials []Trial
			seen := map[string]bool{}
			for _, p := range props {
				trials = append(trials, Trial{Values: p})
				for k := range p {
					seen[k] = true
				}
			}
			if err := space.checkHistory(trials); err != nil {
				t.Errorf("%s, %d trials: the proposals are not a valid history: %v", name, n, err)
			}
			// Draws from the prior set every parameter; TPE may well
			// settle on one optimizer.
			for _, p := range space.Params() {
				if n == 0 && !seen[p.Name] {
					t.Errorf("%s, no trials: no proposal sets %s", name, p.Name)
				}
			}
		}
	}
}

// TestUniformPrior checks that proposals from an empty history are
// uniform on each parameter's axis.
func TestUniformPrior(t *testing.T) {
	space, err := NewSpace(LogUniform("lr", 1e-6, 1e-2), IntUniform("k", 1, 4), Choice("c", 3),
		IntLogUniform("h", 1, 1000), Uniform("x", -1, 1))
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	props, err := Propose(space, nil, n, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	share := func(f func(map[string]float64) bool) float64 {
		var c int
		for _, p := range props {
			if f(p) {
				c++
			}
		}
		return float64(c) / n
	}
	for _, tc := range []struct {
		what string
		in   func(map[string]float64) bool
		want float64
	}{
		{"lr < 1e-4", func(p map[string]float64) bool { return p["lr"] < 1e-4 }, 0.5},
		{"lr < 1e-5", func(p map[string]float64) bool { return p["lr"] < 1e-5 }, 0.25},
		{"k = 1", func(p map[string]float64) bool { return p["k"] == 1 }, 0.25},
		{"k = 4", func(p map[string]float64) bool { return p["k"] == 4 }, 0.25},
		{"c = 2", func(p map[string]float64) bool { return p["c"] == 2 }, 1.0 / 3},
		{"h ≤ 31", func(p map[string]float64) bool { return p["h"] <= 31 }, math.Log(31.5/0.5) / math.Log(1000.5/0.5)},
		{"x > 0.8", func(p map[string]float64) bool { return p["x"] > 0.8 }, 0.1},
	} {
		// 4 standard deviations of a share of n draws.
		if got, tol := share(tc.in), 4*math.Sqrt(tc.want*(1-tc.want)/n); math.Abs(got-tc.want) > tol {
			t.Errorf("share of %s: %.3f, want %.3f ± %.3f", tc.what, got, tc.want, tol)
		}
	}
}

// TestFindsOptimum runs searches of 100 trials on the optimizers space,
// 10 random ones then batches of 4, for 10 seeds, and checks that they
// gather near the maximum of sum: on each parameter's axis the median
// distance of their last 50 trials to it is at most 3/4 of that of random
// trials, they choose adam at least twice as often, and their mean best
// objective is better than random search's.
func TestFindsOptimum(t *testing.T) {
	space := optimizers(t)
	ident := func(x float64) float64 { return x }
	params := []struct {
		name string
		axis func(float64) float64
		best float64 // on the axis
	}{
		{"lr", math.Log10, -3},
		{"layers", ident, 3},
		{"hidden", math.Log2, 6},
		{"beta1", ident, 0.9},
	}
	type stats struct {
		dist      [][]float64 // per parameter
		adam, all float64
		best      float64
	}
	add := func(st *stats, trials []Trial) {
		if st.dist == nil {
			st.dist = make([][]float64, len(params))
		}
		st.best += slices.MaxFunc(trials, func(a, b Trial) int { return better(b.Objective, a.Objective) }).Objective
		for _, tr := range trials[len(trials)-50:] {
			for i, p := range params {
				if x, ok := tr.Values[p.name]; ok {
					st.dist[i] = append(st.dist[i], math.Abs(p.axis(x)-p.best))
				}
			}
			if tr.Values["optimizer"] == 3 {
				st.adam++
			}
			st.all++
		}
	}
	med := func(d []float64) float64 {
		d = slices.Clone(d)
		slices.Sort(d)
		return d[len(d)/2]
	}
	for name, s := range samplers() {
		var random, tpe stats
		for seed := uint64(1); seed <= 10; seed++ {
			h := history(space, 100, seed, sum)
			add(&random, h)
			trials := h[:10]
			for batch := 0; len(trials) < 100; batch++ {
				props, err := s.Propose(space, trials, 4, int64(seed), batch)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range props {
					trials = append(trials, Trial{Values: v, Objective: sum(v)})
				}
			}
			add(&tpe, trials)
		}
		for i, p := range params {
			t.Logf("%s: median distance of %s to its best %.3g, random %.3g", name, p.name, med(tpe.dist[i]), med(random.dist[i]))
			if got, base := med(tpe.dist[i]), med(random.dist[i]); got > 0.75*base {
				t.Errorf("%s: the median trial's %s is %.3g from the maximum on its axis, a random trial's %.3g",
					name, p.name, got, base)
			}
		}
		t.Logf("%s: adam %.0f%%, random %.0f%%; mean best %.3f, random %.3f",
			name, 100*tpe.adam/tpe.all, 100*random.adam/random.all, tpe.best/10, random.best/10)
		if got, base := tpe.adam/tpe.all, random.adam/random.all; got < 2*base {
			t.Errorf("%s: adam in %.0f%% of the trials, %.0f%% of the random trials", name, 100*got, 100*base)
		}
		if tpe.best <= random.best {
			t.Errorf("%s: mean best %.3f, random search's %.3f", name, tpe.best/10, random.best/10)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{0, 0}, {1, 1}, {10, 1}, {11, 2}, {100, 10}, {101, 11}, {250, 25}, {251, 25}, {10000, 25},
	} {
		if got := DefaultGamma(tc.n); got != tc.want {
			t.Errorf("DefaultGamma(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		m    int
		want []float64
	}{
		{0, []float64{}},
		{3, []float64{1, 1, 1}},
		{25, slices.Repeat([]float64{1}, 25)},
		{26, append([]float64{1.0 / 26}, slices.Repeat([]float64{1}, 25)...)},
		{28, append([]float64{1.0 / 28, (1.0/28 + 1) / 2, 1}, slices.Repeat([]float64{1}, 25)...)},
	} {
		got := DefaultWeights(tc.m)
		if len(got) != len(tc.want) {
			t.Errorf("DefaultWeights(%d) has %d weights, want %d", tc.m, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("DefaultWeights(%d)[%d] = %g, want %g", tc.m, i, got[i], tc.want[i])
			}
		}
	}
}

func TestGoodTrials(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		objs  []float64
		gamma int
		want  []bool
	}{
		{"highest", []float64{1, 3, 2}, 1, []bool{false, true, false}},
		{"two", []float64{1, 3, 2}, 2, []bool{false, true, true}},
		{"NaN last", []float64{nan, -1, nan, math.Inf(-1)}, 2, []bool{false, true, false, true}},
		{"NaN if need be", []float64{nan, -1, nan}, 2, []bool{true, true, false}},
		{"ties to the earlier", []float64{2, 5, 5, 5}, 2, []bool{false, true, true, false}},
		{"gamma beyond n", []float64{1, 2}, 5, []bool{true, true}},
		{"negative gamma", []float64{1, 2}, -1, []bool{false, false}},
	} {
		var h []Trial
		for _, o := range tc.objs {
			h = append(h, Trial{Objective: o})
		}
		got := goodTrials(h, func(int) int { return tc.gamma })
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: good %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMixture checks a mixture's sampler against its density, and that
// its densities integrate and its probabilities sum to 1.
func TestMixture(t *testing.T) {
	set, err := Sampler{}.settings()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    Param
		obs  []float64 // values
	}{
		{"float", Uniform("x", 0, 1), []float64{0.3, 0.35, 0.9, 1}},
		{"log float", LogUniform("x", 1e-6, 1e-2), []float64{1e-6, 3e-4, 2e-3}},
		{"int", IntUniform("x", -3, 3), []float64{-3, 0, 0, 1}},
		{"log int", IntLogUniform("x", 1, 64), []float64{1, 2, 50}},
		{"choice", Choice("x", 4), []float64{2, 2, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &tc.p
			obs := make([][]float64, len(tc.obs))
			for i, v := range tc.obs {
				obs[i] = []float64{v}
				if p.Kind != Categorical {
					obs[i][0] = toAxis(p, v)
				}
			}
			mx := fitMixture([]*Param{p}, obs, DefaultWeights(len(obs)), set)
			const bins = 20
			a, b := interval(p)
			bin := func(x, y float64) int { return min(int((y-a)/(b-a)*bins), bins-1) }
			// prob returns the mixture's probability of each bin: the
			// density integrated by the midpoint rule for a float, the
			// probabilities of the values else.
			prob := make([]float64, bins)
			switch p.Kind {
			case Float:
				const steps = 1000
				for s := range steps * bins {
					y := a + (b-a)*(float64(s)+0.5)/(steps*bins)
					prob[s/steps] += math.Exp(mx.logDensity([]float64{fromAxis(p, y)}, []float64{y})) /
						math.Sqrt(2*math.Pi) * (b - a) / (steps * bins)
				}
			case Int:
				for k := p.Low; k <= p.High; k++ {
					prob[bin(k, toAxis(p, k))] += math.Exp(mx.logDensity([]float64{k}, nil))
				}
			case Categorical:
				a, b = 0, float64(p.Choices)
				for c := range p.Choices {
					prob[bin(float64(c), float64(c))] += math.Exp(mx.logDensity([]float64{float64(c)}, nil))
				}
			}
			var total float64
			for _, q := range prob {
				total += q
			}
			if math.Abs(total-1) > 1e-6 {
				t.Errorf("total probability %.9f", total)
			}
			const n = 100000
			r := rand.New(rand.NewPCG(1, 2))
			hist := make([]float64, bins)
			x, y := make([]float64, 1), make([]float64, 1)
			for range n {
				mx.sample(r.Uint64, x, y)
				if err := checkValue(p, x[0]); err != nil {
					t.Fatal(err)
				}
				if p.Kind == Int {
					y[0] = toAxis(p, x[0])
				}
				hist[bin(x[0], y[0])]++
			}
			for i := range hist {
				if got, tol := hist[i]/n, 5*math.Sqrt(prob[i]/n)+1e-9; math.Abs(got-prob[i]) > tol {
					t.Errorf("bin %d: share %.4f of the draws, probability %.4f", i, got, prob[i])
				}
			}
		})
	}
}
