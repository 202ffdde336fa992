// Package importance tells which hyperparameters of a search mattered and
// where their best values lie: the importance of each parameter by
// PED-ANOVA, the range of its best trials' values, and a warning when the
// best trials crowd against a bound of the search space.
//
// # PED-ANOVA
//
// Watanabe, Bansal and Hutter, "PED-ANOVA: Efficiently Quantifying
// Hyperparameter Importance in Arbitrary Subspaces" (IJCAI 2023), measure
// a parameter's importance as the variance, over the parameter's value
// x_d, of the probability that a trial with that value is among the top γ
// of the trials (here TopQuantile, the best 10 %), within the top γ′ of
// them (RegionQuantile; 1, all the trials, by default). With p_γ and p_γ′
// the densities of x_d among the top-γ and the top-γ′ trials, that
// probability is (γ/γ′)·p_γ(x_d)/p_γ′(x_d), whose variance is
//
//	v_d = (γ/γ′)² · D_PE(p_γ ‖ p_γ′),  D_PE(p ‖ q) = ∫ q (p/q − 1)²,
//
// the Pearson divergence. A parameter on which the best trials agree, so
// that p_γ is peaked where p_γ′ is flat, has a large v_d; one whose best
// trials are spread as all the others has v_d ≈ 0. Importances are the
// fractions v_d / Σ v; they sum to 1 (in equal shares when every v_d is 0,
// as when the top trials are all the trials for ties).
//
// The densities are those of Optuna's PedAnovaImportanceEvaluator, whose
// defaults are the package's: kernel density estimates on a grid of the
// parameter's scale (Grid points evenly spaced between the bounds, on the
// logarithmic scale for a log parameter, or as many as the integers of an
// integer parameter if fewer, which puts one on each integer on the linear
// scale; one point per choice of a categorical parameter), each trial
// counted at its nearest point. On the grid's index, each
// occupied point carries a Gaussian of its count's weight truncated to the
// grid and discretised to its cells, with the bandwidth of Scott's rule
// (Scott, "Multivariate Density Estimation", 1992), 1.059·min(σ̂, IQR/1.34)·
// n^(−1/5) for the sample's standard deviation σ̂ and interquartile range
// (σ̂ alone when the IQR is 0), at least 0.5/1.64 of a grid step; a prior
// kernel of weight PriorWeight, centred with the grid's width as
// bandwidth, keeps both densities positive. A categorical parameter's
// density is each choice's count plus the prior weight spread evenly over
// the choices, normalised: one kernel per trial, as TPE's, where Optuna
// merges a choice's trials into one kernel whose smoothing (half its
// weight over all choices when one choice is occupied) hides the effect of
// a categorical parameter.
//
// # Why not fANOVA
//
// fANOVA (Hutter, Hoos and Leyton-Brown, "An Efficient Approach for
// Assessing Hyperparameter Importance", ICML 2014) decomposes the variance
// of a random forest fitted to the objective over the whole search space.
// PED-ANOVA is preferred here: it is closed-form, so deterministic and
// fast (a few thousand operations per parameter), and needs no random
// forest to fit, seed and tune; it works with the tens of trials of a
// night's sweep; and it measures what matters for choosing the next
// search, what separates the best trials from the others, where fANOVA's
// global variance is dominated by how bad the worst regions are (a
// learning rate that diverges at one end of its range).
//
// # Conditional parameters
//
// A parameter absent from a trial (a momentum for adam) is inactive there.
// Its densities are those of the trials of the region that set it, A_d,
// and of the top trials among them, T_d; its variance is the part of the
// variance of the probability of being top, over all trials of the region
// R, that x_d explains within A_d:
//
//	v_d = (|A_d|/|R|) · (|T_d|/|A_d|)² · D_PE(p_T_d ‖ p_A_d),
//
// which is the formula above for a parameter every trial sets. A parameter
// that is rarely set, or rarely set by top trials, weighs little; the
// choice between its presence and its absence is its parent's importance.
//
// # Best values and bound warnings
//
// A parameter's best range is [min, max] of its values among the top
// trials that set it (for a categorical, their counts per choice). On the
// parameter's scale mapped to [0, 1] (the logarithm's for a log parameter,
// integers included), a trial lies at a bound when it is within Margin (5
// %) of it: u ≤ 0.05 for the lower, u ≥ 0.95 for the upper. The best
// trials sit at a bound, and Result.Bounds reports it, when at least two
// top trials that set the parameter lie at it and either
//
//   - they are at least half of the top trials that set it, or
//   - they are more of the trials at the bound than chance allows: were
//     the top trials any of the region's trials that set the parameter,
//     as many or more of them would lie at the bound with a probability of
//     at most 1 % (Fisher's exact test, one-sided).
//
// The first case is a search that already concentrated there; the second,
// a uniform search whose few trials at the edge are mostly among the best.
// (With a monotone objective, 5 % of the range holds half of the top 10 %
// of uniform trials, so "half of the top trials" alone would fire half the
// time.) With 100 uniform trials and an objective increasing towards the
// bound the warning is missed only when fewer than two trials lie within
// the margin (3.7 % of the time); for a parameter of no effect it fires
// with a probability of at most about 1 % per bound (0.2 % and 0.5 % over
// the 400 searches of the package's test).
package importance
