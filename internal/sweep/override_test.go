package sweep_test

import (
	"reflect"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

func TestParse_Overrides(t *testing.T) {
	const base = `name: o
train:
  epochs: 10
optimizers:
  - {name: sgd, lr: [0.1, 0.01]}
  - {name: adam, lr: 0.001}
`
	for _, tt := range []struct {
		name      string
		yaml      string
		overrides []string
		get       func(train.Config) any
		want      []any
	}{
		{"scalar", base, []string{"train.epochs=1"},
			func(c train.Config) any { return c.Epochs }, []any{1, 1, 1}},
		{"key missing from the file", base, []string{"dataset.train_limit=500"},
			func(c train.Config) any { return c.Dataset.TrainLimit }, []any{500, 500, 500}},
		{"section missing from the file", "name: o\n", []string{"model.dropout=0.5"},
			func(c train.Config) any { return c.Model.Dropout }, []any{0.5}},
		{"list becomes an axis", "name: o\n", []string{"train.seeds=[1,2]"},
			func(c train.Config) any { return c.Seed }, []any{int64(1), int64(2)}},
		{"hidden list of lists", "name: o\n", []string{"model.hidden=[[50],[100,100]]"},
			func(c train.Config) any { return c.Model.HiddenString() }, []any{"50", "100-100"}},
		{"hidden single list", "name: o\n", []string{"model.hidden=[10, 20]"},
			func(c train.Config) any { return c.Model.HiddenString() }, []any{"10-20"}},
		{"optimizer entry field", base, []string{"optimizers[0].lr=0.05"},
			func(c train.Config) any { return c.Optimizer.LR }, []any{0.05, 0.001}},
		{"optimizer field missing from the entry", base, []string{"optimizers[1].beta1=0.5"},
			func(c train.Config) any { return c.Optimizer.Beta1 }, []any{0.0, 0.0, 0.5}},
		{"optimizer entry of the default list", "name: o\n", []string{"optimizers[0].lr=0.2"},
			func(c train.Config) any { return c.Optimizer }, []any{train.OptimizerConfig{Name: "sgd", LR: 0.2}}},
		{"optimizer entry replaced", base, []string{"optimizers[1]={name: rmsprop, lr: 0.01}"},
			func(c train.Config) any { return c.Optimizer.Name }, []any{"sgd", "sgd", "rmsprop"}},
		{"whole list replaced", base, []string{"optimizers=[{name: nesterov, lr: 0.1}]"},
			func(c train.Config) any { return c.Optimizer.Name }, []any{"nesterov"}},
		{"schedule of the default list", "name: o\n", []string{"schedules[0].warmup=2"},
			func(c train.Config) any { return c.Schedule }, []any{train.ScheduleConfig{Name: "constant", Warmup: 2}}},
		{"later override wins", base, []string{"train.epochs=1", "train.epochs=3"},
			func(c train.Config) any { return c.Epochs }, []any{3, 3, 3}},
		{"override fixes the file", "name: o\ntrain: {epochs: 0}\n", []string{"train.epochs=2"},
			func(c train.Config) any { return c.Epochs }, []any{2}},
		{"top-level key", base, []string{"name=renamed", "seed=7", "dataset.validation=0.1"},
			func(c train.Config) any { return c.Dataset.SplitSeed }, []any{int64(7), int64(7), int64(7)}},
		{"empty file", "", []string{"name=quick", "train.epochs=1"},
			func(c train.Config) any { return c.Epochs }, []any{1}},
		{"null section", "name: o\nmodel:\n", []string{"model.init=0.01"},
			func(c train.Config) any { return c.Model.Init }, []any{"0.01"}},
		{"spaces around the path", "name: o\n", []string{" train.epochs =4"},
			func(c train.Config) any { return c.Epochs }, []any{4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sweep.Parse("o.yaml", []byte(tt.yaml), tt.overrides)
			if err != nil {
				t.Fatalf("Parse:\n%v", err)
			}
			var got []any
			for _, c := range MustExpand(t, s) {
				got = append(got, tt.get(c))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(s.Overrides, tt.overrides) || string(s.Source) != tt.yaml {
				t.Errorf("Overrides, Source = %q, %q", s.Overrides, s.Source)
			}
		})
	}
}

// TestParse_OverrideLeavesSource checks that the file's bytes and the
// parsed spec of the file alone are untouched by overrides.
func TestParse_OverrideLeavesSource(t *testing.T) {
	src := []byte(MustRead(t, "testdata/ch6.yaml"))
	before := string(src)
	s, err := sweep.Parse("ch6.yaml", src, []string{"train.epochs=2", "optimizers[0].lr=0.5"})
	if err != nil {
		t.Fatal(err)
	}
	if string(src) != before || string(s.Source) != before {
		t.Error("Parse changed the source")
	}
	if got := MustParse(t, before).Hash(); got == s.Hash() {
		t.Error("the overrides did not change the hash")
	}
	if n, _ := s.Count(); n != 81 {
		t.Errorf("Count = %d, want 81 (sgd's two rates replaced by one)", n)
	}
	if !strings.Contains(string(s.Source), "epochs: 10") {
		t.Error("Source lost the file's epochs")
	}
}
