package report_test

import (
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
