package sweep_test

import (
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

func TestShortNumber(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0.006127394012345678", "0.006127"},
		{"0.0003415", "0.0003415"},
		{"123.456789", "123.5"},
		{"60000", "60000"},
		{"1e-07", "1e-07"},
		{"2.6412345e-08", "2.641e-08"},
		{"0.1", "0.1"},
		{"he", "he"},
		{"100-100", "100-100"},
		{"+Inf", "+Inf"},
	} {
		if got := sweep.ShortNumber(tt.in); got != tt.want {
			t.Errorf("ShortNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Short drops a warm-up of 0 epochs, which means none, and shortens numbers.
func TestShort(t *testing.T) {
	c := train.Config{Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.006127394012345678}, Schedule: train.ScheduleConfig{Name: "constant"}}
	if got := sweep.Short(c, "warmup"); got != "" {
		t.Errorf("warmup 0: %q, want none", got)
	}
	if got := sweep.Short(c, "lr"); got != "0.006127" {
		t.Errorf("lr: %q", got)
	}
	c.Schedule.Warmup = 2
	if got := sweep.Short(c, "warmup"); got != "2" {
		t.Errorf("warmup 2: %q", got)
	}
	configs := []train.Config{c, c}
	configs[0].Schedule.Warmup = 0
	if got := sweep.Describe(configs[0], sweep.Varying(configs)); got != "warmup=0" {
		t.Errorf("Describe of the run without warm-up, when only warm-up varies: %q", got)
	}
	configs[1].Optimizer.LR = 0.1
	if got := sweep.Describe(configs[0], sweep.Varying(configs)); got != "lr=0.006127" {
		t.Errorf("Describe: %q", got)
	}
}
