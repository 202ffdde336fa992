package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"runner/internal/sweep"
	"runner/internal/train"
)

// SweepSummary is the table that ends the training of a sweep: one row per
// configuration (seeds pooled) with the mean ± standard deviation of the
// final test accuracy (and validation accuracy, where the runs hold out
// validation images) and the mean final training loss of its runs that
// finished done, and the best configuration marked: by validation accuracy
// where there is one, as a search ranks its trials, else by test accuracy.
type SweepSummary struct {
	Sweep   *Sweep
	Elapsed time.Duration // how long the sweep trained
	DB      string        // where its results are
	Columns []string
	Rows    []SummaryRow
	Best    int // the row with the best mean validation accuracy, else test accuracy (function runs: the lowest value); -1 if none
	Counts  map[train.Status]int
	// Functions is set when every run minimizes an objective function:
	// the table then shows the final value and the distance to the
	// nearest minimum instead of accuracies.
	Functions bool
	// Validation is set when the runs hold out validation images: the
	// table then shows val_acc, and ranks by it.
	Validation bool
}

// SummaryRow is one configuration of a SweepSummary.
type SummaryRow struct {
	Config   train.Config // Seed 0
	TestAcc  Summary      // over the runs that finished done
	ValAcc   Summary      // the final validation accuracy of the same runs, with Validation
	Loss     Summary      // the final training loss of the same runs (function runs: the value)
	Distance Summary      // function runs: the final distance to the nearest minimum
	Statuses map[train.Status]int
}

// summaryStatuses are the statuses a summary counts, in the order it lists them.
var summaryStatuses = []train.Status{train.Done, train.Pruned, train.Diverged, train.Failed, train.Interrupted, train.Pending}

// Summarize returns the summary of s, whose runs need only their last epoch.
func (s *Sweep) Summarize(elapsed time.Duration, db string) *SweepSummary {
	t := &SweepSummary{Sweep: s, Elapsed: elapsed, DB: db, Columns: Columns(s), Best: -1, Counts: map[train.Status]int{},
		Functions: len(s.Runs) > 0}
	for _, r := range s.Runs {
		t.Functions = t.Functions && r.Config.Dataset.Name == train.FunctionDataset
		t.Validation = t.Validation || r.Config.Dataset.Validation > 0
	}
	for _, g := range s.Groups() {
		row := SummaryRow{Config: g.Config, Statuses: map[train.Status]int{}}
		var acc, val, loss, dist []float64
		for _, r := range g.Runs {
			t.Counts[r.Status]++
			row.Statuses[r.Status]++
			if r.Status == train.Done && len(r.Epochs) > 0 {
				final := r.Epochs[len(r.Epochs)-1]
				acc, loss, dist = append(acc, final.TestAcc), append(loss, final.TrainLoss), append(dist, final.Distance)
				if !math.IsNaN(final.ValAcc) {
					val = append(val, final.ValAcc)
				}
			}
		}
		row.TestAcc, row.ValAcc, row.Loss, row.Distance = Summarize(acc), Summarize(val), Summarize(loss), Summarize(dist)
		if row.TestAcc.N > 0 && (t.Best < 0 || t.better(row, t.Rows[t.Best])) {
			t.Best = len(t.Rows)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// better reports whether row a beats row b: a higher mean validation
// accuracy with Validation, else a higher mean test accuracy, or for
// function runs a lower mean final value.
func (t *SweepSummary) better(a, b SummaryRow) bool {
	switch {
	case t.Functions:
		return a.Loss.Mean < b.Loss.Mean
	case t.Validation && a.ValAcc.N > 0 && b.ValAcc.N > 0:
		return a.ValAcc.Mean > b.ValAcc.Mean
	case t.Validation:
		return a.ValAcc.N > 0
	}
	return a.TestAcc.Mean > b.TestAcc.Mean
}

// WriteText prints the summary: a heading with the status counts, the
// table, and the best configuration.
func (t *SweepSummary) WriteText(w io.Writer) error {
	var parts []string
	total := 0
	for _, st := range summaryStatuses {
		total += t.Counts[st]
		if t.Counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t.Counts[st], st))
		}
	}
	fmt.Fprintf(w, "\nsweep %q (id %d) %s: %d runs (%s) in %s; results in %s\n\n",
		t.Sweep.Name, t.Sweep.ID, t.Sweep.Status, total, strings.Join(parts, ", "), t.Elapsed.Round(time.Second), t.DB)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, " ")
	for _, c := range t.Columns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	switch {
	case t.Functions:
		fmt.Fprint(tw, "\tn\tvalue\tdistance\tnot done\n")
	case t.Validation:
		fmt.Fprint(tw, "\tn\tval_acc\ttest_acc\ttrain_loss\tnot done\n")
	default:
		fmt.Fprint(tw, "\tn\ttest_acc\ttrain_loss\tnot done\n")
	}
	for i, row := range t.Rows {
		mark := " "
		if i == t.Best {
			mark = "*"
		}
		fmt.Fprint(tw, mark)
		for _, v := range shortParams(row.Config, t.Columns) {
			fmt.Fprintf(tw, "\t%s", v)
		}
		val, acc, loss := "-", "-", "-"
		if row.ValAcc.N > 0 {
			val = formatValue(row.ValAcc.Mean)
			if row.ValAcc.N > 1 {
				val += " ± " + formatValue(row.ValAcc.SD)
			}
		}
		switch {
		case row.TestAcc.N > 0 && t.Functions:
			acc, loss = fmt.Sprintf("%.6g", row.Loss.Mean), fmt.Sprintf("%.6g", row.Distance.Mean)
		case row.TestAcc.N > 0:
			acc = formatValue(row.TestAcc.Mean)
			if row.TestAcc.N > 1 {
				acc += " ± " + formatValue(row.TestAcc.SD)
			}
			loss = formatValue(row.Loss.Mean)
		}
		var notDone []string
		for _, st := range summaryStatuses[1:] {
			if row.Statuses[st] > 0 {
				notDone = append(notDone, fmt.Sprintf("%d %s", row.Statuses[st], st))
			}
		}
		fmt.Fprintf(tw, "\t%d", row.TestAcc.N)
		if t.Validation {
			fmt.Fprintf(tw, "\t%s", val)
		}
		fmt.Fprintf(tw, "\t%s\t%s\t%s\n", acc, loss, strings.Join(notDone, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if t.Best >= 0 {
		what := "best final test accuracy"
		switch {
		case t.Functions:
			what = "lowest final value"
		case t.Validation:
			what = "best final validation accuracy"
		}
		_, err := fmt.Fprintf(w, "\n* %s: %s\n", what, sweep.Describe(t.Rows[t.Best].Config, t.Columns))
		return err
	}
	return nil
}
