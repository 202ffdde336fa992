package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/lockfile"
	"runner/internal/shard"
	"runner/internal/store"
)

// TestMergeRefusesAnotherSpec merges shard files of one launch, one of
// which was trained from an edited file: the merge fails on it, after the
// file before it was merged in the same transaction, and leaves the target
// as it was, byte for byte.
func TestMergeRefusesAnotherSpec(t *testing.T) {
	noShardEnv(t)
	t.Setenv(shard.EnvSweepUID, "launch-7")
	dir := t.TempDir()
	file := writeFile(t, dir, "sharded.yaml", shardSweep)
	shard := func(name, which string, sets ...string) string {
		p := filepath.Join(dir, name)
		args := append([]string{"run", "--quiet", "--shard", which, "--db", p}, sets...)
		if code, stdout, stderr := runMain(t, append(args, file)...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", name, code, stdout, stderr)
		}
		return p
	}
	s0, s1 := shard("shard-0.db", "0/3"), shard("shard-1.db", "1/3")
	edited := shard("shard-2.db", "2/3", "--set", "train.epochs=1")

	target := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMerge(t, "--into", target, s0); code != exitOK {
		t.Fatalf("merge of shard 0: exit %d\n%s\n%s", code, stdout, stderr)
	}
	before, beforeFile := dataChecksum(t, target), fileSum(t, target)

	code, stdout, stderr := runMerge(t, "--into", target, s1, edited)
	if code != exitDatabase || stdout != "" {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitDatabase, stdout, stderr)
	}
	for _, want := range []string{edited + `: sweep "sharded" (id 1, shard 2/3 of sweep uid "launch-7")`, "its spec differs",
		"spec_hash ", "the same file with the same --set", target + " is unchanged"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if after := dataChecksum(t, target); after != before {
		t.Errorf("the failed merge changed the target:\n%s\n%s", before, after)
	}
	if fileSum(t, target) != beforeFile {
		t.Error("the failed merge changed the target's file")
	}
	if n := count(t, target, `SELECT count(*) FROM sweeps WHERE status = 'running' AND json_array_length(shards) = 1`); n != 1 {
		t.Error("the target's sweep is not still running with shard 0 only")
	}

	// Without the edited file, the merge goes through, and says what is missing.
	code, stdout, stderr = runMerge(t, "--into", target, s1)
	if code != exitOK || !strings.Contains(stdout, `sweep "sharded" (id 1) running, 8 runs; shards 0, 1 of 3; missing 2`) {
		t.Errorf("merge of shard 1: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestMergeErrors(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--shard", "0/2", "--db", good, "--set", "train.seeds=[1]",
		writeFile(t, dir, "sharded.yaml", shardSweep)); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	older := filepath.Join(dir, "older.db")
	w, err := store.Open(context.Background(), older)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.SQLDB().Exec(`PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	notes := writeFile(t, dir, "notes.txt", "optimizer,lr\nsgd,0.1\n")
	missing := filepath.Join(dir, "missing.db")
	target := filepath.Join(dir, "results.db")

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no --into", []string{good}, exitUsage, "--into TARGET is required"},
		{"no file", []string{"--into", target}, exitUsage, "no file to merge given"},
		{"unknown flag", []string{"--into", target, "--force", good}, exitUsage, "flag provided but not defined: -force"},
		{"missing file", []string{"--into", target, good, missing}, exitDatabase, "no results database at " + missing},
		{"not SQLite", []string{"--into", target, good, notes}, exitDatabase, "not an SQLite database"},
		{"older schema", []string{"--into", target, older, good}, exitDatabase, "runner schema --migrate --db " + older},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMerge(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(target); !os.IsNotExist(err) {
				t.Errorf("the target was created (%v)", err)
			}
		})
	}

	// Another writer holds the target: exit 5 at once.
	lock, err := lockfile.Acquire(context.Background(), target, false)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMerge(t, "--into", target, good)
	lock.Release()
	if code != exitLocked || !strings.Contains(stderr, "being written by another runner") {
		t.Errorf("locked target: exit %d\n%s", code, stderr)
	}

	// A dry run writes no row, and into a new target leaves no file.
	code, stdout, stderr := runMerge(t, "--into", target, "--dry-run", good)
	if code != exitOK || !strings.Contains(stdout, "runs 3 added") || !strings.Contains(stdout, "dry run: "+target+" was not created") {
		t.Errorf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a dry run left %s behind (%v)", target, err)
	}
	// The target among the files is skipped (an empty results database here).
	empty, err := store.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	empty.Close()
	code, stdout, stderr = runMerge(t, "--into", target, target, good)
	if code != exitOK || !strings.Contains(stderr, "skipping "+target+": it is the target") || !strings.Contains(stdout, "runs 3 added") {
		t.Errorf("target among the files: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
