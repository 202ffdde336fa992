package tpe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// A benchmark problem: minimise f over a box, that is maximise −f.
type problem struct {
	name string
	x, y [2]float64 // bounds
	f    func(x, y float64) float64
	// reach is whether TPE must reach the best of the random trials in
	// fewer trials than random search. On Rosenbrock's curved valley it
	// does not: its median is that of random search (about 50 over other
	// sets of 100 seeds), though its best values are better.
	reach bool
}

var problems = []problem{
	{"ellipsoid x²/20+y²", [2]float64{-10, 10}, [2]float64{-10, 10},
		func(x, y float64) float64 { return x*x/20 + y*y }, true},
	{"rosenbrock", [2]float64{-2, 2}, [2]float64{-2, 2},
		func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) }, false},
	{"branin", [2]float64{-5, 10}, [2]float64{0, 15}, branin, true},
}

func branin(x, y float64) float64 {
	const (
		b = 5.1 / (4 * math.Pi * math.Pi)
		c = 5 / math.Pi
		t = 1 / (8 * math.Pi)
	)
	u := y - b*x*x + c*x - 6
	return u*u + 10*(1-t)*math.Cos(x) + 10
}

const (
	randomTrials = 100
	startup      = 10
	batchSize    = 4
	nSeeds       = 100
)

// uniformTrials returns n trials of pr drawn uniformly, from seed.
func uniformTrials(pr problem, seed int64, n int) []Trial {
	r := rand.New(rand.NewPCG(uint64(seed), 0x756e69))
	out := make([]Trial, n)
	for i := range out {
		x := pr.x[0] + (pr.x[1]-pr.x[0])*r.Float64()
		y := pr.y[0] + (pr.y[1]-pr.y[0])*r.Float64()
		out[i] = Trial{Values: map[string]float64{"x": x, "y": y}, Objective: -pr.f(x, y)}
	}
	return out
}

// tpeTrials runs randomTrials trials on pr with sampler: the first
// startup of random, then batches of batchSize, each proposed from the
// trials before it.
func tpeTrials(t *testing.T, sampler Sampler, pr problem, random []Trial, seed int64) []Trial {
	space, err := NewSpace(Uniform("x", pr.x[0], pr.x[1]), Uniform("y", pr.y[0], pr.y[1]))
	if err != nil {
		t.Fatal(err)
	}
	trials := slices.Clone(random[:startup])
	for batch := 0; len(trials) < randomTrials; batch++ {
		props, err := sampler.Propose(space, trials, batchSize, seed, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range props {
			trials = append(trials, Trial{Values: v, Objective: -pr.f(v["x"], v["y"])})
		}
	}
	return trials[:randomTrials]
}

// bestAfter returns the best objective of the first n trials.
func bestAfter(trials []Trial, n int) float64 {
	best := math.Inf(-1)
	for _, tr := range trials[:n] {
		best = max(best, tr.Objective)
	}
	return best
}

// reach returns the number of trials needed to reach target, or
// len(trials)+1 if they never do.
func reach(trials []Trial, target float64) int {
	for i, tr := range trials {
		if tr.Objective >= target {
			return i + 1
		}
	}
	return len(trials) + 1
}

// TestBeatsRandomSearch runs, for each problem and seed, 100 uniform
// random trials and 100 of TPE (the first 10 of those random trials, then
// batches of 4), and checks that the default sampler reaches the best
// value of the random trials in fewer trials than random search, median
// over the seeds (a search that never reaches it counts 101), where
// problem.reach says so, and that its mean best value after 100 trials is
// better than random search's on every problem. The
// univariate sampler, Optuna's default, is shown but not checked: on these
// problems it does little better than random search on that count.
func TestBeatsRandomSearch(t *testing.T) {
	samplers := []struct {
		name string
		s    Sampler
	}{{"TPE", Sampler{}}, {"TPE univariate", Sampler{Univariate: true}}}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%d seeds; trials to reach the best of %d random trials (median); mean best after 20 / 50 / 100 trials\n",
		nSeeds, randomTrials)
	fmt.Fprintf(&table, "%-20s %-15s %7s   %s\n", "problem", "search", "reach", "best after 20 / 50 / 100")
	for _, pr := range problems {
		var reach0 []float64
		var best0 [3][]float64
		randoms := make([][]Trial, nSeeds)
		for i := range randoms {
			randoms[i] = uniformTrials(pr, int64(i+1), randomTrials)
			target := bestAfter(randoms[i], randomTrials)
			reach0 = append(reach0, float64(reach(randoms[i], target)))
			for k, n := range []int{20, 50, 100} {
				best0[k] = append(best0[k], bestAfter(randoms[i], n))
			}
		}
		medRandom := median(reach0)
		table.WriteString(formatRow(pr.name, "random", medRandom, best0))
		for j, sm := range samplers {
			var reaches []float64
			var best [3][]float64
			for i, random := range randoms {
				trials := tpeTrials(t, sm.s, pr, random, int64(i+1))
				reaches = append(reaches, float64(reach(trials, bestAfter(random, randomTrials))))
				for k, n := range []int{20, 50, 100} {
					best[k] = append(best[k], bestAfter(trials, n))
				}
			}
			med := median(reaches)
			table.WriteString(formatRow("", sm.name, med, best))
			if j > 0 {
				continue
			}
			if pr.reach && !(med < medRandom) {
				t.Errorf("%s: TPE needs %g trials (median of %d seeds) to reach the best of %d random trials, random search %g",
					pr.name, med, nSeeds, randomTrials, medRandom)
			}
			if m, m0 := stat.Mean(best[2], nil), stat.Mean(best0[2], nil); !(m > m0) {
				t.Errorf("%s: TPE's mean best after %d trials is %g, random search's %g", pr.name, randomTrials, m, m0)
			}
		}
	}
	t.Log(table.String())
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return stat.Quantile(0.5, stat.LinInterp, s, nil)
}

func formatRow(problem, search string, reach float64, best [3][]float64) string {
	cells := make([]string, len(best))
	for k := range best {
		cells[k] = strconv.FormatFloat(floats.Sum(best[k])/float64(len(best[k])), 'f', 3, 64)
	}
	return fmt.Sprintf("%-20s %-15s %7.1f   %s\n", problem, search, reach, strings.Join(cells, " / "))
}
