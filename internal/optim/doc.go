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
// The methods that came after the book follow PyTorch's documented
// algorithms (AdamW, NAdam, RAdam), the Lion paper's and the schedule-free
// reference implementation's, with their defaults (each type's doc has the
// details and the papers):
//
//	AdamW:    t ← t + 1;  W ← W − η λ W;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g⊙g;
//	          W ← W − η m̂ / (√v̂ + ε),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t)
//	AMSGrad:  AdamW with v̂ = v_max/(1−β2^t),  v_max ← max(v_max, v)
//	NAdam:    μ_t = β1 (1 − ½·0.96^(tψ));  m, v, v̂ as AdamW;
//	          W ← W − η (1−μ_t)/(1−Π_{i≤t} μ_i) g/(√v̂+ε) − η μ_{t+1}/(1−Π_{i≤t+1} μ_i) m/(√v̂+ε)
//	RAdam:    m, v, m̂ as AdamW;  ρ_∞ = 2/(1−β2) − 1,  ρ_t = ρ_∞ − 2tβ2^t/(1−β2^t);
//	          W ← W − η m̂ r_t √(1−β2^t)/(√v + ε) if ρ_t > 5, else W ← W − η m̂
//	Lion:     c = β1 m + (1−β1) g;  W ← W − η (sign(c) + λ W);  m ← β2 m + (1−β2) g
//	ScheduleFreeSGD:   (params hold y = (1−β) z + β x; gradient g at y)
//	          z ← z − η (g + λ y);  x ← (1−c) x + c z,  c = η_max² / Σ_i η_max,i²
//	ScheduleFreeAdamW: γ = η √(1−β2^t);  v ← β2 v + (1−β2) g⊙g;
//	          z ← z − γ (g/(√v+ε) + λ y);  x ← (1−c) x + c z,  c = γ_max² / Σ_i γ_max,i²
//
// with defaults β1 = 0.9, β2 = 0.999, ε = 1e-8, λ = 0.01 (AdamW), ψ = 0.004
// (NAdam), β1 = 0.9, β2 = 0.99, λ = 0 (Lion), β = 0.9, λ = 0 (schedule-free).
// The schedule-free methods evaluate the model at x: they implement
// EvalPoint, whose Eval and Train move the parameters between y and x. Their
// warm-up is the schedule's: η is the rate passed to Update, and η_max its
// running maximum.
//
// Every optimizer is generic over the element type T (float32 or float64).
// Hyperparameters are float64; the scalars of a step (η, α, η_t, …) are
// computed in float64 and converted to T once per Update, and the state
// (v, h, m, z) is held in T. State is allocated on the first Update and reused,
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
