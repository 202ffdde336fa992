package sweep_test

import (
	"reflect"
	"testing"

	"runner/internal/sweep"
)

func TestDimensions(t *testing.T) {
	s, err := sweep.Parse("d.yaml", []byte(`
name: d
search: {method: random, trials: 10}
dataset: {validation: 0.2}
model: {weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}, activation: [relu, tanh], dropout: 0.1}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-6, 1.0e-2]}}
  - {name: momentum, lr: 0.01, momentum: {uniform: [0.5, 0.99]}}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []sweep.Dimension{
		{Param: "activation", Path: "model.activation", Choices: []string{"relu", "tanh"}},
		{Param: "weight_decay", Path: "model.weight_decay", Dist: "log_uniform", Low: 1e-8, High: 1e-4},
		{Param: "optimizer", Path: "optimizers", Choices: []string{"sgd", "momentum"}},
		{Param: "lr", Path: "optimizers[0].lr", Dist: "log_uniform", Low: 1e-6, High: 1e-2, Entry: "sgd"},
		{Param: "momentum", Path: "optimizers[1].momentum", Dist: "uniform", Low: 0.5, High: 0.99, Entry: "momentum"},
	}
	if got := s.Dimensions(); !reflect.DeepEqual(got, want) {
		t.Errorf("Dimensions:\n%+v\nwant\n%+v", got, want)
	}
}
