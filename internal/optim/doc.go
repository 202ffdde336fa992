// Package optim holds the parameter-update rules of chapter 6 of "Deep
// Learning from Scratch" and the learning-rate schedules that drive them.
//
// An Optimizer updates any set of parameter tensors, given as flat slices,
// in place from their gradients; it knows nothing of the network the
// tensors belong to. A Schedule gives the learning rate η for each training
// step; the trainer asks the schedule for η and passes it to Update.
//
// The update rules, for a parameter W with gradient g = ∂L/∂W, learning rate
// η at this step and all state zero at the start (⊙ and the division and
// square root are element-wise):
//
//	SGD:      W ← W − η g
//	Momentum: v ← α v − η g;  W ← W + v
//	Nesterov: W ← W + α² v − (1+α) η g;  then v ← α v − η g
//	AdaGrad:  h ← h + g⊙g;  W ← W − η g / (√h + ε)
//	RMSprop:  h ← ρ h + (1−ρ) g⊙g;  W ← W − η g / (√h + ε)
//	Adam:     t ← t + 1;  η_t = η √(1−β2^t) / (1−β1^t);
//	          m ← m + (1−β1)(g − m);  v ← v + (1−β2)(g⊙g − v);
//	          W ← W − η_t m / (√v + ε)
//
// The constructors (NewMomentum, NewAdam, …) set the book's defaults:
// α = 0.9, ρ = 0.99, β1 = 0.9, β2 = 0.999, ε = 1e-7.
//
// Every optimizer is generic over the element type T (float32 or float64).
// Hyperparameters are float64; the scalars of a step (η, α, η_t, …) are
// computed in float64 and converted to T once per Update, and the state
// (v, h, m) is held in T. State is allocated on the first Update and reused,
// so Update allocates nothing afterwards.
//
// The schedules, with epoch = step / StepsPerEpoch (integer division):
//
//	Constant:    LR
//	StepDecay:   LR · Gamma^⌊epoch / Every⌋
//	Exponential: LR · Gamma^epoch
//	InverseTime: LR / (1 + K·epoch)
//	Cosine:      MinLR + (LR − MinLR)·(1 + cos(π·step/TotalSteps))/2, then MinLR
//	Warmup:      Then.Rate(0)·(step+1)/Steps for step < Steps,
//	             then Then.Rate(step − Steps)
//
// Programmer errors (mismatched slice lengths, a non-positive StepsPerEpoch,
// …) panic with an "optim: " prefix. Hyperparameter values are not checked
// here: the sweep validates them before a run starts.
package optim
