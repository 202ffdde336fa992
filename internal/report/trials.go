package report

import (
	"fmt"
	"math"

	"runner/internal/sweep"
	"runner/internal/train"
)

// Trials is a search seen run by run, as the dashboard's parallel
// coordinates and scatters draw it: the hyperparameters the sweep varies
// and, per run, the value it took of each and the metric it reached.
type Trials struct {
	Metric Metric
	Dims   []sweep.Dimension // the varied hyperparameters (spec.Dimensions), in the grid's axis order
	Names  []string          // each dimension's name, as Analysis.Names gives it
	Runs   []Trial           // every run of the sweep, in its order
}

// Trial is one run of a search.
type Trial struct {
	ID     int64
	Status train.Status
	// Values is the run's value of each dimension it takes, by name: the
	// number, or the index of its choice in Dimension.Choices; a field of
	// an optimizers or schedules entry is absent from the runs of the
	// other entries.
	Values map[string]float64
	// Metric is what the run counts with in Analyze: the best value of
	// the metric over its epochs after epoch 0; NaN for a run without an
	// epoch after training.
	Metric float64
}

// Reached returns the value of m that a run counts with in an analysis of
// its search: the best over its epochs after epoch 0 (the lowest loss), so
// that a pruned run counts as what it reached. ok is false for a run that
// recorded no epoch after training (failed, pending, interrupted before
// it) or no value of m.
func (m Metric) Reached(r Run) (v float64, ok bool) {
	if len(r.Epochs) < 2 {
		return math.NaN(), false
	}
	return m.value(r, true)
}

// SearchTrials lists the runs of s with the values they took of the
// hyperparameters spec varies and the metric each reached (Metric.Reached):
// the trials that Analyze pools by configuration, one by one.
func SearchTrials(s *Sweep, spec *sweep.Spec, metric Metric) (*Trials, error) {
	dims := spec.Dimensions()
	if len(dims) == 0 {
		return nil, fmt.Errorf("trials: %s varies no hyperparameter", s)
	}
	t := &Trials{Metric: metric, Dims: dims, Names: dimensionNames(dims), Runs: make([]Trial, len(s.Runs))}
	for i, r := range s.Runs {
		v, _ := metric.Reached(r)
		t.Runs[i] = Trial{ID: r.ID, Status: r.Status, Values: dimensionValues(dims, r.Config), Metric: v}
	}
	return t, nil
}
