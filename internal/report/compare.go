package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"runner/internal/sweep"
	"runner/internal/train"
)

// Options says what Compare compares. The zero value compares the final
// test accuracy at the 0.05 level.
type Options struct {
	Metric Metric  // "" is TestAcc
	Best   bool    // each run's best value over its epochs, rather than its last
	Alpha  float64 // the significance level of the test; 0 is DefaultAlpha
}

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Metric == "" {
		o.Metric = TestAcc
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	return o
}

// Cell is one configuration's results in one sweep: the summary of the
// values of its done runs, and notes on what was left out.
type Cell struct {
	Summary
	Values []float64 // one per done run with a value, in run order
	Seeds  []int64   // the seed of the run of each value
	Notes  []string  // warnings, printed as footnotes
}

// Row is one configuration of the table.
type Row struct {
	Config train.Config // with Seed 0
	// ConfigB is B's configuration, with Seed 0: Config, except where
	// Compare matched sweeps with no configuration in common; zero when
	// B has none.
	ConfigB train.Config
	Params  []string // its values of the table's Columns; "-" for one it does not take

	// A and B are its cells in the two sweeps; nil when the configuration
	// is not in that sweep. B is nil throughout a one-sweep table.
	A, B *Cell

	// With two sweeps: Delta is mean(B) − mean(A), NaN unless both have a
	// value; Test is the test of the difference (see TestDiff), nil when
	// the cells have too few values for one; Significant is whether
	// Test.P < Alpha.
	Delta       float64
	Test        *Test
	Significant bool
	Notes       []string // warnings about the difference
}

// Method names a test of the difference of two cells.
type Method string

// The tests Compare and Check choose from.
const (
	Welch      Method = "Welch's t-test"            // unpaired
	PairedT    Method = "paired t-test"             // pairs of runs of the same seed
	SignedRank Method = "Wilcoxon signed-rank test" // pairs of runs of the same seed
)

// Test is the test of a difference: which one, on how many pairs, and its
// p-value.
type Test struct {
	Method Method
	Pairs  int  // the pairs of runs of the same seed tested; 0 for Welch
	Exact  bool // for SignedRank: the p-value is exact, not the normal approximation
	P      float64
}

// String names the test for a footnote: "Wilcoxon signed-rank test
// (exact), runs paired by seed".
func (t Test) String() string {
	s := string(t.Method)
	switch {
	case t.Method == SignedRank && t.Exact:
		s += " (exact)"
	case t.Method == SignedRank:
		s += " (normal approximation)"
	}
	if t.Pairs > 0 {
		s += ", runs paired by seed"
	}
	return s
}

// TestDiff tests the difference of b's values from a's, pairing runs of
// the same seed: with at least MinPairedT seeds in both it
// runs the paired t-test on the pairs, and the Wilcoxon signed-rank test
// from MinSigned pairs on; otherwise, with at least MinWelch values on
// each side, Welch's t-test on all of them. Runs whose seed the other side
// lacks are left out of a paired test (a note says how many). With too
// few values it returns nil and a note saying how many seeds are needed.
func TestDiff(a, b *Cell) (*Test, []string) {
	x, y := pairs(a, b)
	switch {
	case len(x) >= MinSigned:
		w, err := WilcoxonSignedRank(x, y)
		if err != nil {
			return nil, []string{err.Error()}
		}
		return &Test{Method: SignedRank, Pairs: len(x), Exact: w.Exact, P: w.P}, unpaired(a, b, len(x))
	case len(x) >= MinPairedT:
		tt, err := PairedTTest(x, y)
		if err != nil {
			return nil, []string{err.Error()}
		}
		return &Test{Method: PairedT, Pairs: len(x), P: tt.P}, unpaired(a, b, len(x))
	case a.N >= MinWelch && b.N >= MinWelch:
		tt, err := WelchTTest(a.Values, b.Values)
		if err != nil {
			return nil, []string{err.Error()}
		}
		return &Test{Method: Welch, P: tt.P}, nil
	}
	return nil, []string{fmt.Sprintf("need ≥ %d seeds on both sides to test the difference (%d for the signed-rank test)", MinPairedT, MinSigned)}
}

// pairs returns the values of a and b of the seeds both have, in a's order.
func pairs(a, b *Cell) (x, y []float64) {
	bySeed := make(map[int64]float64, len(b.Seeds))
	for i, seed := range b.Seeds {
		if _, ok := bySeed[seed]; !ok {
			bySeed[seed] = b.Values[i]
		}
	}
	for i, seed := range a.Seeds {
		if v, ok := bySeed[seed]; ok {
			x, y = append(x, a.Values[i]), append(y, v)
			delete(bySeed, seed)
		}
	}
	return x, y
}

// unpaired notes the runs a paired test of n pairs left out.
func unpaired(a, b *Cell, n int) []string {
	if left := a.N + b.N - 2*n; left > 0 {
		return []string{fmt.Sprintf("%s with no run of the same seed on the other side, left out of the paired test", plural(left, "run"))}
	}
	return nil
}

// Table is a comparison of the configurations of one sweep, or of two
// sweeps side by side: what Compare returns and WriteText prints.
type Table struct {
	A, B     *Sweep // B is nil for a one-sweep table
	Options         // with the defaults filled in
	Columns  []string
	Rows     []Row // best first: by B's mean, then A's, then those with no value
	BestRow  int   // the row with the best mean (in B when there are two sweeps); -1 if none
	BestRowA int   // with two sweeps, the row with the best mean in A; -1 if none
	Notes    []string
}

// Compare tabulates the metric of the runs of a, grouped by configuration
// (runs that differ only in their seed), one row per group with the mean
// and standard deviation over seeds. When b is not nil, the groups of a and
// b are matched by configuration and shown side by side with the
// difference of their means and Welch's t-test of it.
//
// Only runs that finished done count; the others (diverged, failed,
// interrupted, pending, running, pruned) are left out and counted in a
// note. It is an error when a sweep has done runs but none recorded the
// metric, as val_acc without a validation split, and when a sweep records
// a learning-rate range test (IsLRFind; see CompareLR), whose epochs are
// no training results: one that wraps ErrLRFindMix when the other sweep
// records training runs.
func Compare(a, b *Sweep, opt Options) (*Table, error) {
	if b != nil {
		if err := checkMix("compare", a, b); err != nil {
			return nil, err
		}
	}
	for _, s := range []*Sweep{a, b} {
		if s != nil && IsLRFind(s) {
			return nil, fmt.Errorf("compare: %s records a learning-rate range test: its epochs are no training results (see CompareLR)", s)
		}
	}
	opt = opt.withDefaults()
	t := &Table{A: a, B: b, Options: opt, BestRow: -1, BestRowA: -1}
	sweeps := []*Sweep{a}
	if b != nil {
		sweeps = append(sweeps, b)
	}
	t.Columns = Columns(sweeps...)
	key := groupKey
	var within []string
	byWithin := func(c train.Config) string { return strings.Join(params(c, within), "\x00") }
	if b != nil {
		within = t.withinColumns()
	}
	if b != nil && !shareConfig(a, b) && sameKeys(a, b, byWithin) {
		// The same grid in both, apart from what tells the sweeps apart:
		// two optimizers, say, over the same seeds. Match on the grid.
		how := "; configurations matched on " + strings.Join(within, ", ")
		if len(within) == 0 {
			how = "; each sweep's runs compared as one configuration"
		}
		t.Notes = append(t.Notes, "no configuration is in both sweeps"+t.differ()+how)
		t.Columns, key = within, byWithin
	}

	index := map[string]int{}
	for side, s := range sweeps {
		if err := checkMetric(s, opt.Metric); err != nil {
			return nil, err
		}
		for _, g := range s.Groups() {
			k := key(g.Config)
			i, ok := index[k]
			if !ok {
				i = len(t.Rows)
				index[k] = i
				t.Rows = append(t.Rows, Row{Config: g.Config, Params: params(g.Config, t.Columns), Delta: math.NaN()})
			}
			c := newCell(g, opt)
			if side == 0 {
				t.Rows[i].A = c
			} else {
				t.Rows[i].B, t.Rows[i].ConfigB = c, g.Config
			}
		}
	}
	if b != nil {
		for i := range t.Rows {
			t.Rows[i].test(opt.Alpha)
		}
	}
	t.sort()
	t.notes()
	return t, nil
}

// shareConfig reports whether a and b have a configuration in common, or
// no runs on one side.
func shareConfig(a, b *Sweep) bool {
	if len(a.Runs) == 0 || len(b.Runs) == 0 {
		return true
	}
	keys := map[string]bool{}
	for _, r := range a.Runs {
		keys[groupKey(r.Config)] = true
	}
	for _, r := range b.Runs {
		if keys[groupKey(r.Config)] {
			return true
		}
	}
	return false
}

// sameKeys reports whether the runs of a and b have the same set of keys.
func sameKeys(a, b *Sweep, key func(train.Config) string) bool {
	keys := func(s *Sweep) map[string]bool {
		m := map[string]bool{}
		for _, r := range s.Runs {
			m[key(r.Config)] = true
		}
		return m
	}
	return maps.Equal(keys(a), keys(b))
}

// withinColumns returns the table's columns that vary within A or within B.
func (t *Table) withinColumns() []string {
	within := map[string]bool{}
	for _, s := range []*Sweep{t.A, t.B} {
		for _, name := range Columns(s) {
			within[name] = true
		}
	}
	var cols []string
	for _, name := range t.Columns {
		if within[name] {
			cols = append(cols, name)
		}
	}
	return cols
}

// checkMetric returns an error when s has done runs and none of them
// recorded m.
func checkMetric(s *Sweep, m Metric) error {
	done := 0
	for _, r := range s.Runs {
		if r.Status != train.Done {
			continue
		}
		done++
		if _, ok := m.value(r, false); ok {
			return nil
		}
	}
	if done == 0 {
		return nil
	}
	if m == ValAcc {
		return fmt.Errorf("compare: %s has no val_acc: its runs hold out no validation images (dataset.validation is 0)", s)
	}
	return fmt.Errorf("compare: no run of %s recorded %s", s, m)
}

// params formats c's values of columns, "-" for those it does not take.
func params(c train.Config, columns []string) []string {
	out := make([]string, len(columns))
	for i, name := range columns {
		out[i] = cmp.Or(sweep.Param(c, name), "-")
	}
	return out
}

// statusOrder is the order in which notes list the statuses of runs left out.
var statusOrder = []train.Status{train.Diverged, train.Failed, train.Interrupted, train.Pruned,
	train.Running, train.Pending}

// newCell summarizes the done runs of g.
func newCell(g Group, opt Options) *Cell {
	c := &Cell{}
	notDone := map[train.Status]int{}
	left, missing := 0, 0
	for _, r := range g.Runs {
		if r.Status != train.Done {
			notDone[r.Status]++
			left++
			continue
		}
		v, ok := opt.Metric.value(r, opt.Best)
		if !ok {
			missing++
			continue
		}
		c.Values = append(c.Values, v)
		c.Seeds = append(c.Seeds, r.Config.Seed)
	}
	c.Summary = Summarize(c.Values)
	if left > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%s not done, left out: %s", plural(left, "run"), statusCounts(notDone)))
	}
	if missing > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%s recorded no %s, left out", plural(missing, "done run"), opt.Metric))
	}
	if c.N == 1 {
		c.Notes = append(c.Notes, "n = 1: no spread (run more seeds: train.seeds)")
	}
	return c
}

// statusCounts lists counts of runs by status: "2 diverged, 1 failed".
func statusCounts(counts map[train.Status]int) string {
	var parts, unknown []string
	for _, st := range statusOrder {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	for st, n := range counts {
		if n > 0 && !slices.Contains(statusOrder, st) { // a status this binary does not know
			unknown = append(unknown, fmt.Sprintf("%d %s", n, st))
		}
	}
	slices.Sort(unknown)
	return strings.Join(append(parts, unknown...), ", ")
}

// plural returns "1 run", "2 runs".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// test computes the difference of the row's means and its significance.
func (r *Row) test(alpha float64) {
	if r.A == nil || r.B == nil || r.A.N == 0 || r.B.N == 0 {
		return
	}
	r.Delta = r.B.Mean - r.A.Mean
	var notes []string
	r.Test, notes = TestDiff(r.A, r.B)
	r.Notes = append(r.Notes, notes...)
	r.Significant = r.Test != nil && r.Test.P < alpha
}

// sort orders the rows best first and finds the best rows.
func (t *Table) sort() {
	m := t.Metric
	// key returns the cell a row is sorted by and its rank: 0 for a B
	// value, 1 for an A value only, 2 for none.
	key := func(r Row) (float64, int) {
		switch {
		case r.B != nil && r.B.N > 0:
			return r.B.Mean, 0
		case r.A != nil && r.A.N > 0:
			return r.A.Mean, 1
		}
		return 0, 2
	}
	slices.SortStableFunc(t.Rows, func(x, y Row) int {
		vx, rx := key(x)
		vy, ry := key(y)
		switch {
		case rx != ry:
			return rx - ry
		case m.better(vx, vy):
			return -1
		case m.better(vy, vx):
			return 1
		}
		return 0
	})
	best := func(cell func(Row) *Cell) int {
		b := -1
		for i, r := range t.Rows {
			if c := cell(r); c != nil && c.N > 0 && (b < 0 || m.better(c.Mean, cell(t.Rows[b]).Mean)) {
				b = i
			}
		}
		return b
	}
	t.BestRowA = best(func(r Row) *Cell { return r.A })
	t.BestRow = t.BestRowA
	if t.B != nil {
		t.BestRow = best(func(r Row) *Cell { return r.B })
	}
}

// notes adds the notes about the table as a whole.
func (t *Table) notes() {
	for _, s := range []*Sweep{t.A, t.B} {
		if s == nil {
			continue
		}
		switch s.Status {
		case "running":
			t.Notes = append(t.Notes, fmt.Sprintf("%s is still running: its results are partial", s))
		case "interrupted":
			t.Notes = append(t.Notes, fmt.Sprintf("%s was interrupted: its results are partial", s))
		}
	}
	if t.B == nil {
		return
	}
	if t.A.ID == t.B.ID {
		t.Notes = append(t.Notes, "A and B are the same sweep")
	}
	onlyA, onlyB := 0, 0
	for _, r := range t.Rows {
		switch {
		case r.B == nil:
			onlyA++
		case r.A == nil:
			onlyB++
		}
	}
	if onlyA+onlyB == len(t.Rows) && len(t.Rows) > 0 {
		t.Notes = append(t.Notes, "no configuration is in both sweeps"+t.differ())
		return
	}
	var only []string
	if onlyA > 0 {
		only = append(only, plural(onlyA, "configuration")+" only in A")
	}
	if onlyB > 0 {
		only = append(only, plural(onlyB, "configuration")+" only in B")
	}
	if len(only) > 0 {
		t.Notes = append(t.Notes, strings.Join(only, ", ")+": not compared")
	}
}

// differ names the hyperparameters that are constant within each sweep but
// differ between them: ": they differ in epochs (5 vs 10)", or "".
func (t *Table) differ() string {
	within := map[string]bool{}
	for _, s := range []*Sweep{t.A, t.B} {
		for _, name := range Columns(s) {
			within[name] = true
		}
	}
	var parts []string
	for _, name := range t.Columns {
		if within[name] || len(t.A.Runs) == 0 || len(t.B.Runs) == 0 {
			continue
		}
		a, b := sweep.Param(t.A.Runs[0].Config, name), sweep.Param(t.B.Runs[0].Config, name)
		if a != "" && b != "" {
			parts = append(parts, fmt.Sprintf("%s (%s vs %s)", name, a, b))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": they differ in " + strings.Join(parts, ", ")
}
