package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"runner/internal/report"
)

// runReport runs `runner compare` or `runner plot` with args through the
// command's own code path, as runMain does for the dispatched commands, and
// returns its exit code, standard output and standard error.
func runReport(t *testing.T, command string, args ...string) (int, string, string) {
	t.Helper()
	if command != "compare" && command != "plot" {
		t.Fatalf("unknown command %q", command)
	}
	return runMain(t, append([]string{command}, args...)...)
}

// trainTiny trains tinySweep n times into a new database (sweeps 1…n,
// identical configs and seeds, so identical metrics) and returns its path.
func trainTiny(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := filepath.Join(dir, "results.db")
	for range n {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", file); code != exitOK {
			t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	return dbPath
}

// TestCompareTinySweep compares a real tiny sweep: one row per
// configuration (2 seeds pooled), the varying hyperparameters as columns,
// best first, and two identical sweeps side by side, every difference ~.
func TestCompareTinySweep(t *testing.T) {
	dbPath := trainTiny(t, 2)
	cell := `0\.\d{4} ± 0\.\d{4}  2`
	tests := []struct {
		name string
		args []string
		want []string // regular expressions, each matching a line
		rows int      // lines matching row
		row  string
	}{
		{
			name: "latest sweep",
			args: []string{"--db", dbPath},
			want: []string{`^sweep "tiny" \(id 2, done, 16 runs\): final test_acc, mean ± sd over seeds$`,
				`^ +hidden +optimizer +lr +schedule +test_acc +n$`, `^\*  best: .* \(highest mean test_acc\)$`},
			rows: 8, row: `^[ *]  (20|16-8) +(sgd|adam) +(0\.1|0\.001) +(constant|step) +` + cell + `$`,
		},
		{
			name: "by id, best validation accuracy",
			args: []string{"1", "--db", dbPath, "--metric", "val_acc", "--best"},
			want: []string{`^sweep "tiny" \(id 1, done, 16 runs\): best val_acc over epochs`},
			rows: 8, row: cell + `$`,
		},
		{
			name: "by name, loss",
			args: []string{"tiny", "--metric=train_loss", "--db", dbPath},
			want: []string{`\(id 2, .*final train_loss`, `^\*  best: .* \(lowest mean train_loss\)$`},
			rows: 8, row: `\d\.\d{4} ± 0\.\d{4}  2$`,
		},
		{
			name: "two sweeps",
			args: []string{"--db", dbPath, "1", "2"},
			want: []string{`^A: sweep "tiny" \(id 1, done, 16 runs\)$`, `^B: sweep "tiny" \(id 2, done, 16 runs\)$`,
				`B − A$`, `^\*  best in B: .*; in A too\)$`, `^¹  need ≥ 5 seeds on both sides to test the difference`},
			rows: 8, row: cell + `  ` + cell + `  ~ \(n=2\) ¹$`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReport(t, "compare", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(`(?m)` + w).MatchString(stdout) {
					t.Errorf("no line matches %s:\n%s", w, stdout)
				}
			}
			if n := len(regexp.MustCompile(`(?m)`+tt.row).FindAllString(stdout, -1)); n != tt.rows {
				t.Errorf("%d rows match %s, want %d:\n%s", n, tt.row, tt.rows, stdout)
			}
			if strings.Count(stdout, "*") != 2 {
				t.Errorf("want one row marked best and its footnote:\n%s", stdout)
			}
		})
	}
}

// TestCompareErrors checks the exit codes and messages of bad arguments
// and unusable databases.
func TestCompareErrors(t *testing.T) {
	dbPath := trainTiny(t, 1)
	dir := t.TempDir()
	notDB := writeFile(t, dir, "notes.txt", "not a database\n")
	noValidation := writeFile(t, dir, "noval.yaml", strings.Replace(tinySweep, "validation: 0.2", "validation: 0", 1))
	noValDB := filepath.Join(dir, "noval.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", noValDB, noValidation); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown sweep name", []string{"--db", dbPath, "ch7"}, exitUsage, `no sweep has id or name "ch7"`},
		{"unknown sweep id", []string{"--db", dbPath, "1", "9"}, exitUsage, `no sweep has id or name "9"`},
		{"three sweeps", []string{"--db", dbPath, "1", "1", "1"}, exitUsage, "at most two sweeps"},
		{"unknown metric", []string{"--db", dbPath, "--metric", "acc"}, exitUsage, `unknown metric "acc"`},
		{"bad alpha", []string{"--db", dbPath, "--alpha", "5"}, exitUsage, "--alpha must be in (0, 1)"},
		{"unknown flag", []string{"--db", dbPath, "--bets"}, exitUsage, "flag provided but not defined: -bets"},
		{"no validation", []string{"--db", noValDB, "--metric", "val_acc"}, exitUsage, "no val_acc"},
		{"missing database", []string{"--db", filepath.Join(dir, "missing.db")}, exitDatabase, "missing.db"},
		{"not a database", []string{"--db", notDB}, exitDatabase, "not an SQLite database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReport(t, "compare", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q (stdout %q)", code, stderr, tt.code, tt.want, stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Errorf("compare created the missing database: %v", err)
	}
}

// TestCompareHelp checks that -h prints the usage with the flags to
// standard output and exits 0.
func TestCompareHelp(t *testing.T) {
	for _, command := range []string{"compare", "plot"} {
		code, stdout, _ := runReport(t, command, "-h")
		if code != exitOK {
			t.Errorf("%s -h: exit %d", command, code)
		}
		if !strings.HasPrefix(stdout, "usage: runner "+command) {
			t.Errorf("%s -h: the usage is not on standard output:\n%s", command, stdout)
		}
		if !strings.Contains(stdout, "-db path") {
			t.Errorf("%s -h: no -db flag:\n%s", command, stdout)
		}
	}
}

// pairSweep is a real tiny sweep of one optimizer, for comparing two.
const pairSweep = `
name: %s
dataset: {train_limit: 500}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: %s}
optimizers:
  - %s
`

// TestCompareSeeds trains SGD and Adam into two sweeps over the same seeds
// and compares them: with 3 seeds, compare asks for more rather than give
// a p-value, though Welch's t-test of those very values gives p < 0.05;
// with 6, the runs are paired by seed and Adam's gain, on every seed, is
// significant by the signed-rank test: p = 2/2^6.
func TestCompareSeeds(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	train := func(name, seeds, optimizer string) {
		file := writeFile(t, dir, name+".yaml", fmt.Sprintf(pairSweep, name, seeds, optimizer))
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", file); code != exitOK {
			t.Fatalf("run %s: exit %d\n%s\n%s", name, code, stdout, stderr)
		}
	}
	train("sgd3", "[1, 2, 3]", "{name: sgd, lr: 0.01}")
	train("adam3", "[1, 2, 3]", "{name: adam, lr: 0.01}")
	train("sgd6", "[1, 2, 3, 4, 5, 6]", "{name: sgd, lr: 0.01}")
	train("adam6", "[1, 2, 3, 4, 5, 6]", "{name: adam, lr: 0.01}")

	// Welch's t-test of the 3-seed sweeps' values, as compare would have
	// run it before it asked for 5 seeds.
	db, err := openReadOnly(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var values [2][]float64
	for i, id := range []int64{1, 2} {
		s, err := report.Load(context.Background(), db, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Runs {
			values[i] = append(values[i], r.Epochs[len(r.Epochs)-1].TestAcc)
		}
	}
	welch, err := report.WelchTTest(values[0], values[1])
	if err != nil || len(values[0]) != 3 || !(welch.P < 0.05) {
		t.Fatalf("Welch's test of the 3-seed sweeps: %+v, %v (values %v): want p < 0.05", welch, err, values)
	}

	tests := []struct {
		name string
		args []string
		want []string // regular expressions, each matching a line
	}{
		{"3 seeds", []string{"sgd3", "adam3"}, []string{
			`^\*  0\.\d{4} ± 0\.\d{4}  3  0\.\d{4} ± 0\.\d{4}  3  ~ \(n=3\) ¹$`,
			`^¹  need ≥ 5 seeds on both sides to test the difference \(6 for the signed-rank test\)$`,
			`^note: no configuration is in both sweeps: they differ in optimizer \(sgd vs adam\); each sweep's runs compared as one configuration$`}},
		{"6 seeds", []string{"sgd6", "adam6"}, []string{
			`^\*  0\.\d{4} ± 0\.\d{4}  6  0\.\d{4} ± 0\.\d{4}  6  \+0\.\d{4} \(p=0\.031 n=6\) ¹$`,
			`^¹  Wilcoxon signed-rank test \(exact\), runs paired by seed$`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReport(t, "compare", append([]string{"--db", dbPath}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(`(?m)` + w).MatchString(stdout) {
					t.Errorf("no line matches %s:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "p=") && tt.name == "3 seeds" {
				t.Errorf("a p-value from 3 seeds:\n%s", stdout)
			}
		})
	}
}

// TestCheckSeeds trains a 6-seed sweep twice: check compares its one
// configuration by its means over the seeds paired by seed, finds nothing
// changed, exits 0 and prints at most 5 lines; --verbose shows the line
// with its test.
func TestCheckSeeds(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	file := writeFile(t, dir, "seeds.yaml", fmt.Sprintf(pairSweep, "seeds", "[1, 2, 3, 4, 5, 6]", "{name: sgd, lr: 0.1}"))
	for range 2 {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", file); code != exitOK {
			t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	code, stdout, stderr := runMain(t, "check", "--db", dbPath, "seeds")
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"6 runs in both", "1 configuration of ≥ 5 seeds compared by their means", "no run got worse"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check does not say %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "\n"); n > 5 {
		t.Errorf("check of two equal sweeps prints %d lines, want at most 5:\n%s", n, stdout)
	}
	_, verbose, _ := runMain(t, "check", "--verbose", "--db", dbPath, "seeds")
	if !regexp.MustCompile(`(?m)^6 seeds +test_acc +0\.\d{4} +0\.\d{4} +\+0\.0000 +p=1\.000 n=6 ¹$`).MatchString(verbose) ||
		!strings.Contains(verbose, "¹  Wilcoxon signed-rank test (exact), runs paired by seed") {
		t.Errorf("check --verbose: no test_acc line over 6 seeds with its test:\n%s", verbose)
	}
	if code, _, stderr := runMain(t, "check", "--db", dbPath, "--alpha", "1", "seeds"); code != exitUsage || !strings.Contains(stderr, "--alpha must be in (0, 1)") {
		t.Errorf("check --alpha 1: exit %d\n%s", code, stderr)
	}
}
