package report_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

// TestCompareFinals_Tolerance checks the verdicts at the edges of the tolerance,
// for accuracies (worse when lower) and the loss (worse when higher).
func TestCompareFinals_Tolerance(t *testing.T) {
	cfg := func(seed int64) train.Config {
		return train.Config{Dataset: train.DatasetConfig{Name: "mnist"}, Model: train.ModelConfig{Activation: "relu", Init: "he", Precision: "float32"},
			Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}, Schedule: train.ScheduleConfig{Name: "constant"}, Epochs: 1, BatchSize: 1, Seed: seed}
	}
	run := func(id, seed int64, acc, loss float64) report.FinalRun {
		return report.FinalRun{ID: id, Config: cfg(seed), Status: train.Done, OK: true,
			Final: train.EpochMetrics{Epoch: 1, TestAcc: acc, TrainLoss: loss, ValAcc: math.NaN()}}
	}
	base := map[string]report.FinalRun{"a": run(1, 1, 0.90, 0.30), "b": run(2, 2, 0.90, 0.30), "c": run(3, 3, 0.90, 0.30)}
	tests := []struct {
		name   string
		latest map[string]report.FinalRun
		worse  int
	}{
		{"equal", map[string]report.FinalRun{"a": run(4, 1, 0.90, 0.30), "b": run(5, 2, 0.90, 0.30), "c": run(6, 3, 0.90, 0.30)}, 0},
		{"within tolerance", map[string]report.FinalRun{"a": run(4, 1, 0.896, 0.304), "b": run(5, 2, 0.95, 0.1), "c": run(6, 3, 0.90, 0.30)}, 0},
		{"accuracy fell", map[string]report.FinalRun{"a": run(4, 1, 0.894, 0.30), "b": run(5, 2, 0.90, 0.30), "c": run(6, 3, 0.90, 0.30)}, 1},
		{"loss rose", map[string]report.FinalRun{"a": run(4, 1, 0.90, 0.30), "b": run(5, 2, 0.90, 0.306), "c": run(6, 3, 0.90, 0.30)}, 1},
		{"diverged", map[string]report.FinalRun{"a": run(4, 1, 0.90, 0.30), "b": run(5, 2, 0.90, 0.30), "c": {ID: 6, Config: cfg(3), Status: train.Diverged}}, 1},
	}
	for _, tt := range tests {
		table := report.CompareFinals("x", 1, 2, base, tt.latest, report.CheckOptions{Tolerance: 0.005})
		var sb strings.Builder
		if err := table.WriteText(&sb, true); err != nil {
			t.Fatal(err)
		}
		if table.Worse != tt.worse {
			t.Errorf("%s: %d worse, want %d\n%s", tt.name, table.Worse, tt.worse, sb.String())
		}
	}
}

// TestCompareFinals_Paired checks a configuration of at least MinPairedT
// seeds in both sweeps: compared by its means over the seeds, worse only
// when the mean got worse by more than the tolerance and the paired test
// finds it significant; fewer seeds are compared run by run.
func TestCompareFinals_Paired(t *testing.T) {
	cfg := func(seed int64) train.Config {
		return train.Config{Dataset: train.DatasetConfig{Name: "mnist"}, Model: train.ModelConfig{Activation: "relu", Init: "he", Precision: "float32"},
			Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}, Schedule: train.ScheduleConfig{Name: "constant"}, Epochs: 1, BatchSize: 1, Seed: seed}
	}
	// sweep returns runs of seeds 1…len(accs), keyed by seed, with the
	// final test accuracies accs and training losses 1 − acc.
	sweep := func(first int64, accs ...float64) map[string]report.FinalRun {
		out := map[string]report.FinalRun{}
		for i, acc := range accs {
			seed := int64(i + 1)
			out[fmt.Sprint(seed)] = report.FinalRun{ID: first + seed, Config: cfg(seed), Status: train.Done, OK: true,
				Final: train.EpochMetrics{Epoch: 1, TestAcc: acc, TrainLoss: 1 - acc, ValAcc: math.NaN()}}
		}
		return out
	}
	six := []float64{0.90, 0.91, 0.92, 0.93, 0.94, 0.95}
	tests := []struct {
		name         string
		base, latest map[string]report.FinalRun
		worse        int
		test         report.Method // of the test_acc line; "" for run-by-run lines
		verdict      string        // of the test_acc line
	}{
		{"six seeds equal", sweep(0, six...), sweep(10, six...), 0, report.SignedRank, ""},
		{"six seeds all lower", sweep(0, six...), sweep(10, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94), 6, report.SignedRank, "worse"},
		// One seed fell by 0.05 and five rose a little: the mean fell by
		// 0.0075, more than the tolerance, but p = 0.44: not a regression,
		// where run by run that seed would be one.
		{"six seeds, one fell", sweep(0, six...), sweep(10, 0.85, 0.911, 0.922, 0.933, 0.944, 0.955), 0, report.SignedRank, "~"},
		{"six seeds, one sign within tolerance", sweep(0, six...), sweep(10, 0.899, 0.909, 0.919, 0.929, 0.939, 0.949), 0, report.SignedRank, "~"},
		{"five seeds all lower", sweep(0, six[:5]...), sweep(10, 0.89, 0.901, 0.909, 0.921, 0.93), 5, report.PairedT, "worse"},
		{"four seeds, one fell: run by run", sweep(0, six[:4]...), sweep(10, 0.85, 0.911, 0.922, 0.933), 1, "", "worse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := report.CompareFinals("x", 1, 2, tt.base, tt.latest, report.CheckOptions{Tolerance: 0.005, Metrics: []report.Metric{report.TestAcc}})
			var sb strings.Builder
			if err := table.WriteText(&sb, true); err != nil {
				t.Fatal(err)
			}
			if table.Worse != tt.worse {
				t.Errorf("%d worse, want %d\n%s", table.Worse, tt.worse, sb.String())
			}
			var line *report.CheckLine
			for i := range table.Lines {
				if table.Lines[i].What == string(report.TestAcc) && (line == nil || table.Lines[i].Verdict == tt.verdict) {
					line = &table.Lines[i]
				}
			}
			switch {
			case line == nil:
				t.Fatalf("no test_acc line\n%s", sb.String())
			case tt.test == "" && (line.Test != nil || line.Seeds != 0 || table.Paired != 0):
				t.Errorf("a configuration line (%+v), want run-by-run lines\n%s", *line, sb.String())
			case tt.test != "" && (line.Test == nil || line.Test.Method != tt.test || table.Paired != 1 || len(table.Lines) != 1):
				t.Errorf("line %+v, %d lines, want one tested by %s\n%s", *line, len(table.Lines), tt.test, sb.String())
			case line.Verdict != tt.verdict:
				t.Errorf("verdict %q, want %q\n%s", line.Verdict, tt.verdict, sb.String())
			}
			if tt.test != "" && !strings.Contains(sb.String(), string(tt.test)) {
				t.Errorf("the output does not name the %s\n%s", tt.test, sb.String())
			}
		})
	}
}
