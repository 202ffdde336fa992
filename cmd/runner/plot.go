package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"runner/internal/atomicfile"
	"runner/internal/report"
	"runner/internal/sweep"
)

var plotCommand = &command{
	name:    "plot",
	summary: "learning curves, optimizer paths and layer histograms of a sweep as PNG and SVG",
	usage: `usage: runner plot [flags] [SWEEP]

Draws the figures of a sweep, chosen by what its runs recorded, each as PNG
and SVG:

	NAME-ID-loss.png, .svg       train_loss, on a log scale (figure 6-9)
	NAME-ID-accuracy.png, .svg   the accuracies: test_acc by default; with
	                             several (--metric train_loss,train_acc,test_acc)
	                             solid is test, dashed train, dotted validation
	NAME-ID-steps.png, .svg      the minibatch loss per iteration, when the
	                             sweep logged steps (log_steps) and the
	                             metrics include train_loss
	NAME-ID-paths.png, .svg      for runs on an objective function (dataset
	                             function): each run's path over filled
	                             contours of the function, the minimum marked,
	                             one panel per configuration (figure 6-8)
	NAME-ID-values.png, .svg     for those runs: f(x, y) at each step, on a log
	                             scale, instead of the loss
	NAME-ID-layers.png, .svg     for runs that logged their layers (log_layers):
	                             the histogram of each hidden layer's
	                             activations at epoch --epoch, one row per layer,
	                             one column per configuration (figures 6-10 to
	                             6-14); past 6 configurations, one figure per
	                             value of the outermost hyperparameter that
	                             varies: NAME-ID-layers-VALUE (layers-relu)
	NAME-ID-lrfind.png, .svg     for a learning-rate range test (runner
	                             lr-find): the loss against the rate, the
	                             suggestion marked; the only figure, and
	                             no other flag applies
	NAME-ID-scatter.png, .svg    for a random or Halton search: the metric
	                             (val_acc; f for functions) of each
	                             configuration against each hyperparameter
	                             drawn from a distribution, and the map of the
	                             two most important, coloured by the metric

The curves are one line per configuration, the mean over its seeds of the
runs that finished done, against the epoch (0 = before training), the legend
naming each configuration by the hyperparameters that vary. A sweep that
trained no epoch (train.epochs 0) has no curves.

Small multiples (the panels share their axes and one legend):

--facet KEY draws the curves, and the paths, one panel per value of the
hyperparameter KEY, the other hyperparameters that vary as lines within a
panel: --facet init on the batchnorm sweep is figure 6-19. The files are
NAME-ID-loss-by-KEY, NAME-ID-accuracy-by-KEY, NAME-ID-paths-by-KEY. KEY must
be a hyperparameter that varies in the sweep (a column of runner compare).

--top N keeps the N best configurations by the final value of the first
--metric (the mean over seeds of each run's last epoch) and draws their
curves one panel each, best first, titled by rank, value and configuration;
beside val_acc or test_acc the panels draw train_acc too: --top 20 --metric
val_acc on the random search is figure 6-24. The files are
NAME-ID-accuracy-topN (with --facet, NAME-ID-accuracy-topN-by-KEY).

NAME-ID is the sweep's name and id (ch6-3-loss.png), or --prefix. The files
go in the current folder, or -o DIR, which must exist; existing files are
replaced. The paths written are printed, one per line; runs left out are
noted on standard error.

--smooth N replaces each point by the mean of the last N points (a trailing
moving average: it lags a change but never anticipates one), after the
mean over seeds. N = 1 (the default) draws the points as recorded.

SWEEP is a sweep id or a name, which means the latest sweep of that name;
by default the latest sweep of the database.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to read (`path`)")
		outDir := fs.String("o", ".", "the existing `folder` to write the figures in")
		smooth := fs.Int("smooth", 1, "a trailing moving average over `N` epochs; 1 for none")
		metrics := fs.String("metric", "train_loss,test_acc", "the metrics to draw, comma-separated: `list` of train_loss, test_acc, val_acc, train_acc; --top ranks by the first")
		prefix := fs.String("prefix", "", "the `start` of the file names (default NAME-ID: the sweep's name and id)")
		facet := fs.String("facet", "", "small multiples: one panel per value of the hyperparameter `KEY`")
		top := fs.Int("top", 0, "draw only the `N` best configurations by the final value of the first --metric, one panel each")
		epoch := fs.Int("epoch", 0, "the `epoch` of the layer histograms (0: before training)")
		return func(ctx context.Context, m *Main, refs []string) error {
			if len(refs) > 1 {
				return usageErrorf("plot: one sweep at a time, got %d: %s", len(refs), strings.Join(refs, " "))
			}
			if *smooth < 1 {
				return usageErrorf("plot: --smooth must be at least 1 (got %d)", *smooth)
			}
			if *top < 0 {
				return usageErrorf("plot: --top must be at least 1 (got %d)", *top)
			}
			if *epoch < 0 {
				return usageErrorf("plot: --epoch must be at least 0 (got %d)", *epoch)
			}
			var ms []report.Metric
			for _, name := range strings.Split(*metrics, ",") {
				metric, err := report.ParseMetric(strings.TrimSpace(name))
				if err != nil {
					return usageErrorf("plot: --metric: %v", err)
				}
				if !slices.Contains(ms, metric) {
					ms = append(ms, metric)
				}
			}
			metricSet := false
			fs.Visit(func(f *flag.Flag) { metricSet = metricSet || f.Name == "metric" })
			if !metricSet {
				ms = nil // the defaults of the sweep's kind
			}
			if fi, err := os.Stat(*outDir); err != nil {
				return usageErrorf("plot: -o %s: %v", *outDir, errors.Unwrap(err))
			} else if !fi.IsDir() {
				return usageErrorf("plot: -o %s: not a directory", *outDir)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			rec, err := findSweep(ctx, db, optional(refs))
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			s, err := loadSweep(ctx, db, fmt.Sprint(rec.ID))
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			figs, notes, err := report.Plots(s, report.PlotOptions{Metrics: ms, Smooth: *smooth,
				Facet: *facet, Top: *top, Epoch: *epoch})
			if err != nil {
				return usageErrorf("%v", err)
			}
			if spec, err := sweep.Parse(rec.File, []byte(rec.Spec), rec.Overrides); err == nil {
				scatter, note := report.SearchScatter(s, spec)
				if scatter != nil {
					figs = append(figs, scatter)
				}
				if note != "" {
					notes = append(notes, note)
				}
			}
			for _, n := range notes {
				fmt.Fprintln(m.Stderr, "note:", n)
			}
			base := *prefix
			if base == "" {
				base = fmt.Sprintf("%s-%d", fileSafe(s.Name), s.ID)
			}
			for _, f := range figs {
				for _, format := range []string{"png", "svg"} {
					path := filepath.Join(*outDir, base+"-"+f.Kind()+"."+format)
					err := atomicfile.Write(path, func(w io.Writer) error { return f.Write(w, format) })
					if err != nil {
						return fmt.Errorf("plot: %w", err)
					}
					fmt.Fprintln(m.Stdout, path)
				}
			}
			return nil
		}
	},
}

// unsafeChars are the characters a sweep name may have that do not belong
// in a file name.
var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// fileSafe turns a sweep name into a file-name prefix: "my sweep/2" → "my_sweep_2".
func fileSafe(name string) string {
	if s := strings.Trim(unsafeChars.ReplaceAllString(name, "_"), "._"); s != "" {
		return s
	}
	return "sweep"
}
