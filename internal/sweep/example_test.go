package sweep_test

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"runner/internal/sweep"
)

// Every problem in a file is reported, each with its file, line and field.
func ExampleParse_errors() {
	src := `name: broken
train:
  epochs: 10
  batch_size: 0
optimizers:
  - {name: sgd, lr: 0.1, beta1: 0.9}
  - {name: adam, lr: -0.001}
schedules:
  - {name: cosine, warmup: 1, gamma: 0.5}
`
	_, err := sweep.Parse("experiments/broken.yaml", []byte(src), []string{"train.epoch=1"})
	fmt.Println(err)
	// Output:
	// experiments/broken.yaml:4: train.batch_size: must be >= 1 (got 0)
	// experiments/broken.yaml:6: optimizers[0].beta1: does not apply to sgd, which takes lr
	// experiments/broken.yaml:7: optimizers[1].lr: must be > 0 (got -0.001)
	// experiments/broken.yaml:9: schedules[0].gamma: does not apply to cosine, which takes min_lr, warmup
	// --set:1: train.epoch: unknown key "epoch" (the keys of train are epochs, batch_size, seeds)
}

// A compact table of the runs shows only the hyperparameters that vary.
func ExampleVarying() {
	src := `name: lr-sweep
optimizers:
  - {name: sgd, lr: [0.1, 0.01]}
  - {name: adam, lr: 0.001}
train: {seeds: [1, 2]}
`
	spec, err := sweep.Parse("lr.yaml", []byte(src), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	runs, err := spec.Expand(sweep.DefaultMaxRuns)
	if err != nil {
		fmt.Println(err)
		return
	}
	cols := sweep.Varying(runs)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(cols, "\t"))
	for _, c := range runs {
		var row []string
		for _, name := range cols {
			row = append(row, sweep.Param(c, name))
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	w.Flush()
	// Output:
	// optimizer  lr     seed
	// sgd        0.1    1
	// sgd        0.1    2
	// sgd        0.01   1
	// sgd        0.01   2
	// adam       0.001  1
	// adam       0.001  2
}

// A random search draws its trials from the sweep's seed: the same file
// gives the same trials, here the first three of the book's §6.5 search.
func ExampleSpec_Expand_randomSearch() {
	spec, err := sweep.Load("testdata/ch6-hyperparams.yaml", []string{"search.trials=3"})
	if err != nil {
		fmt.Println(err)
		return
	}
	runs, err := spec.Expand(sweep.DefaultMaxRuns)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range runs {
		fmt.Printf("lr %.6g  weight_decay %.6g  epochs %d\n", c.Optimizer.LR, c.Model.WeightDecay, c.Epochs)
	}
	// Output:
	// lr 1.11508e-06  weight_decay 1.05119e-08  epochs 50
	// lr 3.40339e-05  weight_decay 9.22714e-08  epochs 50
	// lr 3.72452e-05  weight_decay 8.9127e-07  epochs 50
}
