package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// Sweep is a sweep of the results database with its runs and their epochs:
// what the reports read. Tests build one in memory.
type Sweep struct {
	ID     int64
	Name   string
	Status store.SweepStatus
	Runs   []Run // in the order of the sweep's configs
}

// Run is one run of a sweep with its recorded epochs.
type Run struct {
	ID     int64
	Config train.Config
	Status train.Status
	Epochs []train.EpochMetrics // ordered by epoch, epoch 0 (before training) first; with positions and layer statistics where recorded
	Steps  []train.StepMetrics  // the per-step log, when the sweep set log_steps
}

// Find returns the sweep that ref names: "" is the latest sweep of the
// database, a number is a sweep id, anything else a sweep name, which means
// the latest sweep of that name. A number that is no sweep's id is tried as a
// name. A ref that names no sweep gives an error wrapping store.ErrNotFound.
func Find(ctx context.Context, db *store.DB, ref string) (store.SweepRecord, error) {
	if ref == "" {
		s, err := db.LatestSweep(ctx, "")
		if errors.Is(err, store.ErrNotFound) {
			return store.SweepRecord{}, fmt.Errorf("find sweep: %s holds no sweep: %w", db.Path(), store.ErrNotFound)
		}
		return s, err
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		s, err := db.Sweep(ctx, id)
		if !errors.Is(err, store.ErrNotFound) {
			return s, err
		}
	}
	s, err := db.LatestSweep(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return store.SweepRecord{}, fmt.Errorf("find sweep: no sweep has id or name %q in %s: %w", ref, db.Path(), store.ErrNotFound)
	}
	return s, err
}

// Load reads the sweep with the given id, its runs, their epochs and their
// steps.
func Load(ctx context.Context, db *store.DB, id int64) (*Sweep, error) {
	return LoadWith(ctx, db, id, LoadOptions{})
}

// LoadOptions says what LoadWith leaves out.
type LoadOptions struct {
	// NoSteps leaves out the per-step logs (Run.Steps stays nil), which
	// only the step curves read and which can outweigh the rest of the sweep
	// many times: Compare does not need them.
	NoSteps bool
}

// LoadWith is Load with options.
func LoadWith(ctx context.Context, db *store.DB, id int64, opt LoadOptions) (*Sweep, error) {
	rec, err := db.Sweep(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load sweep: %w", err)
	}
	runs, err := db.Runs(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load sweep: %w", err)
	}
	epochs, err := db.SweepEpochs(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load sweep: %w", err)
	}
	if err := db.AddDetails(ctx, id, epochs); err != nil {
		return nil, fmt.Errorf("load sweep: %w", err)
	}
	s := &Sweep{ID: rec.ID, Name: rec.Name, Status: rec.Status, Runs: make([]Run, len(runs))}
	for i, r := range runs {
		var steps []train.StepMetrics
		if !opt.NoSteps {
			if steps, err = db.Steps(ctx, r.ID); err != nil {
				return nil, fmt.Errorf("load sweep: %w", err)
			}
		}
		s.Runs[i] = Run{ID: r.ID, Config: r.Config, Status: r.Status, Epochs: epochs[r.ID], Steps: steps}
	}
	return s, nil
}

// String describes the sweep for a table's heading: `sweep "ch6" (id 3)`.
func (s *Sweep) String() string { return fmt.Sprintf("sweep %q (id %d)", s.Name, s.ID) }

// Metric names a column of the epochs table that the reports can show.
type Metric string

// The metrics the reports know.
const (
	TestAcc   Metric = "test_acc"
	ValAcc    Metric = "val_acc"
	TrainAcc  Metric = "train_acc"
	TrainLoss Metric = "train_loss"
)

// Metrics lists the metrics the reports know, in the order help texts give them.
var Metrics = []Metric{TestAcc, ValAcc, TrainAcc, TrainLoss}

// ParseMetric returns the metric named s, or an error listing the known ones.
func ParseMetric(s string) (Metric, error) {
	for _, m := range Metrics {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(Metrics))
	for i, m := range Metrics {
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown metric %q (want %s)", s, strings.Join(names, ", "))
}

// HigherIsBetter reports whether larger values of m are better: true for
// the accuracies, false for the loss.
func (m Metric) HigherIsBetter() bool { return m != TrainLoss }

// IsAccuracy reports whether m is one of the accuracies (a fraction in [0, 1]).
func (m Metric) IsAccuracy() bool { return m != TrainLoss }

// Of returns m's value in e; NaN when it was not recorded (val_acc without
// a validation split, the loss of a diverged epoch).
func (m Metric) Of(e train.EpochMetrics) float64 {
	switch m {
	case TestAcc:
		return e.TestAcc
	case ValAcc:
		return e.ValAcc
	case TrainAcc:
		return e.TrainAcc
	case TrainLoss:
		return e.TrainLoss
	}
	panic("report: unknown metric " + string(m))
}

// better reports whether x is better than y for m; NaN is never better.
func (m Metric) better(x, y float64) bool {
	if math.IsNaN(y) {
		return !math.IsNaN(x)
	}
	if m.HigherIsBetter() {
		return x > y
	}
	return x < y
}

// value returns a run's value of m: that of its last epoch, or with best
// the best over its epochs after epoch 0 (the untrained network). ok is
// false when the run recorded no epoch with a value.
func (m Metric) value(r Run, best bool) (v float64, ok bool) {
	v = math.NaN()
	for i, e := range r.Epochs {
		x := m.Of(e)
		switch {
		case !best && i == len(r.Epochs)-1:
			v = x
		case best && (e.Epoch > 0 || len(r.Epochs) == 1) && m.better(x, v):
			v = x
		}
	}
	return v, !math.IsNaN(v)
}

// Group is the runs of a sweep that differ only in their seed: one
// configuration repeated over seeds.
type Group struct {
	Config train.Config // the configuration, with Seed 0
	Runs   []Run        // in the sweep's order
}

// groupKey identifies the group of c: its key with the seed zeroed.
func groupKey(c train.Config) string {
	c.Seed = 0
	return c.Key()
}

// Groups splits the runs of s into groups, in the order of their first runs.
func (s *Sweep) Groups() []Group {
	var groups []Group
	index := map[string]int{}
	for _, r := range s.Runs {
		k := groupKey(r.Config)
		i, ok := index[k]
		if !ok {
			c := r.Config
			c.Seed = 0
			i = len(groups)
			index[k] = i
			groups = append(groups, Group{Config: c})
		}
		groups[i].Runs = append(groups[i].Runs, r)
	}
	return groups
}

// Columns returns the hyperparameters that tell the groups of the sweeps
// apart (sweep.Varying over all their runs, seed left out), in the grid's
// order.
func Columns(sweeps ...*Sweep) []string {
	var configs []train.Config
	for _, s := range sweeps {
		for _, r := range s.Runs {
			configs = append(configs, r.Config)
		}
	}
	var cols []string
	for _, name := range sweep.Varying(configs) {
		if name != "seed" {
			cols = append(cols, name)
		}
	}
	return cols
}

// Label names a configuration by the hyperparameters in columns, for a
// legend or a note: "adam lr=0.001 step". Optimizers and schedules are
// given by bare name, the others as name=value with the value as
// sweep.Short gives it (4 significant digits; no warmup=0); those c does
// not take are left out. With no columns it is "all runs".
func Label(c train.Config, columns []string) string {
	return label(c, columns, func(v string) string { return v })
}

// label is Label with each value passed through format.
func label(c train.Config, columns []string, format func(string) string) string {
	var parts []string
	for _, name := range columns {
		v := sweep.Short(c, name)
		if v != "" {
			v = format(v)
		}
		switch {
		case v == "":
		case name == "optimizer" || name == "schedule":
			parts = append(parts, v)
		default:
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 {
		return "all runs"
	}
	return strings.Join(parts, " ")
}

// shortParams returns the values of c's hyperparameters in columns, as
// sweep.Short gives them, "-" where c takes none: a row of a table.
func shortParams(c train.Config, columns []string) []string {
	out := make([]string, len(columns))
	for i, name := range columns {
		out[i] = cmp.Or(sweep.Short(c, name), "-")
	}
	return out
}
