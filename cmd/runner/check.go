package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

const checkUsage = `usage: runner check [flags] NAME

Compares the latest sweep named NAME with the one before it, or with
--baseline (a sweep id), run by run: runs are matched by their key, so only
runs of the same configuration and seed are compared. For each run it prints
the final metrics of both and their deltas, and marks a run "worse" when a
final metric got worse by more than --tolerance (accuracies falling, the
training loss rising, in absolute terms), or when a run that finished done
in the baseline did not finish done now or is missing. Runs trained from the same config
and seed give bit-identical metrics with the same binary on the same CPU, so
any delta means something changed: the code, the data or the machine.

Exit codes: 0 nothing got worse (or there is no earlier sweep to compare
with, which it says), 1 some run got worse, 2 bad usage, 3 database unusable.
Cron mails the output.

Flags:
`

// CheckCommand compares the latest sweep of a name with a baseline.
type CheckCommand struct{ *Main }

// checkMetrics are the final metrics check can compare; higher is better
// for all but train_loss.
var checkMetrics = []string{"test_acc", "val_acc", "train_loss"}

// Run checks the sweep named in args.
func (c *CheckCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	dbPath := fs.String("db", "results.db", "the SQLite database (`path`)")
	baseline := fs.Int64("baseline", 0, "compare with the sweep of this `id` instead of the one before the latest")
	tolerance := fs.Float64("tolerance", 0.005, "the largest worsening of a final metric that is not a regression (absolute)")
	metrics := fs.String("metrics", strings.Join(checkMetrics, ","), "the final metrics to compare, comma-separated")
	fs.Usage = func() { fmt.Fprint(c.Stderr, checkUsage); fs.PrintDefaults() }
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(rest) != 1 {
		return usageErrorf("check: want one sweep name (got %d arguments)", len(rest))
	}
	if !(*tolerance >= 0) {
		return usageErrorf("check: --tolerance must be >= 0 (got %v)", *tolerance)
	}
	var chosen []string
	for _, m := range strings.Split(*metrics, ",") {
		m = strings.TrimSpace(m)
		if !slices.Contains(checkMetrics, m) {
			return usageErrorf("check: unknown metric %q (want some of %s)", m, strings.Join(checkMetrics, ", "))
		}
		chosen = append(chosen, m)
	}
	name := rest[0]
	if err := mustExist(*dbPath); err != nil {
		return err
	}
	db, err := store.OpenReadOnly(ctx, *dbPath)
	if err != nil {
		return withCode(exitDatabase, err)
	}
	defer db.Close()

	ids, err := db.SweepIDs(ctx, name)
	if err != nil {
		return withCode(exitDatabase, err)
	}
	if len(ids) == 0 {
		return usageErrorf("check: no sweep named %q in %s", name, *dbPath)
	}
	latestID, baseID := ids[0], int64(0)
	switch {
	case *baseline != 0:
		baseID = *baseline
	case len(ids) > 1:
		baseID = ids[1]
	default:
		fmt.Fprintf(c.Stdout, "check %s: sweep %d is the only one of that name; nothing to compare with\n", name, latestID)
		return nil
	}
	latest, err := readFinals(ctx, db, latestID)
	if err != nil {
		return err
	}
	base, err := readFinals(ctx, db, baseID)
	if err != nil {
		return err
	}
	worse := printCheck(c.Stdout, name, baseID, latestID, base, latest, chosen, *tolerance)
	if worse > 0 {
		return withCode(exitRunsFailed, errSilent)
	}
	return nil
}

// finalRun is what check knows of one run: its config, status and last epoch.
type finalRun struct {
	id     int64
	cfg    train.Config
	status train.Status
	final  train.EpochMetrics
	ok     bool // an epoch after training was recorded
}

func (f finalRun) metric(name string) float64 {
	if !f.ok {
		return math.NaN()
	}
	switch name {
	case "test_acc":
		return f.final.TestAcc
	case "val_acc":
		return f.final.ValAcc
	}
	return f.final.TrainLoss
}

// readFinals reads the runs of a sweep by key.
func readFinals(ctx context.Context, db *store.DB, sweepID int64) (map[string]finalRun, error) {
	if _, err := db.Sweep(ctx, sweepID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, usageErrorf("check: no sweep with id %d", sweepID)
		}
		return nil, withCode(exitDatabase, err)
	}
	runs, err := db.Runs(ctx, sweepID)
	if err != nil {
		return nil, withCode(exitDatabase, err)
	}
	out := make(map[string]finalRun, len(runs))
	for _, r := range runs {
		ms, err := db.Epochs(ctx, r.ID)
		if err != nil {
			return nil, withCode(exitDatabase, err)
		}
		f := finalRun{id: r.ID, cfg: r.Config, status: r.Status}
		if len(ms) > 1 {
			f.final, f.ok = ms[len(ms)-1], true
		}
		out[r.Key] = f
	}
	return out, nil
}

// printCheck writes the comparison table and returns how many runs got worse.
func printCheck(w io.Writer, name string, baseID, latestID int64, base, latest map[string]finalRun, metrics []string, tol float64) int {
	// The rows follow the latest sweep's run ids: its expansion order.
	var keys []string
	for k := range latest {
		if _, ok := base[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(latest[a].id, latest[b].id) })
	configs := make([]train.Config, len(keys))
	for i, k := range keys {
		configs[i] = latest[k].cfg
	}
	varying := sweep.Varying(configs)
	fmt.Fprintf(w, "check %s: sweep %d against sweep %d, %d runs in both, tolerance %g\n\n", name, latestID, baseID, len(keys), tol)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, strings.Join(append(append([]string{}, varying...), "metric", "baseline", "latest", "delta", ""), "\t")+"\n")
	worse := 0
	for i, k := range keys {
		b, l := base[k], latest[k]
		desc := make([]string, len(varying))
		for j, v := range varying {
			desc[j] = sweep.Param(configs[i], v)
		}
		runWorse := false
		if b.status == train.Done && l.status != train.Done {
			fmt.Fprint(tw, strings.Join(append(desc, "status", string(b.status), string(l.status), "", "worse"), "\t")+"\n")
			runWorse = true
		}
		for _, m := range metrics {
			bv, lv := b.metric(m), l.metric(m)
			if math.IsNaN(bv) && math.IsNaN(lv) {
				continue
			}
			d := lv - bv
			verdict := ""
			bad := d < -tol
			if m == "train_loss" {
				bad = d > tol
			}
			switch {
			case math.IsNaN(d):
			case bad:
				verdict, runWorse = "worse", true
			case d != 0:
				verdict = "~"
			}
			fmt.Fprint(tw, strings.Join(append(desc, m, fmtMetric(bv), fmtMetric(lv), fmtDelta(d), verdict), "\t")+"\n")
		}
		if runWorse {
			worse++
		}
	}
	tw.Flush()
	onlyBase, onlyLatest := 0, 0
	for k := range base {
		if _, ok := latest[k]; !ok {
			onlyBase++
		}
	}
	for k := range latest {
		if _, ok := base[k]; !ok {
			onlyLatest++
		}
	}
	if onlyBase+onlyLatest > 0 {
		fmt.Fprintf(w, "\nnot compared: %d runs only in the baseline, %d only in the latest sweep\n", onlyBase, onlyLatest)
	}
	// A run of the baseline that the latest sweep lacks is a regression
	// too: with no run in common, nothing could be checked at all.
	if onlyBase > 0 {
		fmt.Fprintf(w, "\n%d runs of the baseline are missing from the latest sweep\n", onlyBase)
		worse += onlyBase
	}
	if worse > 0 {
		fmt.Fprintf(w, "\n%d of %d runs got worse by more than %g or are missing\n", worse, len(base), tol)
	} else {
		fmt.Fprintf(w, "\nno run got worse by more than %g\n", tol)
	}
	return worse
}

func fmtMetric(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func fmtDelta(d float64) string {
	if math.IsNaN(d) {
		return "-"
	}
	return fmt.Sprintf("%+.4f", d)
}

// mustExist is a database error (exit 3) when the file does not exist: the
// commands that read one never create it.
func mustExist(path string) error {
	if _, err := os.Stat(path); err != nil {
		return withCode(exitDatabase, fmt.Errorf("database %s: %w", path, err))
	}
	return nil
}
