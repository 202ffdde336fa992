package optim_test

import (
	"math"
	"strings"
	"testing"

	"runner/internal/optim"
)

func TestSchedule_Rate(t *testing.T) {
	// Ten steps per epoch throughout.
	step := optim.StepDecay{LR: 0.1, Gamma: 0.5, Every: 2, StepsPerEpoch: 10}
	cosine := optim.Cosine{LR: 0.1, MinLR: 0.001, TotalSteps: 100}
	tests := []struct {
		name  string
		sched optim.Schedule
		step  int
		want  float64
	}{
		{"constant/first", optim.Constant{LR: 0.1}, 0, 0.1},
		{"constant/late", optim.Constant{LR: 0.1}, 1_000_000, 0.1},

		{"step/first", step, 0, 0.1},
		{"step/last of epoch 1", step, 19, 0.1},
		{"step/first of epoch 2", step, 20, 0.05},
		{"step/last of epoch 3", step, 39, 0.05},
		{"step/epoch 4", step, 40, 0.025},
		{"step/epoch 6", step, 65, 0.0125},
		{"step/every epoch", optim.StepDecay{LR: 1, Gamma: 0.1, Every: 1, StepsPerEpoch: 1}, 3, 1e-3},

		{"exponential/first", optim.Exponential{LR: 0.1, Gamma: 0.9, StepsPerEpoch: 10}, 0, 0.1},
		{"exponential/last of epoch 0", optim.Exponential{LR: 0.1, Gamma: 0.9, StepsPerEpoch: 10}, 9, 0.1},
		{"exponential/epoch 1", optim.Exponential{LR: 0.1, Gamma: 0.9, StepsPerEpoch: 10}, 10, 0.09},
		{"exponential/epoch 2", optim.Exponential{LR: 0.1, Gamma: 0.9, StepsPerEpoch: 10}, 25, 0.081},

		{"inverse time/first", optim.InverseTime{LR: 0.1, K: 0.5, StepsPerEpoch: 10}, 0, 0.1},
		{"inverse time/last of epoch 0", optim.InverseTime{LR: 0.1, K: 0.5, StepsPerEpoch: 10}, 9, 0.1},
		{"inverse time/epoch 1", optim.InverseTime{LR: 0.1, K: 0.5, StepsPerEpoch: 10}, 10, 0.1 / 1.5},
		{"inverse time/epoch 2", optim.InverseTime{LR: 0.1, K: 0.5, StepsPerEpoch: 10}, 29, 0.05},

		{"cosine/first", cosine, 0, 0.1},
		{"cosine/quarter", cosine, 25, 0.001 + 0.099*(1+math.Sqrt2/2)/2},
		{"cosine/half", cosine, 50, 0.0505},
		{"cosine/three quarters", cosine, 75, 0.001 + 0.099*(1-math.Sqrt2/2)/2},
		{"cosine/end", cosine, 100, 0.001},
		{"cosine/past the end", cosine, 101, 0.001},
		{"cosine/far past the end", cosine, 10_000, 0.001},
		{"cosine/to zero, half", optim.Cosine{LR: 0.2, TotalSteps: 10}, 5, 0.1},

		// Warm-up to a constant: 0.1·(step+1)/5.
		{"warmup constant/first", optim.Warmup{Steps: 5, Then: optim.Constant{LR: 0.1}}, 0, 0.02},
		{"warmup constant/middle", optim.Warmup{Steps: 5, Then: optim.Constant{LR: 0.1}}, 2, 0.06},
		{"warmup constant/last warm-up step", optim.Warmup{Steps: 5, Then: optim.Constant{LR: 0.1}}, 4, 0.1},
		{"warmup constant/after", optim.Warmup{Steps: 5, Then: optim.Constant{LR: 0.1}}, 5, 0.1},
		{"warmup one step", optim.Warmup{Steps: 1, Then: optim.Constant{LR: 0.2}}, 0, 0.2},
		{"warmup none", optim.Warmup{Then: optim.Exponential{LR: 0.1, Gamma: 0.5, StepsPerEpoch: 10}}, 10, 0.05},

		// Warm-up to a step decay: the decay's epochs count from the end of the warm-up (step 4).
		{"warmup step/last warm-up step", optim.Warmup{Steps: 4, Then: step}, 3, 0.1},
		{"warmup step/its step 0", optim.Warmup{Steps: 4, Then: step}, 4, 0.1},
		{"warmup step/its last step of epoch 1", optim.Warmup{Steps: 4, Then: step}, 23, 0.1},
		{"warmup step/its epoch 2", optim.Warmup{Steps: 4, Then: step}, 24, 0.05},

		// Warm-up over 10 of 100 steps, then a cosine over the remaining 90.
		{"warmup cosine/first", optim.Warmup{Steps: 10, Then: optim.Cosine{LR: 0.1, TotalSteps: 90}}, 0, 0.01},
		{"warmup cosine/last warm-up step", optim.Warmup{Steps: 10, Then: optim.Cosine{LR: 0.1, TotalSteps: 90}}, 9, 0.1},
		{"warmup cosine/its step 0", optim.Warmup{Steps: 10, Then: optim.Cosine{LR: 0.1, TotalSteps: 90}}, 10, 0.1},
		{"warmup cosine/its half", optim.Warmup{Steps: 10, Then: optim.Cosine{LR: 0.1, TotalSteps: 90}}, 55, 0.05},
		{"warmup cosine/end of training", optim.Warmup{Steps: 10, Then: optim.Cosine{LR: 0.1, TotalSteps: 90}}, 100, 0},

		// A warm-up of a warm-up is a schedule like any other.
		{"warmup warmup", optim.Warmup{Steps: 2, Then: optim.Warmup{Steps: 4, Then: optim.Constant{LR: 0.4}}}, 1, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sched.Rate(tt.step); math.Abs(got-tt.want) > 1e-15*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("Rate(%d) = %.17g, want %.17g", tt.step, got, tt.want)
			}
		})
	}
}

func TestSchedule_ProgrammerErrorsPanic(t *testing.T) {
	tests := []struct {
		name  string
		sched optim.Schedule
		step  int
	}{
		{"step decay/no StepsPerEpoch", optim.StepDecay{LR: 0.1, Gamma: 0.5, Every: 1}, 0},
		{"step decay/no Every", optim.StepDecay{LR: 0.1, Gamma: 0.5, StepsPerEpoch: 10}, 0},
		{"step decay/negative Every", optim.StepDecay{LR: 0.1, Gamma: 0.5, Every: -1, StepsPerEpoch: 10}, 0},
		{"exponential/no StepsPerEpoch", optim.Exponential{LR: 0.1, Gamma: 0.5}, 0},
		{"inverse time/negative StepsPerEpoch", optim.InverseTime{LR: 0.1, K: 0.5, StepsPerEpoch: -10}, 0},
		{"cosine/no TotalSteps", optim.Cosine{LR: 0.1}, 0},
		{"warmup/no Then", optim.Warmup{Steps: 5}, 0},
		{"warmup/negative Steps", optim.Warmup{Steps: -1, Then: optim.Constant{LR: 0.1}}, 0},
		{"warmup/bad Then", optim.Warmup{Steps: 5, Then: optim.Cosine{LR: 0.1}}, 0},
		{"constant/negative step", optim.Constant{LR: 0.1}, -1},
		{"exponential/negative step", optim.Exponential{LR: 0.1, Gamma: 0.5, StepsPerEpoch: 10}, -1},
		{"cosine/negative step", optim.Cosine{LR: 0.1, TotalSteps: 10}, -1},
		{"sgdr/no Period", optim.SGDR{LR: 0.1, Mult: 1, StepsPerEpoch: 10}, 0},
		{"sgdr/no Mult", optim.SGDR{LR: 0.1, Period: 1, StepsPerEpoch: 10}, 0},
		{"sgdr/no StepsPerEpoch", optim.SGDR{LR: 0.1, Period: 1, Mult: 1}, 0},
		{"one cycle/no TotalSteps", optim.OneCycle{MaxLR: 0.1, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4}, 0},
		{"one cycle/PctStart 1", optim.OneCycle{MaxLR: 0.1, PctStart: 1, DivFactor: 25, FinalDivFactor: 1e4, TotalSteps: 10}, 0},
		{"plateau/negative step", &optim.Plateau{LR: 0.1}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := panicMessage(func() { tt.sched.Rate(tt.step) })
			if !strings.HasPrefix(msg, "optim: ") {
				t.Errorf("Rate(%d): panic = %q, want one starting with \"optim: \"", tt.step, msg)
			}
		})
	}
}

func TestSchedule_RestartsAndOneCycle(t *testing.T) {
	// SGDR: 5 steps per epoch, a first cycle of 2 epochs (10 steps), then
	// 20, then 40. As PyTorch's CosineAnnealingWarmRestarts(T_0=2,
	// T_mult=2) at epoch 1 (T_cur 1 of 2), 2 (restart), 4 (T_cur 2 of 4), 6
	// (restart).
	sgdr := optim.SGDR{LR: 0.1, MinLR: 0.01, Period: 2, Mult: 2, StepsPerEpoch: 5}
	flat := optim.SGDR{LR: 0.2, Period: 1, Mult: 1, StepsPerEpoch: 4}
	// One-cycle over 100 steps: the rise ends at step a = 0.3·100 − 1 = 29,
	// the fall at b = 99; initial 1/25 = 0.04, final 0.04/1e4 = 4e-6.
	oc := optim.OneCycle{MaxLR: 1, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4, TotalSteps: 100}
	// Over 10 steps with pct_start 0.25: a = 1.5, so step 1 is 2/3 of the rise.
	short := optim.OneCycle{MaxLR: 1, PctStart: 0.25, DivFactor: 25, FinalDivFactor: 1e4, TotalSteps: 10}
	tests := []struct {
		name  string
		sched optim.Schedule
		step  int
		want  float64
	}{
		{"sgdr/first", sgdr, 0, 0.1},
		{"sgdr/half of cycle 0", sgdr, 5, 0.055},
		{"sgdr/last of cycle 0", sgdr, 9, 0.01 + 0.09*(1+math.Cos(math.Pi*9/10))/2},
		{"sgdr/restart 1", sgdr, 10, 0.1},
		{"sgdr/half of cycle 1", sgdr, 20, 0.055},
		{"sgdr/restart 2", sgdr, 30, 0.1},
		{"sgdr/quarter of cycle 2", sgdr, 40, 0.01 + 0.09*(1+math.Sqrt2/2)/2},
		{"sgdr/mult 1, half", flat, 2, 0.1},
		{"sgdr/mult 1, restart", flat, 4, 0.2},
		{"sgdr/mult 1, later half", flat, 402, 0.1},

		{"one cycle/first", oc, 0, 0.04},
		{"one cycle/middle of the rise", oc, 14, 1 + (0.04-1)*(1+math.Cos(math.Pi*14/29))/2},
		{"one cycle/peak", oc, 29, 1},
		{"one cycle/middle of the fall", oc, 64, 4e-6 + (1-4e-6)/2},
		{"one cycle/last", oc, 99, 4e-6},
		{"one cycle/after the end", oc, 150, 4e-6},
		{"one cycle/short, step 1", short, 1, 1 - 0.96*0.25},
		{"one cycle/short, step 2", short, 2, 4e-6 + (1-4e-6)*(1+math.Cos(math.Pi*0.5/7.5))/2},
		{"one cycle/rise of one step", optim.OneCycle{MaxLR: 0.5, PctStart: 0.1, DivFactor: 10, FinalDivFactor: 10, TotalSteps: 10}, 0, 0.5},
		{"one cycle/one step in all", optim.OneCycle{MaxLR: 0.5, PctStart: 0.3, DivFactor: 10, FinalDivFactor: 10, TotalSteps: 1}, 0, 0.005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sched.Rate(tt.step); math.Abs(got-tt.want) > 1e-15*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("Rate(%d) = %.17g, want %.17g", tt.step, got, tt.want)
			}
		})
	}
}

func TestPlateau_Observe(t *testing.T) {
	tests := []struct {
		name    string
		p       optim.Plateau
		metrics []float64
		want    []float64 // the rate after each Observe
	}{
		{
			// Patience 2: the third epoch in a row without a better loss drops the rate.
			name:    "loss, patience 2",
			p:       optim.Plateau{LR: 1, Factor: 0.5, Patience: 2, Threshold: 1e-4},
			metrics: []float64{1.0, 0.9, 0.95, 0.9, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85},
			want:    []float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25},
		},
		{
			// 0.99995 is not better than 1 by the relative threshold 1e-4.
			name:    "loss, under the threshold",
			p:       optim.Plateau{LR: 1, Factor: 0.1, Patience: 0, Threshold: 1e-4},
			metrics: []float64{1.0, 0.99995, 0.99},
			want:    []float64{1, 0.1, 0.1},
		},
		{
			name:    "accuracy, patience 1",
			p:       optim.Plateau{LR: 0.1, Factor: 0.1, Patience: 1, Threshold: 1e-4, Maximize: true},
			metrics: []float64{0.5, 0.6, 0.6, 0.59, 0.7, 0.7},
			want:    []float64{0.1, 0.1, 0.1, 0.01, 0.01, 0.01},
		},
		{
			// The floor: 0.1·0.1 is below min_lr 0.05, and a drop of less than 1e-8 is not made.
			name:    "min lr",
			p:       optim.Plateau{LR: 0.1, Factor: 0.1, Patience: 0, MinLR: 0.05},
			metrics: []float64{1, 1, 1},
			want:    []float64{0.1, 0.05, 0.05},
		},
		{
			name:    "NaN is never better",
			p:       optim.Plateau{LR: 1, Factor: 0.5, Patience: 1},
			metrics: []float64{math.NaN(), math.NaN(), 2, math.NaN()},
			want:    []float64{1, 0.5, 0.5, 0.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if r := p.Rate(0); r != p.LR {
				t.Fatalf("rate before any metric = %v, want %v", r, p.LR)
			}
			for i, m := range tt.metrics {
				prev := p.Rate(i)
				reduced := p.Observe(m)
				if got := p.Rate(i + 1); math.Abs(got-tt.want[i]) > 1e-15 || reduced != (got < prev) {
					t.Errorf("after metric %d (%v): rate %v (reduced %v), want %v", i, m, got, reduced, tt.want[i])
				}
			}
			p.Reset()
			if r := p.Rate(7); r != p.LR {
				t.Errorf("rate after Reset = %v, want %v", r, p.LR)
			}
		})
	}
}
