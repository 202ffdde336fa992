// Package tpe proposes the next trials of a hyperparameter search by the
// Tree-structured Parzen Estimator (TPE) of Bergstra, Bardenet, Bengio and
// Kégl, "Algorithms for Hyper-Parameter Optimization" (NeurIPS 2011), in
// the univariate form and with the defaults of Optuna's TPESampler, as
// described by Watanabe, "Tree-Structured Parzen Estimator: Understanding
// Its Algorithm Components and Their Roles for Better Empirical
// Performance" (arXiv:2304.11127, 2023).
//
// # The algorithm
//
// The finished trials of the history are ranked on their objective, higher
// being better. The best Gamma(n) of the n trials form the good group, the
// others the bad group. Two densities are fitted on the parameters' axes
// (a value, or its natural logarithm for a log-scale parameter): l from
// the good trials and g from the bad ones, each a weighted mixture of one
// kernel per trial plus one prior kernel. A proposal draws Candidates
// points from l and keeps the one of largest l(x)/g(x), the point most
// likely to be good rather than bad; this maximises the expected
// improvement of Bergstra et al. (§4).
//
// By default the densities are multivariate, as Optuna's multivariate
// option (Falkner, Klein and Hutter, "BOHB: Robust and Efficient
// Hyperparameter Optimization at Scale", ICML 2018): a kernel is a product
// of one factor per parameter, centred on one trial's values, so that the
// candidates keep the trials' combinations of values; Watanabe (2023)
// finds this better than Optuna's default, the univariate densities of
// each parameter alone (Sampler.Univariate). On the problems of this
// package's tests it is also the one that beats random search clearly.
//
// Numeric factors (Float and Int parameters) are Gaussians truncated to
// the parameter's interval on its axis: [Low, High], [ln Low, ln High] for
// a log scale, and for integers the cells of the integers, [Low−½, High+½]
// or [ln(Low−½), ln(High+½)]; an integer's probability is its cell's
// mass. The prior's factor is centred on the interval with bandwidth R,
// the interval's width. The trials' bandwidths are Optuna's: for m trials
// of d parameters fitted jointly, 0.2·R·m^(−1/(d+4)); for a parameter
// alone, the larger of the distances to its two neighbours among the
// sorted centres (the prior's included, the interval's ends bounding the
// outermost ones; unless ConsiderEndpoints, the outermost centres take the
// distance to their inner neighbour instead). Both are clipped to
// [R/min(100, m+2), R] (the "magic clip"; without it the floor is 10⁻¹²·R).
// Categorical factors put 1 + w/k on the trial's choice and w/k on every
// choice (w the prior weight, k = m+1 the number of kernels), normalised;
// the prior's is uniform.
//
// The kernels' mixture weights are Weights(m) for the m trials of the
// group, in the order of the history (Optuna's default gives the oldest
// trials beyond the 25 newest a linearly rising weight from 1/m), and
// PriorWeight for the prior kernel, normalised.
//
// # Conditional parameters
//
// A parameter may depend on a categorical parent (Param.When): it is set
// only in the trials whose parent is set and takes one of the listed
// choices, and absent from the others. The parameters that exist under the
// same condition (the unconditional ones; those of the same parent and
// choices) form a group, fitted jointly on the good and the bad trials
// that set them and drawn jointly, after their parent's group, only when
// the proposal's parent value activates them (Optuna's group
// decomposition). A group that no good trial set has the prior as l.
//
// # Determinism and batches
//
// Proposals are computed, not simulated: the same space, history, sampler,
// seed and batch index give the same proposals bit for bit. Proposal i of
// batch k draws the candidates of a group from a PCG (math/rand/v2) seeded
// by a hash of (seed, k, i, the group's parameter names), so it depends
// neither on how many proposals are asked for nor on the other groups.
// All the proposals of a batch see the same history (a batch is proposed
// before any of its trials finishes); they differ by their random streams
// only, with no penalty for being close to one another. That is enough for
// numeric parameters; the proposals of a batch may agree on a categorical
// parameter of few choices, and on a space of categorical parameters only
// they may coincide.
//
// # Start-up, pruned and failed trials
//
// The package has no start-up phase of its own: the caller decides when
// to switch from its own start-up trials (quasi-random points, say) to
// Propose; TPE needs some ten trials to be better than random. Propose
// accepts any history. With no trial that set a group's parameters (an
// empty history, say), l = g and the proposal draws them from the uniform
// prior of the space instead: uniform on each axis, so log-uniform on a
// log scale, and uniform on the integers or the choices. A single trial
// is already used. A trial stopped early
// (pruned) is given by the caller with the value it reached, and is ranked
// like any other. A NaN objective ranks below every number.
package tpe
