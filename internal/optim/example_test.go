package optim_test

import (
	"fmt"

	"runner/internal/optim"
)

// A training loop asks the schedule for the rate of each step and passes it
// to the optimizer with the parameters and their gradients. Here Adam, after
// a 5-step warm-up and a cosine over the remaining 95 steps, minimises the
// book's x²/20 + y² from (−7, 2).
func Example() {
	const steps, warmup = 100, 5
	sched := optim.Warmup{Steps: warmup, Then: optim.Cosine{LR: 0.3, MinLR: 0.01, TotalSteps: steps - warmup}}
	opt := optim.NewAdam[float64]()
	xy, grad := []float64{-7, 2}, make([]float64, 2)
	params, grads := [][]float64{xy}, [][]float64{grad}
	for step := range steps {
		grad[0], grad[1] = xy[0]/10, 2*xy[1]
		opt.Update(sched.Rate(step), params, grads)
	}
	fmt.Printf("lr %.3f → %.3f → %.3f\n", sched.Rate(0), sched.Rate(warmup), sched.Rate(steps-1))
	fmt.Printf("f(x, y) = %.1e\n", xy[0]*xy[0]/20+xy[1]*xy[1])
	// Output:
	// lr 0.060 → 0.300 → 0.010
	// f(x, y) = 1.3e-03
}

// A schedule-free optimizer takes its gradients at the training point y and
// is evaluated at the average x: the loop calls Eval before evaluating and
// Train before the next Update. The warm-up is the schedule's, passed as
// the lr of each step. Here schedule-free SGD minimises x²/20 + y² from
// (−7, 2) after a 5-step warm-up to a constant rate
// (f = 6.45 at the start).
func Example_scheduleFree() {
	sched := optim.Warmup{Steps: 5, Then: optim.Constant{LR: 0.3}}
	opt := optim.NewScheduleFreeSGD[float64]()
	xy, grad := []float64{-7, 2}, make([]float64, 2)
	params, grads := [][]float64{xy}, [][]float64{grad}
	f := func() float64 { return xy[0]*xy[0]/20 + xy[1]*xy[1] }
	for step := range 100 {
		grad[0], grad[1] = xy[0]/10, 2*xy[1]
		opt.Update(sched.Rate(step), params, grads)
		if (step+1)%50 == 0 {
			opt.Eval(params)
			fmt.Printf("step %d: f at x = %.1e\n", step+1, f())
			opt.Train(params)
		}
	}
	// Output:
	// step 50: f at x = 4.6e-01
	// step 100: f at x = 3.9e-02
}
