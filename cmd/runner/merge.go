package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"runner/internal/store"
	"runner/internal/sweep"
)

var mergeCommand = &command{
	name:    "merge",
	summary: "merge shard files (or any results databases) into one",
	usage: `usage: runner merge --into TARGET [flags] FILE...

Merges the sweeps, runs, epochs and steps of the results databases FILE...
(the shard files of runner run --shard, or any results.db) into TARGET,
creating it if needed, in one transaction: if anything is refused or fails,
TARGET is left as it was. The files are only read.

The shards of one launch (the same sweep uid and name) become one sweep of
TARGET, and a shard merged later joins it. Another sweep goes into the sweep
of TARGET with the same name, spec hash, start time and host, or a new one.
Runs are matched by run key: a run TARGET lacks is added; one it holds with
the same results (times aside) is left alone, so merging a file twice
changes nothing; one it holds unfinished is replaced by a copy that has
finished or got further (a shard merged while it ran, then resumed); one it
holds finished is kept. Merged in one command, the runs of a sweep get ids
in the sweep's order, as if one process had trained them.

A merged sweep records the shards it holds (sweeps.shards, a JSON array of
each shard's status, host, times and runs) and is done when all of them are
there and done; failed or interrupted when all are there, finished, and one
failed or was interrupted; running while shards are missing or unfinished.

Refused, with TARGET unchanged (exit 3): a file of another schema version
(runner schema --migrate --db FILE brings an older one up to date), not a
runner database, a sweep whose spec (spec_hash) or shard count differs from
the rest of its launch (was the file edited while the array was queued?),
or a run finished in two files with different results (two launches with
one sweep uid: give each its own RUNNER_SWEEP_UID). TARGET itself among the
FILEs is skipped. Like run, merge is a writer: while a runner writes TARGET
it exits with code 5, or waits with --wait.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		into := fs.String("into", "", "the results database to merge into (`path`, required)")
		wait := fs.Bool("wait", false, "wait while a runner writes the target, instead of exiting with code 5")
		dryRun := fs.Bool("dry-run", false, "merge in a transaction and roll it back: print what would change, change no row (a missing target is created empty)")
		return func(ctx context.Context, m *Main, files []string) error {
			if *into == "" {
				return usageErrorf("merge: --into TARGET is required")
			}
			if len(files) == 0 {
				return usageErrorf("merge: no file to merge given")
			}
			res, err := store.MergeFiles(ctx, *into, files, store.MergeOptions{Order: runOrder, DryRun: *dryRun}, *wait)
			for _, f := range res.Skipped {
				fmt.Fprintf(m.Stderr, "merge: skipping %s: it is the target\n", f)
			}
			switch {
			case errors.Is(err, store.ErrLocked), errors.Is(err, context.Canceled):
				return err
			case err != nil:
				return withCode(exitDatabase, err)
			}
			printMerge(m.Stdout, *into, res.MergeResult)
			switch {
			case *dryRun && res.NotCreated:
				fmt.Fprintf(m.Stdout, "dry run: %s was not created\n", *into)
			case *dryRun:
				fmt.Fprintf(m.Stdout, "dry run: %s is unchanged\n", *into)
			}
			return nil
		}
	},
}

// runOrder gives the position of every run of s in its sweep's order,
// from the spec recorded with it (see sweep.RunOrder).
func runOrder(s store.SweepRecord) map[string]int {
	return sweep.RunOrder(s.File, s.Spec, s.Overrides, s.SpecHash)
}

// printMerge reports what a merge did: a line per source sweep, then one
// per sweep of the target.
func printMerge(w io.Writer, into string, res store.MergeResult) {
	for _, ms := range res.Sweeps {
		for _, f := range ms.From {
			what := fmt.Sprintf("sweep %d", f.SweepID)
			if f.Shards != nil {
				what += fmt.Sprintf(" (shard %s of %d)", joinInts(f.Shards), ms.ShardCount)
			}
			var counts []string
			for _, c := range []struct {
				n    int
				what string
			}{{f.Added, "added"}, {f.Updated, "updated"}, {f.Unchanged, "unchanged"}, {f.Kept, "older than the target's, left aside"}} {
				if c.n > 0 {
					counts = append(counts, fmt.Sprintf("%d %s", c.n, c.what))
				}
			}
			if len(counts) == 0 {
				counts = []string{"no runs"}
			}
			fmt.Fprintf(w, "%s: %s → sweep %d: runs %s\n", f.File, what, ms.ID, strings.Join(counts, ", "))
		}
	}
	for _, ms := range res.Sweeps {
		created := ""
		if ms.Created {
			created = ", new"
		}
		line := fmt.Sprintf("%s: sweep %q (id %d%s) %s, %d runs", into, ms.Name, ms.ID, created, ms.Status, ms.Runs)
		if ms.ShardCount > 0 {
			var have, missing []int
			var notDone []string
			for _, p := range ms.Shards {
				have = append(have, p.Index)
				if p.Status != "done" {
					notDone = append(notDone, fmt.Sprintf("shard %d %s", p.Index, p.Status))
				}
			}
			for i := range ms.ShardCount {
				if !slices.Contains(have, i) {
					missing = append(missing, i)
				}
			}
			line += fmt.Sprintf("; shards %s of %d", joinInts(have), ms.ShardCount)
			if len(missing) > 0 {
				line += "; missing " + joinInts(missing)
			}
			if len(notDone) > 0 {
				line += "; " + strings.Join(notDone, ", ")
			}
		}
		fmt.Fprintln(w, line)
	}
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
