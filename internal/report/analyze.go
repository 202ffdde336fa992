package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"runner/internal/importance"
	"runner/internal/sweep"
	"runner/internal/train"
)

// Analysis says which hyperparameters of a sweep mattered and where the
// best trials lie: what runner analyze prints.
type Analysis struct {
	Sweep  *Sweep
	Metric Metric
	Trials int                // configurations analysed (seeds pooled)
	Dims   []sweep.Dimension  // the varied hyperparameters, in the order of Params
	Names  []string           // each dimension's name in the table: its Param, or Param[entry] when entries share it
	Report *importance.Report // importances, best ranges and boundary warnings
}

// Analyze measures, over the configurations of s (the runs that differ only
// in their seed pooled: their mean), how much each of the hyperparameters
// spec varies (spec.Dimensions) decides whether a configuration is among
// the best by metric, by PED-ANOVA (see package importance): an importance
// per hyperparameter, the range the best 10% of the configurations span,
// and a warning when they crowd a bound of a search distribution. A run
// counts with the best value of metric over its epochs (the lowest for the
// loss), so a pruned run counts as what it reached; runs without an epoch
// after training (failed, pending, interrupted before it) are left out.
func Analyze(s *Sweep, spec *sweep.Spec, metric Metric) (*Analysis, error) {
	dims := spec.Dimensions()
	if len(dims) == 0 {
		return nil, fmt.Errorf("analyze: %s varies no hyperparameter", s)
	}
	a := &Analysis{Sweep: s, Metric: metric, Dims: dims, Names: dimensionNames(dims)}
	params := make([]importance.Param, len(dims))
	for i, d := range dims {
		params[i] = importance.Param{Name: a.Names[i], Low: d.Low, High: d.High, Log: d.Log(),
			Int: d.Dist == "int_uniform", Choices: len(d.Choices)}
	}
	var trials []importance.Trial
	for _, g := range s.Groups() {
		var values []float64
		for _, r := range g.Runs {
			if v, ok := metric.Reached(r); ok {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			continue
		}
		objective := Summarize(values).Mean
		if !metric.HigherIsBetter() {
			objective = -objective
		}
		trials = append(trials, importance.Trial{Values: dimensionValues(dims, g.Runs[0].Config), Objective: objective})
	}
	a.Trials = len(trials)
	rep, err := importance.Analyze(params, trials, importance.Options{})
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", s, err)
	}
	a.Report = rep
	return a, nil
}

// dimensionNames names each dimension by its hyperparameter, qualified by
// its entry ("lr[adam]") when several entries vary the same one.
func dimensionNames(dims []sweep.Dimension) []string {
	count := map[string]int{}
	for _, d := range dims {
		count[d.Param]++
	}
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = d.Param
		if d.Entry != "" && count[d.Param] > 1 {
			names[i] = d.Param + "[" + d.Entry + "]"
		}
	}
	return names
}

// dimensionValues is c's value of each dimension it takes, by name: the
// number, or the index of its choice. A field of an optimizers or schedules
// entry is absent from the runs of the other entries.
func dimensionValues(dims []sweep.Dimension, c train.Config) map[string]float64 {
	names := dimensionNames(dims)
	values := map[string]float64{}
	for i, d := range dims {
		if d.Entry != "" && d.Entry != c.Optimizer.Name && d.Entry != c.Schedule.Name {
			continue
		}
		v := sweep.Param(c, d.Param)
		if d.Choices != nil {
			if k := slices.Index(d.Choices, v); k >= 0 {
				values[names[i]] = float64(k)
			}
			continue
		}
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			values[names[i]] = x
		}
	}
	return values
}

// WriteText prints the analysis: one row per hyperparameter, most important
// first, with its importance, the range of the best configurations and the
// trials that set it; then the warnings.
func (a *Analysis) WriteText(w io.Writer) error {
	rep := a.Report
	better := "higher"
	if !a.Metric.HigherIsBetter() {
		better = "lower"
	}
	fmt.Fprintf(w, "%s: %d configurations by their best %s (%s is better); the best %d of the %d analysed\n\n",
		a.Sweep, a.Trials, a.Metric, better, rep.Top, rep.Region)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "hyperparameter\timportance\tbest configurations\tsearched\ttrials")
	byName := map[string]sweep.Dimension{}
	for i, d := range a.Dims {
		byName[a.Names[i]] = d
	}
	ranked := rep.Ranked()
	slices.SortStableFunc(ranked, func(x, y importance.Result) int { return cmp.Compare(y.Importance, x.Importance) })
	for _, r := range ranked {
		d := byName[r.Name]
		fmt.Fprintf(tw, "%s\t%.2f\t%s\t%s\t%d\n", r.Name, r.Importance, bestRange(d, r), searched(d), r.Set)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	warnings := rep.Warnings()
	if len(warnings) == 0 {
		_, err := fmt.Fprintln(w, "\nno hyperparameter's best configurations crowd a bound of its range")
		return err
	}
	fmt.Fprintln(w)
	for _, b := range warnings {
		if _, err := fmt.Fprintln(w, "warning:", b); err != nil {
			return err
		}
	}
	return nil
}

// bestRange formats where the best configurations lie: the span of a
// number, the counts of the choices.
func bestRange(d sweep.Dimension, r importance.Result) string {
	if d.Choices != nil {
		var parts []string
		for k, n := range r.Counts {
			if n > 0 && k < len(d.Choices) {
				parts = append(parts, fmt.Sprintf("%s %d", d.Choices[k], n))
			}
		}
		return strings.Join(parts, ", ")
	}
	if math.IsNaN(r.Low) {
		return "-"
	}
	return fmt.Sprintf("%.3g … %.3g", r.Low, r.High)
}

// searched formats the dimension's search space.
func searched(d sweep.Dimension) string {
	if d.Choices != nil {
		return strings.Join(d.Choices, ", ")
	}
	return fmt.Sprintf("%s [%.3g, %.3g]", d.Dist, d.Low, d.High)
}
