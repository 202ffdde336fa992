package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MergeFilesResult is what MergeFiles did.
type MergeFilesResult struct {
	MergeResult
	Skipped []string // files among the sources that are the target itself
	// NotCreated is set when the target did not exist and the merge (a dry
	// run, or one that failed) left none behind.
	NotCreated bool
}

// MergeFiles merges the results databases at files into the one at into,
// creating it if needed, as Merge does (one transaction; see MergeOptions).
// Every source is opened read-only, and so checked, before the target is
// touched; the target among the files is skipped. The target is opened
// through OpenWriter (wait says whether to wait for another writer). When
// the target did not exist and the merge fails or is a dry run, the file
// made for it is removed again: there was none before.
func MergeFiles(ctx context.Context, into string, files []string, opt MergeOptions, wait bool) (MergeFilesResult, error) {
	var res MergeFilesResult
	var sources []*DB
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()
	for _, f := range files {
		if sameFile(f, into) {
			res.Skipped = append(res.Skipped, f)
			continue
		}
		src, err := OpenReadOnly(ctx, f)
		if err != nil {
			return res, sourceError(f, err)
		}
		sources = append(sources, src)
	}

	_, statErr := os.Stat(into)
	created := errors.Is(statErr, fs.ErrNotExist)
	target, closeTarget, err := OpenWriter(ctx, into, wait, nil)
	if err != nil {
		return res, err
	}
	res.MergeResult, err = target.Merge(ctx, sources, opt)
	closeTarget()
	if created && (err != nil || opt.DryRun) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(into + suffix)
		}
		res.NotCreated = true
	}
	if err != nil {
		if ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		return res, fmt.Errorf("%w; %s is unchanged", err, into)
	}
	return res, nil
}

// sameFile reports whether the paths name one file (both existing).
func sameFile(a, b string) bool {
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
		return fmt.Errorf("merge: no results database at %s: %w", file, err)
	case errors.Is(err, ErrOlderSchema):
		return fmt.Errorf("merge: %w (runner schema --migrate --db %s brings it up to date)", err, file)
	}
	return fmt.Errorf("merge: %w", err)
}
