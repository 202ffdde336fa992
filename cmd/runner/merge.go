package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"runner/internal/store"
	"runner/internal/sweep"
)

const mergeUsage = `usage: runner merge --into TARGET [flags] FILE...

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

Flags:
`

// errDryRunNew marks a dry run into a database that did not exist, which is
// then removed again.
var errDryRunNew = errors.New("dry run into a new database")

// MergeCommand merges results databases.
type MergeCommand struct{ *Main }

// Run merges the files named in args into --into.
func (c *MergeCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("merge", flag.ContinueOnError)
	fset.SetOutput(c.Stderr)
	into := fset.String("into", "", "the results database to merge into (`path`, required)")
	wait := fset.Bool("wait", false, "wait while a runner writes the target, instead of exiting with code 5")
	dryRun := fset.Bool("dry-run", false, "merge in a transaction and roll it back: print what would change, change no row (a missing target is created empty)")
	fset.Usage = func() { fmt.Fprint(c.Stderr, mergeUsage); fset.PrintDefaults() }
	files, err := parseInterspersed(fset, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if *into == "" {
		return usageErrorf("merge: --into TARGET is required")
	}
	if len(files) == 0 {
		return usageErrorf("merge: no file to merge given")
	}

	// Every source is opened, and so checked, before the target is touched.
	var sources []*store.DB
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()
	for _, f := range files {
		if same(f, *into) {
			fmt.Fprintf(c.Stderr, "merge: skipping %s: it is the target\n", f)
			continue
		}
		src, err := store.OpenReadOnly(ctx, f)
		if err != nil {
			return withCode(exitDatabase, sourceError(f, err))
		}
		sources = append(sources, src)
	}

	_, statErr := os.Stat(*into)
	created := errors.Is(statErr, os.ErrNotExist)
	target, closeTarget, err := openWriter(ctx, *into, *wait, nil)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			closeTarget()
		}
	}()

	res, err := target.Merge(ctx, sources, store.MergeOptions{Order: sweepOrder, DryRun: *dryRun})
	if err == nil && *dryRun && created {
		err = errDryRunNew
	}
	if err != nil {
		if created {
			// The merge made the file only to fail (or to try): leave no
			// empty database behind, as there was none before.
			closeTarget()
			closed = true
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(*into + suffix)
			}
		}
		if errors.Is(err, errDryRunNew) {
			printMerge(c.Stdout, *into, res)
			fmt.Fprintf(c.Stdout, "dry run: %s was not created\n", *into)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return withCode(exitDatabase, fmt.Errorf("%w; %s is unchanged", err, *into))
	}
	printMerge(c.Stdout, *into, res)
	if *dryRun {
		fmt.Fprintf(c.Stdout, "dry run: %s is unchanged\n", *into)
	}
	return nil
}

// same reports whether the paths name one file (both existing).
func same(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// sourceError explains why a file cannot be merged.
func sourceError(file string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("merge: no results database at %s", file)
	case errors.Is(err, store.ErrOlderSchema):
		return fmt.Errorf("merge: %w (runner schema --migrate --db %s brings it up to date)", err, file)
	}
	return fmt.Errorf("merge: %w", err)
}

// sweepOrder gives the position of every run of s in its sweep by
// expanding the spec recorded with it, or nil when that spec does not
// expand to the sweep it hashed to (another runner's parser, a spec
// written by hand): merge then keeps the order of the files.
func sweepOrder(s store.Sweep) map[string]int {
	spec, err := sweep.Parse(s.File, []byte(s.Spec), s.Overrides)
	if err != nil || spec.Hash() != s.SpecHash {
		return nil
	}
	n, err := spec.Count()
	if err != nil || n > 1_000_000 {
		return nil
	}
	configs, err := spec.Expand(n)
	if err != nil {
		return nil
	}
	pos := make(map[string]int, len(configs))
	for i, c := range configs {
		pos[c.Key()] = i
	}
	return pos
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
