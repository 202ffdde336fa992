package sweep

import (
	"fmt"
	"strconv"

	"runner/internal/train"
)

// A Dimension is one hyperparameter that a sweep varies: a distribution a
// random or Halton search draws from, or a list of values (a grid's axis,
// a search's choice). Dimensions is what analyses of a sweep read.
type Dimension struct {
	Param string // the hyperparameter, as Param names it: "lr", "weight_decay", "optimizer"
	Path  string // where the file sets it: "optimizers[0].lr", "model.weight_decay", "optimizers"
	// Dist is uniform, log_uniform or int_uniform, with bounds Low and
	// High; "" for a list of values, Choices, formatted as Param formats
	// them.
	Dist      string
	Low, High float64
	Choices   []string
	// Entry is, for a field of an optimizers or schedules entry, the
	// entry's name: the hyperparameter exists only in the runs of that
	// entry. "" for the others.
	Entry string
}

// Log reports whether the dimension is drawn on a log scale.
func (d Dimension) Log() bool { return d.Dist == "log_uniform" }

// Dimensions lists the hyperparameters s varies, in the grid's axis order:
// each field with a distribution or more than one value, and the choice of
// optimizers or schedules entry when there are several. The seeds are
// repeats, not a dimension.
func (s *Spec) Dimensions() []Dimension {
	var dims []Dimension
	add := func(param, path string, vals []string) {
		if dist := s.Dists[path]; dist != "" && len(vals) == 2 {
			lo, err1 := strconv.ParseFloat(vals[0], 64)
			hi, err2 := strconv.ParseFloat(vals[1], 64)
			if err1 == nil && err2 == nil {
				dims = append(dims, Dimension{Param: param, Path: path, Dist: dist, Low: lo, High: hi})
				return
			}
		}
		if len(vals) > 1 {
			dims = append(dims, Dimension{Param: param, Path: path, Choices: vals})
		}
	}
	d, m, t := &s.Dataset, &s.Model, &s.Train
	add("dataset", "dataset.name", d.Name)
	add("function", "dataset.function", d.Function)
	add("start", "dataset.start", formatted(d.Start, formatPoint))
	add("condition", "dataset.condition", formatted(d.Condition, formatNum[float64]))
	add("train_limit", "dataset.train_limit", formatted(d.TrainLimit, formatNum[int]))
	add("validation", "dataset.validation", formatted(d.Validation, formatNum[float64]))
	add("hidden", "model.hidden", formatted(m.Hidden, hiddenString))
	add("activation", "model.activation", m.Activation)
	add("init", "model.init", m.Init)
	add("batchnorm", "model.batchnorm", formatted(m.BatchNorm, strconv.FormatBool))
	add("dropout", "model.dropout", formatted(m.Dropout, formatNum[float64]))
	add("weight_decay", "model.weight_decay", formatted(m.WeightDecay, formatNum[float64]))
	add("precision", "model.precision", m.Precision)
	add("epochs", "train.epochs", formatted(t.Epochs, formatNum[int]))
	add("batch_size", "train.batch_size", formatted(t.BatchSize, formatNum[int]))
	add("optimizer", "optimizers", formatted(s.Optimizers, func(o OptimizerAxes) string { return o.Name }))
	for i := range s.Optimizers {
		dims = append(dims, entryDimensions(s, "optimizers", i, s.Optimizers[i].Name, optimizerFields, &s.Optimizers[i])...)
	}
	add("schedule", "schedules", formatted(s.Schedules, func(sc ScheduleAxes) string { return sc.Name }))
	for i := range s.Schedules {
		dims = append(dims, entryDimensions(s, "schedules", i, s.Schedules[i].Name, scheduleFields, &s.Schedules[i])...)
	}
	return dims
}

// entryDimensions lists the varied fields of entry i of list.
func entryDimensions[E, C any](s *Spec, list string, i int, name string, fields []entryField[E, C], e *E) []Dimension {
	var dims []Dimension
	for _, f := range fields {
		if !f.given(e) {
			continue
		}
		a := f.axis(e)
		vals := make([]string, a.n)
		for j := range vals {
			vals[j] = a.str(j)
		}
		path := fmt.Sprintf("%s[%d].%s", list, i, f.key())
		dim := Dimension{Param: f.param(), Path: path, Entry: name}
		if dist := s.Dists[path]; dist != "" && len(vals) == 2 {
			lo, err1 := strconv.ParseFloat(vals[0], 64)
			hi, err2 := strconv.ParseFloat(vals[1], 64)
			if err1 == nil && err2 == nil {
				dim.Dist, dim.Low, dim.High = dist, lo, hi
				dims = append(dims, dim)
				continue
			}
		}
		if len(vals) > 1 {
			dim.Choices = vals
			dims = append(dims, dim)
		}
	}
	return dims
}

// formatted formats each of vals.
func formatted[T any](vals []T, format func(T) string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = format(v)
	}
	return out
}

// hiddenString formats hidden sizes as Param does.
func hiddenString(h []int) string {
	if len(h) == 0 {
		return "none"
	}
	return train.ModelConfig{Hidden: h}.HiddenString()
}
