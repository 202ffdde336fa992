package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"runner/internal/execute"
	"runner/internal/sweep"
	"runner/internal/train"
)

// summaryInfo is what the summary says about the sweep as a whole.
type summaryInfo struct {
	sweepID int64
	status  string
	db      string
	elapsed time.Duration
}

// group is the runs of a sweep that differ only in their seed.
type group struct {
	first    train.Config
	acc      []float64 // final test accuracy of each run that finished done
	loss     []float64 // final training loss of the same runs
	statuses map[train.Status]int
}

// printSummary writes the end-of-sweep table: one row per configuration
// (seeds pooled) with the mean ± sample standard deviation of the final test
// accuracy and the mean final training loss, the best configuration marked.
func printSummary(w io.Writer, e expanded, results []execute.Result, info summaryInfo) {
	counts := map[train.Status]int{}
	var groups []*group
	byKey := map[string]*group{}
	for i, cfg := range e.configs {
		r := results[i]
		st := r.Status
		if st == "" {
			st = train.Pending
		}
		counts[st]++
		seedless := cfg
		seedless.Seed = 0
		k := seedless.Key()
		g := byKey[k]
		if g == nil {
			g = &group{first: cfg, statuses: map[train.Status]int{}}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.statuses[st]++
		if st == train.Done {
			g.acc = append(g.acc, r.Final.TestAcc)
			g.loss = append(g.loss, r.Final.TrainLoss)
		}
	}

	var parts []string
	for _, st := range []train.Status{train.Done, train.Pruned, train.Diverged, train.Failed, train.Interrupted, train.Pending} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(w, "\nsweep %q (id %d) %s: %d runs (%s) in %s; results in %s\n\n",
		e.spec.Name, info.sweepID, info.status, len(e.configs), strings.Join(parts, ", "),
		info.elapsed.Round(time.Second), info.db)

	var columns []string
	for _, name := range sweep.Varying(e.configs) {
		if name != "seed" {
			columns = append(columns, name)
		}
	}
	best := -1
	for i, g := range groups {
		if len(g.acc) > 0 && (best < 0 || mean(g.acc) > mean(groups[best].acc)) {
			best = i
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, " ")
	for _, c := range columns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprint(tw, "\tn\ttest_acc\ttrain_loss\tnot done\n")
	for i, g := range groups {
		mark := " "
		if i == best {
			mark = "*"
		}
		fmt.Fprint(tw, mark)
		for _, c := range columns {
			fmt.Fprintf(tw, "\t%s", paramOrDash(g.first, c))
		}
		acc, loss := "-", "-"
		if len(g.acc) > 0 {
			acc = fmt.Sprintf("%.4f", mean(g.acc))
			if len(g.acc) > 1 {
				acc += fmt.Sprintf(" ± %.4f", stddev(g.acc))
			}
			loss = fmt.Sprintf("%.4f", mean(g.loss))
		}
		var notDone []string
		for _, st := range []train.Status{train.Pruned, train.Diverged, train.Failed, train.Interrupted, train.Pending} {
			if g.statuses[st] > 0 {
				notDone = append(notDone, fmt.Sprintf("%d %s", g.statuses[st], st))
			}
		}
		fmt.Fprintf(tw, "\t%d\t%s\t%s\t%s\n", len(g.acc), acc, loss, strings.Join(notDone, ", "))
	}
	tw.Flush()
	if best >= 0 {
		fmt.Fprintf(w, "\n* best final test accuracy: %s\n", describe(groups[best].first, columns))
	}
}

func paramOrDash(c train.Config, name string) string {
	if v := sweep.Param(c, name); v != "" {
		return v
	}
	return "-"
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// stddev is the sample standard deviation (n − 1 in the denominator).
func stddev(xs []float64) float64 {
	m := mean(xs)
	var s float64
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)-1))
}
