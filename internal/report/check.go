package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// CheckMetrics are the final metrics Check can compare, in the default
// order; higher is better for all but train_loss.
var CheckMetrics = []Metric{TestAcc, ValAcc, TrainLoss}

// DefaultTolerance is the largest worsening of a final metric Check does
// not call a regression, in absolute terms.
const DefaultTolerance = 0.005

// CheckOptions say what Check compares: by default the latest sweep with
// the one before it, on CheckMetrics. Tolerance has no default: 0 means
// any worsening is a regression (the command's default is
// DefaultTolerance).
type CheckOptions struct {
	Baseline  int64    // the sweep to compare with; 0 is the one before the latest
	Metrics   []Metric // nil is CheckMetrics
	Tolerance float64
}

// FinalRun is what Check knows of one run: its id, config, status and its
// last epoch after training.
type FinalRun struct {
	ID     int64
	Config train.Config
	Status train.Status
	Final  train.EpochMetrics
	OK     bool // an epoch after training was recorded
}

// metric returns the run's final value of m, NaN when it has none.
func (f FinalRun) metric(m Metric) float64 {
	if !f.OK {
		return math.NaN()
	}
	return m.Of(f.Final)
}

// CheckLine is one line of a check: a run's status that got worse, or one
// final metric of a run in both sweeps.
type CheckLine struct {
	Params []string // the run's values of the table's Columns
	// What is "status" or the metric's name.
	What string
	// For a metric: its value in the baseline, in the latest sweep, and
	// latest − baseline; NaN where a run has no value.
	Baseline, Latest, Delta float64
	// For a status line: the two statuses.
	BaselineStatus, LatestStatus train.Status
	Verdict                      string // "worse", "~" (changed within the tolerance) or ""
}

// CheckTable compares the latest sweep of a name with a baseline, run by
// run: what Check returns and WriteText prints.
type CheckTable struct {
	Name               string
	LatestID, BaseID   int64 // BaseID is 0 when there is no sweep to compare with
	Tolerance          float64
	Columns            []string // the hyperparameters that vary between the runs in both
	Lines              []CheckLine
	InBoth             int // runs in both sweeps
	BaselineRuns       int
	OnlyBase, OnlyLast int // runs in one sweep only
	// Worse counts the runs that got worse or are missing from the latest sweep.
	Worse int
}

// Check compares the latest sweep named name with opt.Baseline, or with the
// sweep of that name before it, run by run: runs are matched by key, so only
// runs of the same configuration and seed are compared. A run is worse when
// a final metric got worse by more than the tolerance (accuracies falling,
// the training loss rising), when it finished done in the baseline but not
// now, or when it is missing from the latest sweep. With one sweep of the
// name, the table has BaseID 0 and no lines.
//
// A name or baseline that names no sweep gives an error wrapping
// store.ErrNotFound; other errors are the database's.
func Check(ctx context.Context, db *store.DB, name string, opt CheckOptions) (*CheckTable, error) {
	ids, err := db.SweepIDs(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("check: no sweep named %q in %s: %w", name, db.Path(), store.ErrNotFound)
	}
	latestID, baseID := ids[0], opt.Baseline
	if baseID == 0 && len(ids) > 1 {
		baseID = ids[1]
	}
	if baseID == 0 {
		return &CheckTable{Name: name, LatestID: latestID, Tolerance: opt.Tolerance}, nil
	}
	latest, err := readFinals(ctx, db, latestID)
	if err != nil {
		return nil, err
	}
	base, err := readFinals(ctx, db, baseID)
	if err != nil {
		return nil, err
	}
	return CompareFinals(name, baseID, latestID, base, latest, opt), nil
}

// readFinals reads the runs of a sweep with their last epochs, by run key.
func readFinals(ctx context.Context, db *store.DB, sweepID int64) (map[string]FinalRun, error) {
	if _, err := db.Sweep(ctx, sweepID); errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("check: no sweep with id %d: %w", sweepID, err)
	} else if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	runs, err := db.Runs(ctx, sweepID)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	epochs, err := db.SweepEpochs(ctx, sweepID)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	out := make(map[string]FinalRun, len(runs))
	for _, r := range runs {
		f := FinalRun{ID: r.ID, Config: r.Config, Status: r.Status}
		if ms := epochs[r.ID]; len(ms) > 1 {
			f.Final, f.OK = ms[len(ms)-1], true
		}
		out[r.Key] = f
	}
	return out, nil
}

// CompareFinals is Check on the runs of two sweeps, by run key.
func CompareFinals(name string, baseID, latestID int64, base, latest map[string]FinalRun, opt CheckOptions) *CheckTable {
	metrics := opt.Metrics
	if metrics == nil {
		metrics = CheckMetrics
	}
	t := &CheckTable{Name: name, LatestID: latestID, BaseID: baseID, Tolerance: opt.Tolerance, BaselineRuns: len(base)}
	// The lines follow the latest sweep's run ids: its expansion order.
	var keys []string
	for k := range latest {
		if _, ok := base[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(latest[a].ID, latest[b].ID) })
	configs := make([]train.Config, len(keys))
	for i, k := range keys {
		configs[i] = latest[k].Config
	}
	t.Columns = sweep.Varying(configs)
	t.InBoth = len(keys)
	for i, k := range keys {
		b, l := base[k], latest[k]
		params := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			params[j] = sweep.Param(configs[i], c)
		}
		runWorse := false
		if b.Status == train.Done && l.Status != train.Done {
			t.Lines = append(t.Lines, CheckLine{Params: params, What: "status", Baseline: math.NaN(), Latest: math.NaN(), Delta: math.NaN(),
				BaselineStatus: b.Status, LatestStatus: l.Status, Verdict: "worse"})
			runWorse = true
		}
		for _, m := range metrics {
			bv, lv := b.metric(m), l.metric(m)
			if math.IsNaN(bv) && math.IsNaN(lv) {
				continue
			}
			line := CheckLine{Params: params, What: string(m), Baseline: bv, Latest: lv, Delta: lv - bv}
			bad := line.Delta < -opt.Tolerance
			if !m.HigherIsBetter() {
				bad = line.Delta > opt.Tolerance
			}
			switch {
			case math.IsNaN(line.Delta):
			case bad:
				line.Verdict, runWorse = "worse", true
			case line.Delta != 0:
				line.Verdict = "~"
			}
			t.Lines = append(t.Lines, line)
		}
		if runWorse {
			t.Worse++
		}
	}
	for k := range base {
		if _, ok := latest[k]; !ok {
			t.OnlyBase++
		}
	}
	for k := range latest {
		if _, ok := base[k]; !ok {
			t.OnlyLast++
		}
	}
	// A run of the baseline that the latest sweep lacks is a regression
	// too: with no run in common, nothing could be checked at all.
	t.Worse += t.OnlyBase
	return t
}

// WriteText prints the table: a heading, one line per run and metric that
// changed with the baseline's value, the latest, the delta and the verdict,
// what was not compared, and a closing line. Unchanged lines are left out
// (and counted) unless verbose: two equal sweeps print four lines.
func (t *CheckTable) WriteText(w io.Writer, verbose bool) error {
	if t.BaseID == 0 {
		_, err := fmt.Fprintf(w, "check %s: sweep %d is the only one of that name; nothing to compare with\n", t.Name, t.LatestID)
		return err
	}
	fmt.Fprintf(w, "check %s: sweep %d against sweep %d, %d runs in both, tolerance %g\n", t.Name, t.LatestID, t.BaseID, t.InBoth, t.Tolerance)
	var shown []CheckLine
	for _, l := range t.Lines {
		if verbose || l.Verdict != "" {
			shown = append(shown, l)
		}
	}
	if len(shown) == 0 && len(t.Lines) > 0 {
		fmt.Fprintf(w, "all %d final metrics unchanged (--verbose lists them)\n", len(t.Lines))
	} else if len(shown) < len(t.Lines) {
		fmt.Fprintf(w, "%d of %d final metrics changed; the unchanged are left out (--verbose lists them)\n", len(shown), len(t.Lines))
	}
	if len(shown) > 0 {
		if err := t.writeLines(w, shown); err != nil {
			return err
		}
	}
	if t.OnlyBase+t.OnlyLast > 0 {
		fmt.Fprintf(w, "\nnot compared: %d runs only in the baseline, %d only in the latest sweep\n", t.OnlyBase, t.OnlyLast)
	}
	if t.OnlyBase > 0 {
		fmt.Fprintf(w, "\n%d runs of the baseline are missing from the latest sweep\n", t.OnlyBase)
	}
	var err error
	if t.Worse > 0 {
		_, err = fmt.Fprintf(w, "\n%d of %d runs got worse by more than %g or are missing\n", t.Worse, t.BaselineRuns, t.Tolerance)
	} else {
		_, err = fmt.Fprintf(w, "\nno run got worse by more than %g\n", t.Tolerance)
	}
	return err
}

// writeLines prints lines as a table under a blank line.
func (t *CheckTable) writeLines(w io.Writer, lines []CheckLine) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, strings.Join(append(slices.Clone(t.Columns), "metric", "baseline", "latest", "delta", ""), "\t")+"\n")
	for _, l := range lines {
		cells := slices.Clone(l.Params)
		if l.What == "status" {
			cells = append(cells, "status", string(l.BaselineStatus), string(l.LatestStatus), "", l.Verdict)
		} else {
			cells = append(cells, l.What, fmtCheckValue(l.Baseline), fmtCheckValue(l.Latest), fmtCheckDelta(l.Delta), l.Verdict)
		}
		fmt.Fprint(tw, strings.Join(cells, "\t")+"\n")
	}
	return tw.Flush()
}

func fmtCheckValue(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func fmtCheckDelta(d float64) string {
	if math.IsNaN(d) {
		return "-"
	}
	return fmt.Sprintf("%+.4f", d)
}
