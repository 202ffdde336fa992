package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"runner/internal/store"
	"runner/internal/train"
)

func TestDB_CreateSweep(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 12, 34, 56, 789_654_321, time.FixedZone("CEST", 2*3600))
	useClock(t, start, 1500*time.Millisecond)
	db := MustOpen(t)

	in := store.SweepRecord{
		Name:          "ch6-optimizers",
		Description:   "SGD vs Adam",
		File:          "experiments/ch6.yaml",
		Spec:          "name: ch6-optimizers\noptimizers: [sgd, adam]\n",
		Overrides:     []string{"epochs=3", "seeds=[1,2]"},
		SpecHash:      "abc123",
		Seed:          42,
		Host:          "lab-1",
		RunnerVersion: "v0.1.0",
		// Ignored by CreateSweep (RunsTotal, below the configs' count):
		ID: 99, Status: "done", RunsTotal: 2, FinishedAt: start,
	}
	adam := baseConfig()
	adam.Optimizer = train.OptimizerConfig{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	noHidden := withSeed(baseConfig(), 3)
	noHidden.Model.Hidden = []int{}
	configs := []train.Config{baseConfig(), adam, noHidden}

	sweepID, runIDs, err := db.CreateSweep(ctx, in, configs)
	if err != nil {
		t.Fatal(err)
	}
	if len(runIDs) != len(configs) {
		t.Fatalf("got %d run ids for %d configs", len(runIDs), len(configs))
	}

	want := in
	want.ID, want.Status, want.RunsTotal, want.FinishedAt = sweepID, "running", 3, time.Time{}
	want.StartedAt = time.Date(2024, 5, 1, 10, 34, 56, 789_000_000, time.UTC)
	got, err := db.Sweep(ctx, sweepID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sweep =\n%+v\nwant\n%+v", got, want)
	}
	if got := queryString(t, db.SQLDB(), `SELECT started_at FROM sweeps WHERE id = ?`, sweepID); got != "2024-05-01T10:34:56.789Z" {
		t.Errorf("started_at stored as %q", got)
	}
	if got := queryString(t, db.SQLDB(), `SELECT strftime('%s', started_at) FROM sweeps WHERE id = ?`, sweepID); got != fmt.Sprint(start.Unix()) {
		t.Errorf("SQLite reads started_at as unix time %s, want %d", got, start.Unix())
	}
	if got := queryString(t, db.SQLDB(), `SELECT overrides FROM sweeps WHERE id = ?`, sweepID); got != `["epochs=3","seeds=[1,2]"]` {
		t.Errorf("overrides stored as %s", got)
	}

	runs, err := db.Runs(ctx, sweepID)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(configs) {
		t.Fatalf("Runs returned %d runs, want %d", len(runs), len(configs))
	}
	for i, r := range runs {
		wantRun := store.Run{ID: runIDs[i], SweepID: sweepID, Key: configs[i].Key(), Config: configs[i], Status: train.Pending}
		if !reflect.DeepEqual(r, wantRun) {
			t.Errorf("run %d =\n%+v\nwant\n%+v", i, r, wantRun)
		}
		if got := queryString(t, db.SQLDB(), `SELECT config FROM runs WHERE id = ?`, r.ID); got != string(configs[i].CanonicalJSON()) {
			t.Errorf("run %d config stored as %s", i, got)
		}
	}
}

func TestDB_CreateSweep_Empty(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	id, runIDs, err := db.CreateSweep(ctx, store.SweepRecord{Name: "nothing"}, nil)
	if err != nil || len(runIDs) != 0 {
		t.Fatalf("CreateSweep with no configs = %v, %v", runIDs, err)
	}
	s, err := db.Sweep(ctx, id)
	if err != nil || s.RunsTotal != 0 || s.Overrides != nil {
		t.Errorf("Sweep = %+v, %v", s, err)
	}
	if runs, err := db.Runs(ctx, id); err != nil || len(runs) != 0 {
		t.Errorf("Runs = %v, %v; want none, nil", runs, err)
	}
}

func TestDB_CreateSweep_Invalid(t *testing.T) {
	a, b := baseConfig(), withSeed(baseConfig(), 2)
	for _, tt := range []struct {
		name    string
		setup   string // SQL run first, if any
		sweep   store.SweepRecord
		configs []train.Config
		wantErr string
	}{
		{"duplicate key", "", store.SweepRecord{Name: "dup"}, []train.Config{a, b, a}, "runs 0 and 2 have the same key " + a.Key()},
		{"no name", "", store.SweepRecord{}, []train.Config{a}, "name is empty"},
		// Fails inside the transaction, after the sweep and the first run
		// are inserted: the rollback must take them back.
		{"second run refused by the database", `CREATE TRIGGER refuse_seed_2 BEFORE INSERT ON runs WHEN NEW.seed = 2
			BEGIN SELECT RAISE(ABORT, 'seed 2 refused'); END`,
			store.SweepRecord{Name: "abort"}, []train.Config{a, b}, "insert run 1 (key " + b.Key() + "): seed 2 refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			if tt.setup != "" {
				mustExec(t, db.SQLDB(), tt.setup)
			}
			_, _, err := db.CreateSweep(context.Background(), tt.sweep, tt.configs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			for _, table := range []string{"sweeps", "runs"} {
				if got := queryString(t, db.SQLDB(), `SELECT count(*) FROM `+table); got != "0" {
					t.Errorf("%s has %s rows after a rejected sweep", table, got)
				}
			}
		})
	}
}

// The hyperparameter columns are what users filter and group by in SQL.
func TestDB_CreateSweep_Columns(t *testing.T) {
	columns := []string{"optimizer", "lr", "momentum", "decay_rate", "beta1", "beta2", "eps",
		"schedule", "step_every", "gamma", "decay_k", "min_lr", "warmup",
		"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision",
		"epochs", "batch_size", "seed", "train_limit", "validation", "status", "error", "started_at", "finished_at"}
	type row map[string]any // column → int64, float64, string or nil (NULL)
	common := row{"epochs": int64(5), "batch_size": int64(100), "seed": int64(1), "train_limit": int64(1000),
		"validation": 0.1, "status": "pending", "error": nil, "started_at": nil, "finished_at": nil,
		"hidden": "100-100-100-100", "activation": "relu", "init": "he", "batchnorm": int64(0),
		"dropout": 0.0, "weight_decay": 0.0, "precision": "float32"}
	noOptimizerExtras := row{"momentum": nil, "decay_rate": nil, "beta1": nil, "beta2": nil, "eps": nil}
	noScheduleExtras := row{"step_every": nil, "gamma": nil, "decay_k": nil, "min_lr": nil, "warmup": nil}

	for _, tt := range []struct {
		name   string
		modify func(c *train.Config)
		want   row // on top of common, noOptimizerExtras and noScheduleExtras
	}{
		{"sgd constant", func(c *train.Config) {},
			row{"optimizer": "sgd", "lr": 0.01, "schedule": "constant"}},
		{"momentum step, batchnorm, dropout, weight decay", func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "momentum", LR: 0.1, Momentum: 0.9}
			c.Schedule = train.ScheduleConfig{Name: "step", Every: 10, Gamma: 0.5}
			c.Model.BatchNorm, c.Model.Dropout, c.Model.WeightDecay = true, 0.2, 1e-4
			c.Model.Hidden = []int{50}
		}, row{"optimizer": "momentum", "lr": 0.1, "momentum": 0.9, "schedule": "step", "step_every": int64(10), "gamma": 0.5,
			"batchnorm": int64(1), "dropout": 0.2, "weight_decay": 1e-4, "hidden": "50"}},
		{"nesterov cosine to 0, no hidden layers", func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "nesterov", LR: 0.05, Momentum: 0.95}
			c.Schedule = train.ScheduleConfig{Name: "cosine"}
			c.Model.Hidden = nil
		}, row{"optimizer": "nesterov", "lr": 0.05, "momentum": 0.95, "schedule": "cosine", "hidden": ""}},
		{"adagrad inverse time", func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "adagrad", LR: 0.01, Eps: 1e-7}
			c.Schedule = train.ScheduleConfig{Name: "inverse_time", K: 0.1}
		}, row{"optimizer": "adagrad", "lr": 0.01, "eps": 1e-7, "schedule": "inverse_time", "decay_k": 0.1}},
		{"rmsprop exponential", func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "rmsprop", LR: 0.001, DecayRate: 0.99, Eps: 1e-8}
			c.Schedule = train.ScheduleConfig{Name: "exponential", Gamma: 0.95}
		}, row{"optimizer": "rmsprop", "lr": 0.001, "decay_rate": 0.99, "eps": 1e-8, "schedule": "exponential", "gamma": 0.95}},
		{"adam cosine with warm-up, float64, no validation, init std", func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
			c.Schedule = train.ScheduleConfig{Name: "cosine", MinLR: 1e-5, Warmup: 2}
			c.Model.Precision, c.Model.Init = "float64", "0.01"
			c.Dataset.Validation, c.Dataset.TrainLimit = 0, 0
			c.Epochs, c.BatchSize, c.Seed = 20, 32, -7
		}, row{"optimizer": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
			"schedule": "cosine", "min_lr": 1e-5, "warmup": int64(2), "precision": "float64", "init": "0.01",
			"validation": 0.0, "train_limit": int64(0), "epochs": int64(20), "batch_size": int64(32), "seed": int64(-7)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			c := baseConfig()
			tt.modify(&c)
			_, runIDs := MustCreateSweep(t, db, "columns", c)

			want := row{}
			for _, m := range []row{common, noOptimizerExtras, noScheduleExtras, tt.want} {
				for k, v := range m {
					want[k] = v
				}
			}
			values := make([]any, len(columns))
			ptrs := make([]any, len(columns))
			for i := range values {
				ptrs[i] = &values[i]
			}
			err := db.SQLDB().QueryRowContext(context.Background(),
				`SELECT `+strings.Join(columns, ", ")+` FROM runs WHERE id = ?`, runIDs[0]).Scan(ptrs...)
			if err != nil {
				t.Fatal(err)
			}
			for i, col := range columns {
				got := values[i]
				if b, ok := got.([]byte); ok {
					got = string(b)
				}
				if got != want[col] {
					t.Errorf("%s = %#v, want %#v", col, got, want[col])
				}
			}
		})
	}
}

func TestDB_FinishSweep(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	useClock(t, start, time.Minute)
	for _, status := range []store.SweepStatus{store.SweepDone, store.SweepFailed, store.SweepInterrupted} {
		t.Run(string(status), func(t *testing.T) {
			db := MustOpen(t)
			id, _ := MustCreateSweep(t, db, "ch6", baseConfig())
			if err := db.FinishSweep(ctx, id, status); err != nil {
				t.Fatal(err)
			}
			s, err := db.Sweep(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.Status != status || !s.FinishedAt.After(s.StartedAt) || s.FinishedAt.Sub(s.StartedAt) != time.Minute {
				t.Errorf("after FinishSweep: status %q, started %v, finished %v", s.Status, s.StartedAt, s.FinishedAt)
			}
		})
	}

	db := MustOpen(t)
	id, _ := MustCreateSweep(t, db, "ch6", baseConfig())
	for _, status := range []store.SweepStatus{store.SweepRunning, "", "Done", "diverged"} {
		if err := db.FinishSweep(ctx, id, status); err == nil {
			t.Errorf("FinishSweep(%q) succeeded", status)
		}
	}
	if err := db.FinishSweep(ctx, id+100, "done"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishSweep of a missing sweep: %v, want ErrNotFound", err)
	}
}

func TestDB_LatestSweep(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.LatestSweep(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestSweep on an empty database: %v, want ErrNotFound", err)
	}
	a1, _ := MustCreateSweep(t, db, "a", baseConfig())
	b1, _ := MustCreateSweep(t, db, "b", baseConfig())
	a2, _ := MustCreateSweep(t, db, "a", baseConfig())
	_ = a1

	for _, tt := range []struct {
		name string
		want int64
	}{
		{"a", a2},
		{"b", b1},
		{"", a2},
	} {
		s, err := db.LatestSweep(ctx, tt.name)
		if err != nil || s.ID != tt.want {
			t.Errorf("LatestSweep(%q) = sweep %d, %v; want sweep %d", tt.name, s.ID, err, tt.want)
		}
	}
	_, err := db.LatestSweep(ctx, "c")
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `latest sweep "c"`) {
		t.Errorf("LatestSweep(c): %v, want ErrNotFound naming c", err)
	}
	if _, err := db.Sweep(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Sweep(999): %v, want ErrNotFound", err)
	}
	if _, err := db.Runs(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Runs(999): %v, want ErrNotFound", err)
	}
}

func TestDB_DeleteSweepCascades(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	gone, goneRuns := MustCreateSweep(t, db, "gone", baseConfig(), withSeed(baseConfig(), 2))
	kept, keptRuns := MustCreateSweep(t, db, "kept", baseConfig())
	for _, id := range append(goneRuns, keptRuns...) {
		mustAddEpochs(t, db, id, 3)
	}

	mustExec(t, db.SQLDB(), `DELETE FROM sweeps WHERE id = ?`, gone)

	for query, want := range map[string]string{
		`SELECT count(*) FROM runs WHERE sweep_id = ?`:                                         "0",
		`SELECT count(*) FROM epochs WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?)`: "0",
		`SELECT count(*) FROM runs`:                                                            "1",
		`SELECT count(*) FROM epochs`:                                                          "3",
	} {
		args := []any{}
		if strings.Contains(query, "?") {
			args = append(args, gone)
		}
		if got := queryString(t, db.SQLDB(), query, args...); got != want {
			t.Errorf("%s = %s, want %s", query, got, want)
		}
	}
	for _, id := range goneRuns {
		if _, err := db.Epochs(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Epochs of deleted run %d: %v, want ErrNotFound", id, err)
		}
	}
	if runs, err := db.Runs(ctx, kept); err != nil || len(runs) != 1 {
		t.Errorf("Runs of the kept sweep = %d, %v", len(runs), err)
	}

	// And foreign keys are enforced on insert.
	if _, err := db.SQLDB().ExecContext(ctx,
		`INSERT INTO runs (sweep_id, run_key, config, status) VALUES (?, 'k', '{}', 'pending')`, gone); err == nil {
		t.Error("inserted a run of a deleted sweep")
	}
}

// The queries the store and users make most use an index.
func TestSchema_Indexes(t *testing.T) {
	db := MustOpen(t)
	for _, tt := range []struct{ query, want string }{
		{`SELECT * FROM runs WHERE sweep_id = 1`, "USING INDEX sqlite_autoindex_runs_1 (sweep_id=?)"},
		{`SELECT * FROM sweeps WHERE name = 'a' ORDER BY id DESC LIMIT 1`, "USING INDEX sweeps_name_id (name=?)"},
		{`SELECT * FROM epochs WHERE run_id = 1 ORDER BY epoch`, "USING INDEX sqlite_autoindex_epochs_1 (run_id=?)"},
		{`DELETE FROM runs WHERE sweep_id = 1`, "sweep_id=?"},
	} {
		rows, err := db.SQLDB().QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		if !strings.Contains(all, tt.want) || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("plan of %s: %s; want %s and no sort", tt.query, all, tt.want)
		}
	}
}

// A search adds its runs batch by batch; a batch is added whole or not at
// all.
func TestDB_AddRuns(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	a, b, c, d := baseConfig(), withSeed(baseConfig(), 2), withSeed(baseConfig(), 3), withSeed(baseConfig(), 4)
	id, _, err := db.CreateSweep(ctx, store.SweepRecord{Name: "search", RunsTotal: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.Sweep(ctx, id); err != nil || s.RunsTotal != 4 {
		t.Fatalf("Sweep = %+v, %v; want RunsTotal 4", s, err)
	}
	first, err := db.AddRuns(ctx, id, []train.Config{a, b})
	if err != nil {
		t.Fatal(err)
	}
	// A batch repeating a run of the sweep, or itself, is refused whole.
	for _, batch := range [][]train.Config{{c, a}, {c, d, c}} {
		if _, err := db.AddRuns(ctx, id, batch); err == nil {
			t.Errorf("AddRuns(%d configs with a repeated key) = nil error", len(batch))
		}
	}
	if _, err := db.AddRuns(ctx, id+1, []train.Config{c}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddRuns to a missing sweep: %v, want ErrNotFound", err)
	}
	second, err := db.AddRuns(ctx, id, []train.Config{c, d})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ids := slices.Concat(first, second)
	if len(runs) != 4 {
		t.Fatalf("%d runs, want 4", len(runs))
	}
	for i, want := range []train.Config{a, b, c, d} {
		if runs[i].ID != ids[i] || runs[i].Key != want.Key() || runs[i].Status != train.Pending {
			t.Errorf("run %d = id %d key %s %s; want id %d key %s pending", i, runs[i].ID, runs[i].Key, runs[i].Status, ids[i], want.Key())
		}
	}
}
