package web

import (
	"cmp"
	"math"
	"slices"

	"runner/internal/report"
)

// meanJSON is the mean ± sd of the metrics of the runs of one
// configuration, epoch by epoch: what the page draws as one line with its
// band. Element i of each slice is the epoch Epoch[i].
type meanJSON struct {
	Group     string    `json:"group"`   // as runJSON.Group
	RunIDs    []int64   `json:"run_ids"` // the runs pooled, in increasing order
	Epoch     []int64   `json:"epoch"`   // every epoch one of them recorded, in order
	TrainLoss statsJSON `json:"train_loss"`
	TrainAcc  statsJSON `json:"train_acc"`
	ValAcc    statsJSON `json:"val_acc"`
	TestAcc   statsJSON `json:"test_acc"`
	Distance  statsJSON `json:"distance"` // of runs on a function
}

// statsJSON is a report.Summary per epoch: over the runs that recorded a
// finite value at that epoch, their number, their mean (null when there
// are none) and their sample standard deviation (null when fewer than two).
type statsJSON struct {
	N    []int `json:"n"`
	Mean []num `json:"mean"`
	SD   []num `json:"sd"`
}

// meanCurves pools the epochs of runs by configuration, in the order of
// each configuration's first run, and summarizes each metric at each
// epoch with report.Summarize.
func meanCurves(runs []sweepRun, byRun map[int64]*epochsJSON) []*meanJSON {
	out := []*meanJSON{}
	index := map[string]int{}
	var members [][]*epochsJSON
	for _, r := range slices.SortedFunc(slices.Values(runs), func(a, b sweepRun) int { return cmp.Compare(a.id, b.id) }) {
		i, ok := index[r.group]
		if !ok {
			i = len(out)
			index[r.group] = i
			out = append(out, &meanJSON{Group: r.group, RunIDs: []int64{}})
			members = append(members, nil)
		}
		out[i].RunIDs = append(out[i].RunIDs, r.id)
		members[i] = append(members[i], byRun[r.id])
	}
	for i, m := range out {
		var epochs []int64
		for _, e := range members[i] {
			epochs = append(epochs, e.Epoch...)
		}
		slices.Sort(epochs)
		m.Epoch = slices.Compact(epochs)
		if m.Epoch == nil {
			m.Epoch = []int64{}
		}
		m.TrainLoss = summarizeEpochs(m.Epoch, members[i], func(e *epochsJSON) []num { return e.TrainLoss })
		m.TrainAcc = summarizeEpochs(m.Epoch, members[i], func(e *epochsJSON) []num { return e.TrainAcc })
		m.ValAcc = summarizeEpochs(m.Epoch, members[i], func(e *epochsJSON) []num { return e.ValAcc })
		m.TestAcc = summarizeEpochs(m.Epoch, members[i], func(e *epochsJSON) []num { return e.TestAcc })
		m.Distance = summarizeEpochs(m.Epoch, members[i], func(e *epochsJSON) []num { return e.Distance })
	}
	return out
}

// summarizeEpochs summarizes, at each of epochs, the finite values of the
// metric column of runs that recorded that epoch.
func summarizeEpochs(epochs []int64, runs []*epochsJSON, column func(*epochsJSON) []num) statsJSON {
	st := statsJSON{N: make([]int, len(epochs)), Mean: make([]num, len(epochs)), SD: make([]num, len(epochs))}
	var vals []float64
	for k, epoch := range epochs {
		vals = vals[:0]
		for _, e := range runs {
			if j, ok := slices.BinarySearch(e.Epoch, epoch); ok {
				if v := float64(column(e)[j]); !math.IsNaN(v) && !math.IsInf(v, 0) {
					vals = append(vals, v)
				}
			}
		}
		sum := report.Summarize(vals)
		st.N[k], st.Mean[k], st.SD[k] = sum.N, num(sum.Mean), num(sum.SD)
	}
	return st
}
