package report_test

import (
	"math"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

// searchRun is a done run of a random search on a validation split, whose
// last epoch has the given validation and test accuracies.
func searchRun(lr float64, schedule train.ScheduleConfig, val, test float64) report.Run {
	c := train.Config{
		Dataset:   train.DatasetConfig{Name: "mnist", TrainLimit: 500, Validation: 0.2, SplitSeed: 1},
		Model:     train.ModelConfig{Hidden: []int{100}, Activation: "relu", Init: "he", Precision: "float32"},
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: lr},
		Schedule:  schedule,
		Epochs:    2, BatchSize: 100, Seed: 1,
	}
	return report.Run{Config: c, Status: train.Done, Epochs: []train.EpochMetrics{
		{Epoch: 2, TrainLoss: 0.5, TrainAcc: 0.9, ValAcc: val, TestAcc: test},
	}}
}

// The summary of a sweep with a validation split ranks its configurations
// by validation accuracy, as a search ranks its trials, and shows it; its
// numbers are short and a schedule without warm-up does not say warmup=0.
func TestSummaryRanksByValidation(t *testing.T) {
	constant := train.ScheduleConfig{Name: "constant"}
	s := &report.Sweep{ID: 2, Name: "search", Status: "done", Runs: []report.Run{
		searchRun(0.006127394012345678, constant, 0.91, 0.95),                             // best on test
		searchRun(0.0004411, train.ScheduleConfig{Name: "cosine", Warmup: 1}, 0.93, 0.90), // best on validation
		searchRun(0.0001, constant, 0.80, 0.85),
	}}
	var b strings.Builder
	sum := s.Summarize(0, "results.db")
	if err := sum.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if sum.Best != 1 {
		t.Errorf("best row %d, want 1 (the highest val_acc)\n%s", sum.Best, text)
	}
	for _, want := range []string{"val_acc", "0.006127 ", "* best final validation accuracy: lr=0.0004411 schedule=cosine warmup=1"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	for _, not := range []string{"0.0061273940", "warmup=0"} {
		if strings.Contains(text, not) {
			t.Errorf("%q in\n%s", not, text)
		}
	}

	// Without a validation split: by test accuracy, as before.
	for i := range s.Runs {
		s.Runs[i].Config.Dataset.Validation = 0
		s.Runs[i].Epochs[0].ValAcc = math.NaN()
	}
	b.Reset()
	sum = s.Summarize(0, "results.db")
	sum.WriteText(&b)
	if sum.Best != 0 || strings.Contains(b.String(), "val_acc") || !strings.Contains(b.String(), "best final test accuracy") {
		t.Errorf("without validation: best row %d\n%s", sum.Best, b.String())
	}
}
