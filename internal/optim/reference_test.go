package optim_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"runner/internal/optim"
)

// reference is testdata/reference.json, written by scripts/optim-reference.py
// (see its header for how to regenerate it): 50-step trajectories on a
// seeded quadratic in float64. The AdamW, AMSGrad, NAdam and RAdam ones come
// from PyTorch's own optimizers; PyTorch has no Lion nor schedule-free
// methods, so those were computed by the script in plain torch from the
// Lion paper's Algorithm 2 and from the schedule-free authors' reference
// implementation (which keeps x, y and z explicitly, where this package
// keeps only y and z).
type reference struct {
	Torch  string      `json:"torch"`
	C      [][]float64 `json:"c"`
	Target [][]float64 `json:"target"`
	X0     [][]float64 `json:"x0"`
	Cases  []struct {
		Name      string                 `json:"name"`
		Optimizer string                 `json:"optimizer"`
		Fields    map[string]any         `json:"fields"`
		LRs       []float64              `json:"lrs"`
		Source    string                 `json:"source"`
		Params    [][][]float64          `json:"params"` // after each step
		Eval      map[string][][]float64 `json:"eval"`   // the evaluation point x after the step named
	} `json:"cases"`
}

// referenceTol is the relative tolerance (absolute below 1) against the
// reference values.
const referenceTol = 1e-6

// TestOptimizer_MatchesReference runs every case of testdata/reference.json
// and compares the parameters after each of the 50 steps (and, for the
// schedule-free methods, the evaluation point x at the steps recorded,
// reached through Eval and left through Train) to the reference within
// referenceTol.
func TestOptimizer_MatchesReference(t *testing.T) {
	data, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("testdata/reference.json: %v", err)
	}
	if len(ref.Cases) == 0 {
		t.Fatal("testdata/reference.json: no cases")
	}
	seen := map[string]bool{}
	for _, c := range ref.Cases {
		seen[c.Optimizer] = true
		t.Run(c.Name, func(t *testing.T) {
			opt := referenceOptimizer(t, c.Optimizer, c.Fields)
			x := clone(ref.X0)
			grads := clone(ref.X0)
			worst := 0.0
			for step, lr := range c.LRs {
				for i := range x {
					for j := range x[i] {
						grads[i][j] = ref.C[i][j] * (x[i][j] - ref.Target[i][j])
					}
				}
				opt.Update(lr, x, grads)
				worst = max(worst, compareReference(t, fmt.Sprintf("step %d", step+1), x, c.Params[step]))
				if want, ok := c.Eval[fmt.Sprint(step+1)]; ok {
					ep, isEP := opt.(optim.EvalPoint[float64])
					if !isEP {
						t.Fatalf("%s has evaluation points in the reference but is not an EvalPoint", c.Optimizer)
					}
					ep.Eval(x)
					worst = max(worst, compareReference(t, fmt.Sprintf("step %d, Eval", step+1), x, want))
					ep.Train(x)
					compareReference(t, fmt.Sprintf("step %d, Eval then Train", step+1), x, c.Params[step])
				}
				if t.Failed() {
					t.FailNow()
				}
			}
			t.Logf("%s (%s): largest difference %.2g over %d steps", c.Name, c.Source, worst, len(c.LRs))
		})
	}
	for _, name := range []string{"AdamW", "NAdam", "RAdam", "Lion", "ScheduleFreeSGD", "ScheduleFreeAdamW"} {
		if !seen[name] {
			t.Errorf("testdata/reference.json has no case for %s", name)
		}
	}
}

// compareReference reports the elements of x farther than referenceTol
// from want and returns the largest difference (relative above 1).
func compareReference(t *testing.T, at string, x, want [][]float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range want {
		for j, w := range want[i] {
			d := (x[i][j] - w) / max(1, abs(w))
			worst = max(worst, abs(d))
			if !near(x[i][j], w, referenceTol) {
				t.Errorf("%s: params[%d][%d] = %.17g, reference %.17g", at, i, j, x[i][j], w)
			}
		}
	}
	return worst
}

func abs(x float64) float64 { return max(x, -x) }

// referenceOptimizer returns the named optimizer with its exported fields
// set from fields, failing the test on a name or field it does not know.
func referenceOptimizer(t *testing.T, name string, fields map[string]any) optim.Optimizer[float64] {
	t.Helper()
	used := map[string]bool{}
	f := func(key string) float64 {
		used[key] = true
		v, ok := fields[key].(float64)
		if !ok {
			t.Fatalf("%s: field %s missing or not a number", name, key)
		}
		return v
	}
	var opt optim.Optimizer[float64]
	switch name {
	case "AdamW":
		used["AMSGrad"] = true
		ams, _ := fields["AMSGrad"].(bool)
		opt = &optim.AdamW[float64]{Beta1: f("Beta1"), Beta2: f("Beta2"), Eps: f("Eps"), WeightDecay: f("WeightDecay"), AMSGrad: ams}
	case "NAdam":
		opt = &optim.NAdam[float64]{Beta1: f("Beta1"), Beta2: f("Beta2"), Eps: f("Eps"), MomentumDecay: f("MomentumDecay")}
	case "RAdam":
		opt = &optim.RAdam[float64]{Beta1: f("Beta1"), Beta2: f("Beta2"), Eps: f("Eps")}
	case "Lion":
		opt = &optim.Lion[float64]{Beta1: f("Beta1"), Beta2: f("Beta2"), WeightDecay: f("WeightDecay")}
	case "ScheduleFreeSGD":
		opt = &optim.ScheduleFreeSGD[float64]{Momentum: f("Momentum"), WeightDecay: f("WeightDecay")}
	case "ScheduleFreeAdamW":
		opt = &optim.ScheduleFreeAdamW[float64]{Beta1: f("Beta1"), Beta2: f("Beta2"), Eps: f("Eps"), WeightDecay: f("WeightDecay")}
	default:
		t.Fatalf("unknown optimizer %q", name)
	}
	for key := range fields {
		if !used[key] {
			t.Fatalf("%s: unknown field %s", name, key)
		}
	}
	return opt
}
