package sweep_test

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/tpe"
	"runner/internal/train"
)

// tpeSearch is a tpe search over a conditional space: three optimizers,
// each with its own hyperparameters, and three fields of the model and
// the training.
const tpeSearch = `
name: x
seed: 7
search: {method: tpe, trials: 30, batch: 4, startup: 6}
dataset: {validation: 0.2}
model: {dropout: [0, 0.5], weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}}
train: {epochs: {int_uniform: [2, 5]}}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-4, 1]}}
  - {name: momentum, lr: {log_uniform: [1.0e-4, 1]}, momentum: {uniform: [0.5, 0.99]}}
  - {name: adam, lr: {log_uniform: [1.0e-4, 1]}, beta1: {uniform: [0.8, 0.95]}, beta2: [0.99, 0.999]}
`

func TestProposer_Space(t *testing.T) {
	s := MustParse(t, tpeSearch)
	if want := (sweep.Search{Method: "tpe", Trials: 30, Batch: 4, Startup: 6}); s.Search != want {
		t.Errorf("Search = %+v, want %+v", s.Search, want)
	}
	p, err := s.NewProposer()
	if err != nil {
		t.Fatal(err)
	}
	want := []tpe.Param{
		tpe.Choice("model.dropout", 2),
		tpe.Uniform("model.weight_decay", 0, 1),
		tpe.IntUniform("train.epochs", 0, 3),
		tpe.Choice("optimizers", 3),
		tpe.Uniform("optimizers[0].lr", 0, 1).When("optimizers", 0),
		tpe.Uniform("optimizers[1].lr", 0, 1).When("optimizers", 1),
		tpe.Uniform("optimizers[1].momentum", 0, 1).When("optimizers", 1),
		tpe.Uniform("optimizers[2].lr", 0, 1).When("optimizers", 2),
		tpe.Uniform("optimizers[2].beta1", 0, 1).When("optimizers", 2),
		tpe.Choice("optimizers[2].beta2", 2).When("optimizers", 2),
	}
	if got := p.Space().Params(); !reflect.DeepEqual(got, want) {
		t.Errorf("space:\n%+v\nwant\n%+v", got, want)
	}
	// The defaults: batch 8, and 10 start-up trials, or all of them when
	// there are fewer.
	for _, tt := range []struct {
		trials, batch, startup int
	}{{100, sweep.DefaultBatch, sweep.DefaultStartup}, {4, sweep.DefaultBatch, 4}} {
		src := strings.Replace(tpeSearch, "{method: tpe, trials: 30, batch: 4, startup: 6}", "{method: tpe, trials: "+strconv.Itoa(tt.trials)+"}", 1)
		if got := MustParse(t, src).Search; got.Batch != tt.batch || got.Startup != tt.startup {
			t.Errorf("trials %d: batch %d, startup %d; want %d, %d", tt.trials, got.Batch, got.Startup, tt.batch, tt.startup)
		}
	}
}

// score is a made-up validation accuracy, highest for lr near 10⁻², for
// the proposer's tests: the proposer sees only the numbers reported.
func score(c train.Config) float64 {
	d := math.Log10(c.Optimizer.LR) + 2
	return 0.1 + 0.8*math.Exp(-d*d)
}

// done reports c as trained to the end with validation accuracy v.
func done(c train.Config, v float64) sweep.RunResult {
	return sweep.RunResult{Status: train.Done, Epochs: []train.EpochMetrics{{Epoch: 0, ValAcc: 0.1}, {Epoch: 1, ValAcc: v}}}
}

// runProposer proposes every batch of s, reporting for each run
// report(batch, config), and returns the batches.
func runProposer(t *testing.T, s *sweep.Spec, report func(k int, c train.Config) sweep.RunResult) [][]train.Config {
	t.Helper()
	p, err := s.NewProposer()
	if err != nil {
		t.Fatal(err)
	}
	var batches [][]train.Config
	for {
		k := p.Batch()
		batch, err := p.Next()
		if err != nil {
			t.Fatalf("batch %d: %v", k, err)
		}
		if batch == nil {
			return batches
		}
		batches = append(batches, batch)
		if _, err := p.Next(); err == nil {
			t.Fatalf("batch %d: Next before Report gave no error", k)
		}
		results := make([]sweep.RunResult, len(batch))
		for i, c := range batch {
			results[i] = report(k, c)
		}
		if err := p.Report(results); err != nil {
			t.Fatal(err)
		}
	}
}

func TestProposer_Batches(t *testing.T) {
	s := MustParse(t, tpeSearch)
	batches := runProposer(t, s, func(_ int, c train.Config) sweep.RunResult { return done(c, score(c)) })
	var sizes []int
	seen := map[string]bool{}
	for _, b := range batches {
		sizes = append(sizes, len(b))
		for _, c := range b {
			if seen[c.Key()] {
				t.Errorf("trial %s proposed twice", c.Key())
			}
			seen[c.Key()] = true
			// An entry's fields exist in its trials only.
			o := c.Optimizer
			ok := o.LR >= 1e-4 && o.LR <= 1
			switch o.Name {
			case "sgd":
				ok = ok && o.Momentum == 0 && o.Beta1 == 0
			case "momentum":
				ok = ok && o.Momentum >= 0.5 && o.Momentum <= 0.99 && o.Beta1 == 0
			case "adam":
				ok = ok && o.Momentum == 0 && o.Beta1 >= 0.8 && o.Beta1 <= 0.95 && (o.Beta2 == 0.99 || o.Beta2 == 0.999)
			}
			if !ok || c.Epochs < 2 || c.Epochs > 5 {
				t.Errorf("trial %s", c.CanonicalJSON())
			}
		}
	}
	if want := []int{6, 4, 4, 4, 4, 4, 4}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
	// Batch 0 is the start of the Halton search of the same seed, and
	// what Expand returns.
	halton := MustExpand(t, MustParse(t, strings.Replace(tpeSearch, "{method: tpe, trials: 30, batch: 4, startup: 6}", "{method: halton, trials: 6}", 1)))
	if !reflect.DeepEqual(batches[0], halton) {
		t.Errorf("start-up batch:\n%v\nwant the Halton search's\n%v", keys(batches[0]), keys(halton))
	}
	if first := MustExpand(t, s); !reflect.DeepEqual(first, batches[0]) {
		t.Errorf("Expand = %v, want the first batch %v", keys(first), keys(batches[0]))
	}
}

func keys(runs []train.Config) []string {
	out := make([]string, len(runs))
	for i, c := range runs {
		out[i] = c.Key()
	}
	return out
}

// A batch is proposed from the batches before it only: the same results
// give the same batches, and other results for batch k change the
// batches after k only.
func TestProposer_Deterministic(t *testing.T) {
	s := MustParse(t, tpeSearch)
	honest := func(_ int, c train.Config) sweep.RunResult { return done(c, score(c)) }
	a := runProposer(t, s, honest)
	b := runProposer(t, MustParse(t, tpeSearch), honest)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same spec and results gave other batches")
	}
	const k = 2
	c := runProposer(t, s, func(batch int, cfg train.Config) sweep.RunResult {
		if batch == k {
			return done(cfg, 1-score(cfg)) // batch k's results reversed
		}
		return done(cfg, score(cfg))
	})
	for i := range a {
		same := reflect.DeepEqual(a[i], c[i])
		if i <= k && !same {
			t.Errorf("batch %d changed with the results of batch %d", i, k)
		}
		if i == k+1 && same {
			t.Errorf("batch %d did not change with the results of batch %d: is TPE modelling them?", i, k)
		}
	}
	// Another seed, other trials.
	other := runProposer(t, MustParse(t, strings.Replace(tpeSearch, "seed: 7", "seed: 8", 1)), honest)
	if reflect.DeepEqual(a[1], other[1]) {
		t.Error("seeds 7 and 8 proposed the same batch 1")
	}
}

// TPE's trials beat the Halton points that follow the start-up ones on
// the made-up objective, for each of five seeds, in the §6.5 space: lr and
// weight decay, the objective depending on lr alone.
func TestProposer_Learns(t *testing.T) {
	const src = `
name: x
seed: SEED
search: {method: METHOD, trials: 40, batch: 5, startup: 10}
dataset: {validation: 0.2}
model: {weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}}
optimizers: [{name: sgd, lr: {log_uniform: [1.0e-6, 1]}}]
`
	for seed := 1; seed <= 5; seed++ {
		spec := strings.ReplaceAll(src, "SEED", strconv.Itoa(seed))
		batches := runProposer(t, MustParse(t, strings.Replace(spec, "METHOD", "tpe", 1)),
			func(_ int, c train.Config) sweep.RunResult { return done(c, score(c)) })
		halton := MustExpand(t, MustParse(t, strings.Replace(strings.Replace(spec, "METHOD", "halton", 1), ", batch: 5, startup: 10", "", 1)))
		var model, points float64
		for _, c := range slices.Concat(batches[1:]...) {
			model += score(c) / 30
		}
		for _, c := range halton[10:] {
			points += score(c) / 30
		}
		t.Logf("seed %d: mean score of trials 11-40: tpe %.3f, halton %.3f", seed, model, points)
		if model <= points {
			t.Errorf("seed %d: TPE's 30 trials score %.3f on average, the Halton points' %.3f", seed, model, points)
		}
	}
}

// Pruned trials rank below those that trained to the end, by the epoch
// they reached, then by their value; failed and diverged ones below all.
// Seen from outside, through what TPE proposes: a trial reported pruned
// must not pull the proposals towards it as a finished one does.
func TestProposer_Ranks(t *testing.T) {
	s := MustParse(t, tpeSearch)
	// The best trial by validation accuracy is reported pruned (its value
	// taken before the prune), or diverged: then TPE must prefer the
	// trials that finished.
	for _, status := range []train.Status{train.Pruned, train.Diverged} {
		batches := runProposer(t, s, func(k int, c train.Config) sweep.RunResult {
			r := done(c, score(c))
			if score(c) > 0.5 {
				r.Status = status
				r.Epochs = append(r.Epochs, train.EpochMetrics{Epoch: 2, ValAcc: 0.95})
			}
			return r
		})
		honest := runProposer(t, s, func(_ int, c train.Config) sweep.RunResult { return done(c, score(c)) })
		var got, want float64
		for _, c := range slices.Concat(batches[1:]...) {
			got += score(c)
		}
		for _, c := range slices.Concat(honest[1:]...) {
			want += score(c)
		}
		if got >= want {
			t.Errorf("%s best trials: TPE's trials score %.3f, as high as with them finished (%.3f)", status, got/24, want/24)
		}
	}
}
