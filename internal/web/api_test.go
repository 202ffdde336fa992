package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/train"
)

// openRead opens the database at path read-only until the test ends.
func openRead(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// recorded returns the runs of a sweep and their epochs, as the store
// reads them.
func recorded(t *testing.T, db *store.DB, sweepID int64) ([]store.Run, map[int64][]train.EpochMetrics) {
	t.Helper()
	runs, err := db.Runs(context.Background(), sweepID)
	if err != nil {
		t.Fatal(err)
	}
	epochs := map[int64][]train.EpochMetrics{}
	for _, r := range runs {
		if epochs[r.ID], err = db.Epochs(context.Background(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return runs, epochs
}

// TestServeAPI asks every endpoint about a real database (querySweep
// trained twice: sweeps 1 and 2, 16 runs each, epochs 0 to 2) and checks
// the answers against the database and against runner compare's table.
func TestServeAPI(t *testing.T) {
	path := resultsDB(t)
	before := fileHash(t, path)
	ts := serveAPI(t, path)

	sweeps := list(getOK(t, ts, "/api/sweeps")["sweeps"])
	if len(sweeps) != 2 || numField(sweeps[0], "id") != 2 || numField(sweeps[1], "id") != 1 {
		t.Fatalf("sweeps: want ids 2, 1 (newest first), got %v", sweeps)
	}
	for _, sw := range sweeps {
		if field(sw, "name") != "ch6" || field(sw, "status") != "done" || numField(sw, "runs_total") != 16 ||
			numField(sw, "runs_done") != 16 || numField(sw, "epochs_done") != 48 || numField(sw, "epochs_total") != 48 {
			t.Errorf("sweep %v", sw)
		}
		if acc := numField(sw, "best_test_acc"); !(acc > 0.1 && acc <= 1) {
			t.Errorf("sweep %v: best_test_acc %v", field(sw, "id"), acc)
		}
		// With a validation split, the best final val_acc of its done runs.
		bestVal := -1.0
		for _, r := range list(getOK(t, ts, fmt.Sprintf("/api/sweeps/%v/runs", field(sw, "id")))["runs"]) {
			final := obj(field(r, "final"))
			if v, ok := final["val_acc"].(float64); ok && field(r, "status") == "done" {
				bestVal = max(bestVal, v)
			}
		}
		if acc := numField(sw, "best_val_acc"); acc != bestVal || !(acc > 0.1) {
			t.Errorf("sweep %v: best_val_acc %v, want %v", field(sw, "id"), acc, bestVal)
		}
		if field(sw, "spec") != nil {
			t.Errorf("the list carries the spec: %v", sw)
		}
	}
	if got := list(getOK(t, ts, "/api/sweeps?name=ch6&limit=1")["sweeps"]); len(got) != 1 || numField(got[0], "id") != 2 {
		t.Errorf("?name=ch6&limit=1: %v", got)
	}
	if got := list(getOK(t, ts, "/api/sweeps?name=other")["sweeps"]); len(got) != 0 {
		t.Errorf("?name=other: %v", got)
	}

	sw := getOK(t, ts, "/api/sweeps/1")
	if numField(sw, "id") != 1 || !strings.Contains(fmt.Sprint(sw["spec"]), "name: ch6") || sw["overrides"] == nil {
		t.Errorf("sweep 1: %v", sw)
	}
	if sw := getOK(t, ts, "/api/sweeps/ch6"); numField(sw, "id") != 2 {
		t.Errorf("sweep ch6: id %v, want the latest, 2", sw["id"])
	}

	// The runs of sweep 1, against the database.
	db := openRead(t, path)
	stored, storedEpochs := recorded(t, db, 1)
	runs := getOK(t, ts, "/api/sweeps/1/runs")
	if got := fmt.Sprint(runs["varying"]); got != "[optimizer lr schedule seed]" {
		t.Errorf("varying: %s", got)
	}
	if len(list(runs["columns"])) != 26 || list(runs["columns"])[0] != "function" {
		t.Errorf("columns: %v", runs["columns"])
	}
	rs := list(runs["runs"])
	if len(rs) != 16 || len(stored) != 16 {
		t.Fatalf("runs of sweep 1: %d, the database has %d, want 16", len(rs), len(stored))
	}
	groups := map[string]int{}
	for i, r := range rs {
		if numField(r, "id") != float64(i+1) || field(r, "status") != "done" || numField(field(r, "final"), "epoch") != 2 {
			t.Errorf("run %d: %v", i+1, r)
		}
		if acc := numField(field(r, "final"), "test_acc"); !(acc >= 0 && acc <= 1) {
			t.Errorf("run %d: final test_acc %v", i+1, acc)
		}
		p := obj(field(r, "params"))
		if p["hidden"] != "20" || p["epochs"] != 2.0 || p["train_limit"] != 300.0 || p["validation"] != 0.2 {
			t.Errorf("run %d params: %v", i+1, p)
		}
		if p["optimizer"] == "sgd" && (p["beta1"] != nil || p["eps"] != nil) {
			t.Errorf("run %d: sgd with adam's parameters: %v", i+1, p)
		}
		groups[fmt.Sprint(field(r, "group"))]++
	}
	if len(groups) != 8 {
		t.Errorf("runs fall in %d groups, want 8 configurations × 2 seeds: %v", len(groups), groups)
	}
	for i, r := range rs {
		es := storedEpochs[stored[i].ID]
		if field(r, "key") != stored[i].Key || len(es) != 3 {
			t.Fatalf("run %v: key %v, the database has run %d with key %s and %d epochs", field(r, "id"), field(r, "key"), stored[i].ID, stored[i].Key, len(es))
		}
		if got, w := numField(field(r, "final"), "test_acc"), es[2].TestAcc; got != w {
			t.Errorf("run %v: final test_acc %v, the database has %v", field(r, "id"), got, w)
		}
	}

	// One run, its config, its epochs.
	run := getOK(t, ts, "/api/runs/3")
	if numField(run, "sweep_id") != 1 || field(field(run, "config"), "epochs") != 2.0 ||
		field(field(field(run, "config"), "optimizer"), "name") != field(field(run, "params"), "optimizer") {
		t.Errorf("run 3: %v", run)
	}
	ep := getOK(t, ts, "/api/runs/3/epochs")
	if fmt.Sprint(ep["epoch"]) != "[0 1 2]" || len(list(ep["test_acc"])) != 3 || len(list(ep["val_acc"])) != 3 {
		t.Errorf("epochs of run 3: %v", ep)
	}
	for _, e := range storedEpochs[3] {
		if got := list(ep["train_loss"])[e.Epoch]; got != e.TrainLoss {
			t.Errorf("run 3 epoch %d: train_loss %v, the database has %v", e.Epoch, got, e.TrainLoss)
		}
	}
	se := list(getOK(t, ts, "/api/sweeps/1/epochs?runs=3,1")["runs"])
	if len(se) != 2 || numField(se[0], "id") != 3 || numField(se[1], "id") != 1 || fmt.Sprint(field(se[0], "test_acc")) != fmt.Sprint(ep["test_acc"]) {
		t.Errorf("epochs of runs 3 and 1 of sweep 1: %v", se)
	}
	if all := list(getOK(t, ts, "/api/sweeps/2/epochs")["runs"]); len(all) != 16 || numField(all[0], "id") != 17 {
		t.Errorf("epochs of every run of sweep 2: %d runs", len(all))
	}

	// The comparison, against runner compare's own table.
	s1, err := report.Load(context.Background(), db, 1)
	if err != nil {
		t.Fatal(err)
	}
	table, err := report.Compare(s1, nil, report.Options{Metric: report.TrainLoss, Best: true})
	if err != nil {
		t.Fatal(err)
	}
	// The endpoint loads the sweep without its step logs: the same table.
	s1n, err := report.LoadWith(context.Background(), db, 1, report.LoadOptions{NoSteps: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s1n.Runs {
		if r.Steps != nil || len(r.Epochs) == 0 {
			t.Fatalf("LoadWith NoSteps: run %d with %d steps, %d epochs", r.ID, len(r.Steps), len(r.Epochs))
		}
	}
	tn, err := report.Compare(s1n, nil, report.Options{Metric: report.TrainLoss, Best: true})
	if err != nil || len(tn.Rows) != len(table.Rows) || tn.BestRow != table.BestRow {
		t.Fatalf("compare without steps: %v, %d rows, best %d; want %d rows, best %d", err, len(tn.Rows), tn.BestRow, len(table.Rows), table.BestRow)
	}
	for i, row := range tn.Rows {
		if got, want := fmt.Sprintf("%+v %+v", row.Config, *row.A), fmt.Sprintf("%+v %+v", table.Rows[i].Config, *table.Rows[i].A); got != want {
			t.Errorf("compare without steps, row %d: %s, want %s", i, got, want)
		}
	}
	g := getOK(t, ts, "/api/sweeps/1/groups?metric=train_loss&best=1")
	rows := list(g["rows"])
	if g["metric"] != "train_loss" || g["best"] != true || len(rows) != len(table.Rows) || numField(g, "best_row") != float64(table.BestRow) {
		t.Fatalf("groups: %v", g)
	}
	for i, row := range rows {
		a, w := field(row, "a"), table.Rows[i].A
		if numField(a, "n") != 2 || numField(a, "mean") != w.Mean || numField(a, "sd") != w.SD || len(list(field(a, "run_ids"))) != 2 {
			t.Errorf("group row %d: %v, want %+v", i, a, w.Summary)
		}
		if field(row, "label") != report.Label(table.Rows[i].Config, table.Columns) {
			t.Errorf("group row %d: label %v", i, field(row, "label"))
		}
	}
	// runner compare prints the table's text: its best is the API's first row.
	var text bytes.Buffer
	if err := table.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if best := fmt.Sprint(field(rows[0], "label")); !strings.Contains(text.String(), "best: "+best) {
		t.Errorf("runner compare's best is not %q:\n%s", best, text.String())
	}
	// Sweep 2 repeats sweep 1 exactly: every difference is 0, none
	// significant, and with 2 seeds none tested (no p, a note asking for more).
	g = getOK(t, ts, "/api/sweeps/1/groups?vs=2")
	if field(g, "vs") == nil || numField(field(g, "vs"), "id") != 2 {
		t.Errorf("vs: %v", g["vs"])
	}
	for _, row := range list(g["rows"]) {
		if numField(row, "delta") != 0 || field(row, "significant") != false || field(row, "p") != nil ||
			!strings.Contains(fmt.Sprint(field(row, "notes")), "need ≥ 5 seeds") {
			t.Errorf("sweep 2 against sweep 1: %v", row)
		}
	}

	// Bad input: 400 for malformed, 404 for unknown, always a JSON error.
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/api/sweeps/99", 404, `no sweep has id or name "99"`},
		{"/api/sweeps/nope/runs", 404, "no sweep"},
		{"/api/sweeps/99/groups", 404, "no sweep"},
		{"/api/sweeps/1/groups?vs=99", 404, "no sweep"},
		{"/api/sweeps/99/epochs", 404, "no sweep"},
		{"/api/runs/999", 404, "no run has id 999"},
		{"/api/runs/999/epochs", 404, "no run has id 999"},
		{"/api/sweeps/1/epochs?runs=1,20", 404, "sweep 1 has no run 20"},
		{"/api/nothing", 404, "no such API endpoint"},
		{"/api/runs/abc", 400, "want a positive integer"},
		{"/api/runs/-1/epochs", 400, "want a positive integer"},
		{"/api/runs/99999999999999999999", 400, "want a positive integer"},
		{"/api/sweeps/1/groups?metric=accuracy", 400, "unknown metric"},
		{"/api/sweeps/1/groups?best=maybe", 400, "best="},
		{"/api/sweeps/1/groups?alpha=1", 400, "alpha="},
		{"/api/sweeps/1/groups?metric=test_acc&metric=val_acc", 400, "given 2 times"},
		{"/api/sweeps/1/groups?metric=val_acc&best=1&vs=2&alpha=0.01&x=1", 400, `unknown query parameter "x"`},
		{"/api/sweeps/1/epochs?runs=1,,2", 400, "want run ids"},
		{"/api/sweeps/1/epochs?runs=", 400, "want run ids"},
		{"/api/sweeps/1/epochs?runs=1;DROP%20TABLE%20runs", 400, ""},
		{"/api/sweeps?limit=0", 400, "limit"},
		{"/api/sweeps?name=%zz", 400, "malformed query"},
		{"/api/runs/1?verbose=1", 400, "takes none"},
		{"/api/sweeps/1%27%20OR%201=1--/runs", 404, "no sweep"},
		{"/api/sweeps?name=ch6%27%20OR%20%271%27=%271", 200, ""},
	} {
		code, v, resp := get(t, ts, tt.path)
		if code != tt.code || !strings.Contains(fmt.Sprint(v["error"]), tt.want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %v, want %d and an error with %q", tt.path, code, v, tt.code, tt.want)
		}
		if code == 200 && len(list(v["sweeps"])) != 0 {
			t.Errorf("GET %s: the name matched something: %v", tt.path, v)
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, ts.URL+"/api/sweeps/1", strings.NewReader("{}"))
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /api/sweeps/1: %d, want 405", method, resp.StatusCode)
		}
	}

	// Nothing asked wrote to the database.
	if fileHash(t, path) != before {
		t.Error("the database file changed while the server answered requests")
	}
}

// TestServeErrors asks for what is not there and with what is malformed,
// on every endpoint that takes it: each answer is a JSON error with its
// status, and never a 500.
func TestServeErrors(t *testing.T) {
	ts := serveAPI(t, resultsDB(t))
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		// Sweep references: an id or a name that is not there, or not a reference at all.
		{"/api/sweeps/0", 404, `no sweep has id or name "0"`},
		{"/api/sweeps/-1/runs", 404, `no sweep has id or name "-1"`},
		{"/api/sweeps/ch7/groups", 404, `"ch7"`},
		{"/api/sweeps/ch6/groups?vs=nope", 404, `"nope"`},
		{"/api/sweeps/ch6/groups?vs=", 400, "want an id or a name"},
		{"/api/sweeps/" + strings.Repeat("x", 201), 400, "want an id or a name"},
		{"/api/sweeps/%20/epochs", 404, "no sweep"},
		// Query parameters where none is taken, or not the ones taken.
		{"/api/status?x=1", 400, "takes none"},
		{"/api/sweeps/1?spec=0", 400, "takes none"},
		{"/api/sweeps/1/runs?limit=1", 400, "takes none"},
		{"/api/runs/1/epochs?epoch=2", 400, "takes none"},
		{"/api/sweeps?id=1", 400, `unknown query parameter "id" (want name, limit)`},
		{"/api/sweeps?limit=10001", 400, "from 1 to 10000"},
		{"/api/sweeps?limit=x", 400, "limit"},
		{"/api/sweeps?name=a&name=b", 400, "given 2 times"},
		{"/api/sweeps/1/groups?alpha=0", 400, "alpha="},
		{"/api/sweeps/1/groups?alpha=NaN", 400, "alpha="},
		{"/api/sweeps/1/groups?metric=", 200, ""},
		{"/api/sweeps/1/epochs?run=1", 400, `unknown query parameter "run"`},
		// Run ids and ranges of them.
		{"/api/runs/0", 400, "want a positive integer"},
		{"/api/runs/1.5/epochs", 400, "want a positive integer"},
		{"/api/sweeps/1/epochs?runs=3-1", 400, "ranges of ids"},
		{"/api/sweeps/1/epochs?runs=1-", 400, "ranges of ids"},
		{"/api/sweeps/1/epochs?runs=-3", 400, "ranges of ids"},
		{"/api/sweeps/1/epochs?runs=1-2-3", 400, "ranges of ids"},
		{"/api/sweeps/1/epochs?runs=0-3", 400, "ranges of ids"},
		{"/api/sweeps/1/epochs?runs=1-20", 404, "sweep 1 has no run 20"},
		{"/api/sweeps/1/epochs?runs=17", 404, "sweep 1 has no run 17"},
		{"/api/sweeps/1/epochs?runs=20-30,40", 404, "sweep 1 has no run 20, 30, 40"},
		{"/api/sweeps/1/epochs?runs=" + strings.Repeat("1,", maxListed) + "1", 400, "at most 10000"},
		// Paths under /api/ that are no endpoint.
		{"/api/sweeps/1/steps", 404, "no such API endpoint"},
		{"/api/runs", 404, "no such API endpoint"},
	} {
		code, v, resp := get(t, ts, tt.path)
		if code != tt.code {
			t.Errorf("GET %.80s: %d %v, want %d", tt.path, code, v, tt.code)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %.80s: Content-Type %q", tt.path, resp.Header.Get("Content-Type"))
		}
		if code != 200 && (!strings.Contains(fmt.Sprint(v["error"]), tt.want) || numField(v, "status") != float64(code)) {
			t.Errorf("GET %.80s: %v, want an error with %q and status %d", tt.path, v, tt.want, code)
		}
	}
}

// TestServeEpochsSelection asks for the epochs of runs by ids and ranges:
// the answer has each named run once, in the order named.
func TestServeEpochsSelection(t *testing.T) {
	ts := serveAPI(t, resultsDB(t))
	for _, tt := range []struct {
		runs string
		want []float64
	}{
		{"5", []float64{5}},
		{"1-4", []float64{1, 2, 3, 4}},
		{"2-4,3", []float64{2, 3, 4}},
		{"9,1-2,16", []float64{9, 1, 2, 16}},
		{"1-16", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{" 7 - 8 ", []float64{7, 8}},
	} {
		var got []float64
		for _, r := range list(getOK(t, ts, "/api/sweeps/1/epochs?runs="+strings.ReplaceAll(tt.runs, " ", "%20"))["runs"]) {
			got = append(got, numField(r, "id"))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("runs=%s: runs %v, want %v", tt.runs, got, tt.want)
		}
	}
}

// TestServeMeans checks the mean ± sd per configuration and epoch of
// /api/sweeps/SWEEP/epochs against the database, and against the
// comparison of /api/sweeps/SWEEP/groups at the last epoch.
func TestServeMeans(t *testing.T) {
	path := resultsDB(t)
	ts := serveAPI(t, path)
	stored, storedEpochs := recorded(t, openRead(t, path), 1)
	configOf := map[int64]train.Config{} // with seed 0
	for _, r := range stored {
		c := r.Config
		c.Seed = 0
		configOf[r.ID] = c
	}

	// Every run of sweep 1: 8 configurations of 2 seeds.
	means := list(getOK(t, ts, "/api/sweeps/1/epochs")["means"])
	if len(means) != 8 {
		t.Fatalf("means: %d configurations, want 8", len(means))
	}
	pooled := map[float64]bool{}
	for _, m := range means {
		ids := list(field(m, "run_ids"))
		if len(ids) != 2 {
			t.Errorf("mean %v: %d runs, want the 2 seeds", field(m, "group"), len(ids))
			continue
		}
		if fmt.Sprint(field(m, "epoch")) != "[0 1 2]" {
			t.Errorf("mean %v: epochs %v", field(m, "group"), field(m, "epoch"))
		}
		for _, id := range ids {
			pooled[id.(float64)] = true
		}
		if a, b := configOf[int64(ids[0].(float64))], configOf[int64(ids[1].(float64))]; a.Key() != b.Key() {
			t.Errorf("mean %v pools runs %v of two configurations", field(m, "group"), ids)
		}
		for _, metric := range []struct {
			name string
			of   func(train.EpochMetrics) float64
		}{
			{"train_loss", func(e train.EpochMetrics) float64 { return e.TrainLoss }},
			{"train_acc", func(e train.EpochMetrics) float64 { return e.TrainAcc }},
			{"val_acc", func(e train.EpochMetrics) float64 { return e.ValAcc }},
			{"test_acc", func(e train.EpochMetrics) float64 { return e.TestAcc }},
		} {
			st := field(m, metric.name)
			for epoch := range 3 {
				var vals []float64
				for _, id := range ids {
					vals = append(vals, metric.of(storedEpochs[int64(id.(float64))][epoch]))
				}
				want := report.Summarize(vals)
				n, mean, sd := list(field(st, "n"))[epoch], list(field(st, "mean"))[epoch], list(field(st, "sd"))[epoch]
				if n != float64(want.N) || mean != want.Mean || sd != want.SD {
					t.Errorf("mean %v, %s at epoch %d: n %v, mean %v, sd %v; want %+v", ids, metric.name, epoch, n, mean, sd, want)
				}
				if lo, hi := slices.Min(vals), slices.Max(vals); !(mean.(float64) >= lo && mean.(float64) <= hi) {
					t.Errorf("mean %v, %s at epoch %d: %v outside the values [%v, %v]", ids, metric.name, epoch, mean, lo, hi)
				}
			}
		}
	}
	if len(pooled) != 16 {
		t.Errorf("the means pool %d runs, want each of the 16 once", len(pooled))
	}

	// At the last epoch, the test accuracy's mean and sd are those of the
	// comparison, which pools the same done runs.
	rows := list(getOK(t, ts, "/api/sweeps/1/groups?metric=test_acc")["rows"])
	byGroup := map[any]any{}
	for _, m := range means {
		byGroup[field(m, "group")] = m
	}
	for _, row := range rows {
		m := byGroup[field(row, "group")]
		st := field(m, "test_acc")
		if a := field(row, "a"); list(field(st, "mean"))[2] != field(a, "mean") || list(field(st, "sd"))[2] != field(a, "sd") ||
			fmt.Sprint(field(m, "run_ids")) != fmt.Sprint(field(a, "run_ids")) {
			t.Errorf("configuration %v: the curves' last mean %v ± %v of runs %v, the comparison's %v ± %v of runs %v",
				field(row, "label"), list(field(st, "mean"))[2], list(field(st, "sd"))[2], field(m, "run_ids"),
				field(a, "mean"), field(a, "sd"), field(a, "run_ids"))
		}
	}

	// A selection pools only the runs selected: one seed of a
	// configuration has no spread (sd null), and no run is pooled twice.
	for _, tt := range []struct {
		runs string
		ids  []int64 // the runs it selects
	}{
		{"1", []int64{1}},
		{"1-4", []int64{1, 2, 3, 4}},
		{"1-16", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{"16,1-3,2", []int64{16, 1, 2, 3}},
		{"2,5,8,11", []int64{2, 5, 8, 11}},
	} {
		// The configurations of the runs selected, in the order of their
		// first runs, as the store has them.
		slices.Sort(tt.ids)
		var want [][]int64
		index := map[string]int{}
		for _, id := range tt.ids {
			c := configOf[id]
			i, ok := index[c.Key()]
			if !ok {
				i = len(want)
				index[c.Key()] = i
				want = append(want, nil)
			}
			want[i] = append(want[i], id)
		}
		var got [][]int64
		for _, m := range list(getOK(t, ts, "/api/sweeps/1/epochs?runs="+tt.runs)["means"]) {
			var ids []int64
			for _, id := range list(field(m, "run_ids")) {
				ids = append(ids, int64(id.(float64)))
			}
			got = append(got, ids)
			for i, sd := range list(field(field(m, "train_loss"), "sd")) {
				if n := list(field(field(m, "train_loss"), "n"))[i]; (n == 1.0) != (sd == nil) {
					t.Errorf("runs=%s: mean %v at epoch %d: n %v, sd %v", tt.runs, field(m, "run_ids"), i, n, sd)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("runs=%s: configurations of runs %v, want %v", tt.runs, got, want)
		}
	}
}

// TestSummarizeEpochs checks the pooling of epochs itself: epochs a run
// did not record, and values that are not finite (a diverged run's loss,
// no validation split), are left out of the summary of that epoch.
func TestSummarizeEpochs(t *testing.T) {
	inf, nan := num(math.Inf(1)), num(math.NaN())
	// epochs is a run's epochs with the given losses and no other metric.
	epochs := func(id int64, epoch []int64, loss ...num) *epochsJSON {
		e := newEpochs(id)
		for i, x := range epoch {
			e.Epoch, e.TrainLoss = append(e.Epoch, x), append(e.TrainLoss, loss[i])
			e.LR, e.TrainAcc, e.ValAcc = append(e.LR, nan), append(e.TrainAcc, nan), append(e.ValAcc, nan)
			e.TestAcc, e.Seconds, e.EvalSeconds = append(e.TestAcc, nan), append(e.Seconds, nan), append(e.EvalSeconds, nan)
			e.Distance = append(e.Distance, nan)
		}
		return e
	}
	a := epochs(1, []int64{0, 1, 2}, 2.5, 1.5, inf)
	b := epochs(2, []int64{0, 1}, 2.0, nan)
	c := epochs(3, []int64{1, 2, 3}, 0.5, 0.25, 0.125)
	m := meanCurves([]sweepRun{{3, "x"}, {1, "x"}, {2, "x"}}, map[int64]*epochsJSON{1: a, 2: b, 3: c})
	if len(m) != 1 || fmt.Sprint(m[0].RunIDs) != "[1 2 3]" || fmt.Sprint(m[0].Epoch) != "[0 1 2 3]" {
		t.Fatalf("one configuration of runs 1, 2, 3 over epochs 0 to 3: %+v", m)
	}
	for i, vals := range [][]float64{{2.5, 2.0}, {1.5, 0.5}, {0.25}, {0.125}} {
		want := report.Summarize(vals)
		st := m[0].TrainLoss
		if st.N[i] != want.N || float64(st.Mean[i]) != want.Mean || !sameFloat(float64(st.SD[i]), want.SD) {
			t.Errorf("epoch %d: n %d, mean %v, sd %v; want %+v", i, st.N[i], st.Mean[i], st.SD[i], want)
		}
	}
	if st := m[0].ValAcc; st.N[0] != 0 || !math.IsNaN(float64(st.Mean[0])) {
		t.Errorf("val_acc, recorded by no run: n %d, mean %v; want 0 and NaN", st.N[0], st.Mean[0])
	}
}

// sameFloat reports whether a and b are equal or both NaN.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
