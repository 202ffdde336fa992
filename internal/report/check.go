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
	Alpha     float64 // the level of the paired tests; 0 is DefaultAlpha
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
// final metric of a run in both sweeps, or of a configuration with at
// least MinPairedT seeds in both, over those seeds.
type CheckLine struct {
	Params []string // the run's values of the table's Columns; for a configuration, "N seeds" as its seed
	// What is "status" or the metric's name.
	What string
	// For a metric: its value in the baseline, in the latest sweep, and
	// latest − baseline; NaN where a run has no value. For a configuration:
	// the means over its seeds.
	Baseline, Latest, Delta float64
	// For a configuration: the seeds whose runs have a value in both
	// sweeps, and the test of the difference (see TestDiff), nil when too
	// few runs have values.
	Seeds int
	Test  *Test
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
	Paired             int // configurations with at least MinPairedT seeds in both, compared by their means
	Alpha              float64
	BaselineRuns       int
	OnlyBase, OnlyLast int // runs in one sweep only
	// Worse counts the runs that got worse or are missing from the latest sweep.
	Worse int
	// LR is set, and the rest is not, when both sweeps record learning-rate
	// range tests: they are compared as such, and none is worse.
	LR *LRCheck
}

// Check compares the latest sweep named name with opt.Baseline, or with the
// sweep of that name before it, run by run: runs are matched by key, so only
// runs of the same configuration and seed are compared. A run is worse when
// a final metric got worse by more than the tolerance (accuracies falling,
// the training loss rising), when it finished done in the baseline but not
// now, or when it is missing from the latest sweep. With one sweep of the
// name, the table has BaseID 0 and no lines.
//
// A configuration with at least MinPairedT seeds in both sweeps is
// compared as a whole rather than run by run: its final metrics are
// averaged over the seeds, and its runs are worse when the mean got worse
// by more than the tolerance and the paired test of the runs of the same
// seed (TestDiff: the paired t-test, the signed-rank test from MinSigned
// seeds) gives p < opt.Alpha. One seed's run landing on the wrong side of
// the tolerance is then noise, not a regression; a shift on every seed is
// one.
//
// Learning-rate range tests (IsLRFind) are compared as such: the table
// has LR set (the facts of both tests and whether their steps agree) and
// no run is worse. A range test and a sweep of training runs give an error
// wrapping ErrLRFindMix.
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
	lr, err := checkLR(ctx, db, name, baseID, latestID)
	if err != nil {
		return nil, err
	}
	if lr != nil {
		return &CheckTable{Name: name, LatestID: latestID, BaseID: baseID, Tolerance: opt.Tolerance, LR: lr}, nil
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

// checkLR compares the sweeps baseID and latestID (named name) as range
// tests when both record one; it returns nil when neither does, and an
// error wrapping ErrLRFindMix when one does. Only sweeps named as range
// tests are loaded, steps and all, to tell.
func checkLR(ctx context.Context, db *store.DB, name string, baseID, latestID int64) (*LRCheck, error) {
	rec, err := db.Sweep(ctx, baseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("check: no sweep with id %d: %w", baseID, err)
	} else if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if !strings.HasSuffix(name, LRFindSuffix) && !strings.HasSuffix(rec.Name, LRFindSuffix) {
		return nil, nil
	}
	base, err := Load(ctx, db, baseID)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	latest, err := Load(ctx, db, latestID)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if err := checkMix("check", base, latest); err != nil {
		return nil, err
	}
	if !IsLRFind(base) {
		return nil, nil
	}
	b, err := SummarizeLR(base)
	if err != nil {
		return nil, err
	}
	l, err := SummarizeLR(latest)
	if err != nil {
		return nil, err
	}
	return newLRCheck(b, l), nil
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
	if opt.Alpha == 0 {
		opt.Alpha = DefaultAlpha
	}
	t := &CheckTable{Name: name, LatestID: latestID, BaseID: baseID, Tolerance: opt.Tolerance, Alpha: opt.Alpha, BaselineRuns: len(base)}
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
	// The runs in both of each configuration, seed aside: those of at
	// least MinPairedT seeds are compared as a whole.
	groups := map[string][]string{}
	for _, k := range keys {
		g := groupKey(latest[k].Config)
		groups[g] = append(groups[g], k)
	}
	worse := map[string]bool{} // run keys
	for i, k := range keys {
		b, l := base[k], latest[k]
		params := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			params[j] = sweep.Param(configs[i], c)
		}
		if b.Status == train.Done && l.Status != train.Done {
			t.Lines = append(t.Lines, CheckLine{Params: params, What: "status", Baseline: math.NaN(), Latest: math.NaN(), Delta: math.NaN(),
				BaselineStatus: b.Status, LatestStatus: l.Status, Verdict: "worse"})
			worse[k] = true
		}
		group := groups[groupKey(l.Config)]
		if len(group) >= MinPairedT {
			if group[0] == k { // the configuration's lines, once, where its first run is
				t.Paired++
				t.groupLines(params, group, base, latest, metrics, opt, worse)
			}
			continue
		}
		for _, m := range metrics {
			bv, lv := b.metric(m), l.metric(m)
			if math.IsNaN(bv) && math.IsNaN(lv) {
				continue
			}
			line := CheckLine{Params: params, What: string(m), Baseline: bv, Latest: lv, Delta: lv - bv}
			switch {
			case math.IsNaN(line.Delta):
			case worsened(m, line.Delta, opt.Tolerance):
				line.Verdict, worse[k] = "worse", true
			case line.Delta != 0:
				line.Verdict = "~"
			}
			t.Lines = append(t.Lines, line)
		}
	}
	t.Worse = len(worse)
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

// worsened reports whether a change delta of m is worse than tolerance.
func worsened(m Metric, delta, tolerance float64) bool {
	if m.HigherIsBetter() {
		return delta < -tolerance
	}
	return delta > tolerance
}

// groupLines adds the lines of a configuration whose runs (keys, in both
// sweeps) are compared as a whole, and marks them worse where it got worse.
func (t *CheckTable) groupLines(params []string, keys []string, base, latest map[string]FinalRun, metrics []Metric, opt CheckOptions, worse map[string]bool) {
	params = slices.Clone(params)
	if i := slices.Index(t.Columns, "seed"); i >= 0 {
		params[i] = fmt.Sprintf("%d seeds", len(keys))
	}
	for _, m := range metrics {
		var bc, lc Cell
		changed := false
		for _, k := range keys {
			bv, lv := base[k].metric(m), latest[k].metric(m)
			if math.IsNaN(bv) || math.IsNaN(lv) {
				continue
			}
			seed := latest[k].Config.Seed
			bc.Values, bc.Seeds = append(bc.Values, bv), append(bc.Seeds, seed)
			lc.Values, lc.Seeds = append(lc.Values, lv), append(lc.Seeds, seed)
			changed = changed || bv != lv
		}
		if len(bc.Values) == 0 {
			continue
		}
		bc.Summary, lc.Summary = Summarize(bc.Values), Summarize(lc.Values)
		line := CheckLine{Params: params, What: string(m), Baseline: bc.Mean, Latest: lc.Mean, Delta: lc.Mean - bc.Mean, Seeds: bc.N}
		line.Test, _ = TestDiff(&bc, &lc)
		switch {
		case worsened(m, line.Delta, opt.Tolerance) && (line.Test == nil || line.Test.P < opt.Alpha):
			line.Verdict = "worse"
			for _, k := range keys {
				worse[k] = true
			}
		case changed:
			line.Verdict = "~"
		}
		t.Lines = append(t.Lines, line)
	}
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
	if t.LR != nil {
		return t.LR.writeText(w, fmt.Sprintf("check %s: range test of sweep %d against sweep %d", t.Name, t.LatestID, t.BaseID))
	}
	fmt.Fprintf(w, "check %s: sweep %d against sweep %d, %d runs in both, tolerance %g", t.Name, t.LatestID, t.BaseID, t.InBoth, t.Tolerance)
	if t.Paired > 0 {
		fmt.Fprintf(w, "; %s of ≥ %d seeds compared by their means, runs paired by seed, worse only with p < %g",
			plural(t.Paired, "configuration"), MinPairedT, t.Alpha)
	}
	fmt.Fprintln(w)
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
	paired := ""
	if t.Paired > 0 {
		paired = fmt.Sprintf(" (in the mean over seeds with p < %g, where paired)", t.Alpha)
	}
	var err error
	if t.Worse > 0 {
		_, err = fmt.Fprintf(w, "\n%d of %d runs got worse by more than %g%s or are missing\n", t.Worse, t.BaselineRuns, t.Tolerance, paired)
	} else {
		_, err = fmt.Fprintf(w, "\nno run got worse by more than %g%s\n", t.Tolerance, paired)
	}
	return err
}

// writeLines prints lines as a table under a blank line.
func (t *CheckTable) writeLines(w io.Writer, lines []CheckLine) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	tested := slices.ContainsFunc(lines, func(l CheckLine) bool { return l.Seeds > 0 })
	head := append(slices.Clone(t.Columns), "metric", "baseline", "latest", "delta", "")
	if tested {
		head = append(head, "test")
	}
	fmt.Fprint(tw, strings.Join(head, "\t")+"\n")
	var fn footnotes
	for _, l := range lines {
		cells := slices.Clone(l.Params)
		if l.What == "status" {
			cells = append(cells, "status", string(l.BaselineStatus), string(l.LatestStatus), "", l.Verdict)
		} else {
			cells = append(cells, l.What, fmtCheckValue(l.Baseline), fmtCheckValue(l.Latest), fmtCheckDelta(l.Delta), l.Verdict)
		}
		switch {
		case !tested:
		case l.Test != nil:
			p := fmt.Sprintf("p=%.3f", l.Test.P)
			if l.Test.P < 0.001 {
				p = "p<0.001"
			}
			cells = append(cells, fmt.Sprintf("%s n=%d", p, l.Seeds)+fn.mark([]string{l.Test.String()}))
		case l.Seeds > 0:
			cells = append(cells, fmt.Sprintf("n=%d", l.Seeds)+fn.mark([]string{fmt.Sprintf("fewer than %d seeds with values in both: not tested", MinPairedT)}))
		default:
			cells = append(cells, "")
		}
		fmt.Fprint(tw, strings.Join(cells, "\t")+"\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, note := range fn.notes {
		fmt.Fprintf(w, "%s  %s\n", superscript(i+1), note)
	}
	return nil
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
