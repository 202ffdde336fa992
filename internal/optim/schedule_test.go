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
