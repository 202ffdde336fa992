// Package report turns the results database into comparisons and learning
// curves: the tables of `runner compare` and the figures of `runner plot`.
//
// # Reading
//
// Find resolves what the user typed (a sweep id, a sweep name meaning its
// latest sweep, or nothing for the latest sweep of the database) and Load
// reads that sweep's runs and their epochs into a Sweep. A Sweep can as well
// be built in memory, which is how the tests make deterministic tables.
//
// The runs of a sweep that differ only in their seed form a Group: one
// configuration repeated over seeds. Columns names the hyperparameters that
// tell the groups apart (sweep.Varying, seed left out), and Label names a
// configuration by them: "adam lr=0.001".
//
// # Comparing
//
// Compare makes a Table in the spirit of benchstat: one row per
// configuration, each cell the mean ± sample standard deviation of a metric
// over the seeds, with n, the number of runs pooled, beside it; best first;
// warnings attached to the cells and printed as numbered footnotes. The
// metric is the run's last epoch's (Options.Best: its best epoch's, the
// highest accuracy or the lowest loss after epoch 0). Only runs that finished
// done count: the others are left out and counted in a footnote.
//
// Given two sweeps, A and B, Compare matches their configurations (seed
// aside) and gives the difference of the means, B − A, and a test of it
// (TestDiff). Runs of the same configuration and seed start from the same
// weights and see the data in the same order, whichever the sweep: where
// A and B share at least MinPairedT (5) seeds, the runs are paired by seed
// and the test is on the differences within pairs, which the noise of the
// seed largely cancels: the paired t-test (PairedTTest) with 5 pairs, the
// Wilcoxon signed-rank test (WilcoxonSignedRank), which assumes no
// distribution, from MinSigned (6) pairs on. Runs whose seed the other side
// lacks are left out of a paired test, with a footnote. With fewer common
// seeds but at least MinWelch (5) runs on each side, the test is Welch's
// t-test (WelchTTest) on all of them. A difference whose p-value is not
// below Options.Alpha (0.05 by default) is printed "~", as benchstat prints
// a difference within noise, and either way the p-value and n follow
// ("n=6": the pairs of a paired test; "n=6+5": the runs on each side of
// Welch's), with a footnote naming the test. With fewer runs than that, no
// test is run: "~" again, with a footnote asking for more seeds, since a
// p-value from 2 or 3 values means little (see MinPairedT).
// Configurations in one sweep only are marked "only in A" or "only in B".
// When no configuration is in both sweeps but both have the same grid of
// the hyperparameters that vary within them, as when A trained one
// optimizer and B another at the same learning rates, configurations are
// matched on that grid, a note naming what tells the sweeps apart.
//
// For example, sweep 5 repeats sweep 4 (seeds 1–6) with Adam improved,
// SGD unchanged, and a Momentum configuration added, one of whose two runs
// diverged (WriteText's output; TestDocExample checks it):
//
//	A: sweep "ch6" (id 4, done, 12 runs)
//	B: sweep "ch6" (id 5, done, 14 runs)
//	final test_acc, mean ± sd over seeds; B − A is ~ unless its test (in a footnote) gives p < 0.05
//
//	   optimizer  lr     A                n  B                n     B − A
//	*  adam       0.001  0.9742 ± 0.0008  6  0.9789 ± 0.0008  6     +0.0047 (p=0.031 n=6) ¹
//	   momentum   0.01                       0.9689           1 ²³  only in B
//	   sgd        0.01   0.9400 ± 0.0010  6  0.9404 ± 0.0010  6     ~ (p=0.688 n=6) ¹
//
//	*  best in B: adam lr=0.001 (highest mean test_acc; in A too)
//	¹  Wilcoxon signed-rank test (exact), runs paired by seed
//	²  1 run not done, left out: 1 diverged
//	³  n = 1: no spread (run more seeds: train.seeds)
//	note: 1 configuration only in B: not compared
//
// Adam's gain of 0.0047 is significant: it is positive on all six seeds,
// which the signed-rank test gives p = 2/2^6 = 0.031; SGD's 0.0004 is
// noise.
//
// A sweep of runner lr-find (IsLRFind) records a learning-rate range test,
// whose epochs are passes at growing rates, not training results: Compare
// refuses it, and CompareLR prints what it found (SummarizeLR, the facts
// runner lr-find prints), two tests side by side. Check compares two range
// tests as such (LRCheck) and marks nothing worse. A range test beside a
// sweep of training runs is an error wrapping ErrLRFindMix.
//
// # Plotting
//
// Curves averages a metric over the done runs of each configuration at
// every epoch, and Smooth replaces each point by the mean of the last N
// (a trailing moving average, which lags a change but never anticipates
// one, and leaves the first point as it is). Figures gathers the curves
// into a loss figure (train_loss on a log axis) and an accuracy figure
// (test_acc, val_acc, train_acc: solid, dotted, dashed), which Figure.Write
// draws as PNG or SVG with gonum.org/v1/plot, one colour per configuration
// and the legend beside the plot. The x axis is the epoch, as the epochs
// table records; a per-iteration table would give curves whose X is the
// iteration, which the rest takes as it is.
//
// Plots chooses the figures by what a sweep recorded, each a Drawing:
// for runs on objective functions, their paths over filled contours of
// the function (PathFigure, the book's figure 6-8; contour levels at
// geometric steps, since the values span decades) and f(x, y) at each
// step; for runs that logged their layers, the histograms of every hidden
// layer's activations at an epoch (LayerFigure, figures 6-10 to 6-14: one
// row per layer, one column per configuration, split into one figure per
// value of the outermost hyperparameter past six columns); and for runs
// that trained, the learning curves, as they are or as small multiples
// (FacetFigure): one panel per value of a hyperparameter (Facet, figure
// 6-19 by weight scale) or one per configuration of the best by a final
// metric (Rank, Top, figure 6-24). The panels of a figure share their
// axes and one legend.
package report
