package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"runner/internal/data"
	"runner/internal/execute"
	"runner/internal/store/storetest"
	"runner/internal/sweep"
	"runner/internal/train"
)

// finderSweep is the book's network on 1,000 real MNIST images, batches of
// 100, two seeds: two runs, so lr-find needs --run.
const finderSweep = `
name: finder
dataset: {train_limit: 1000}
model: {hidden: [100, 100, 100, 100], activation: relu, init: he}
train: {epochs: 1, batch_size: 100, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
`

// stepRow is one row of the steps table.
type stepRow struct {
	step, epoch int
	lr, loss    sql.NullFloat64
}

// lrFindRows returns the steps of the one run of sweep id and the run's
// status and error text.
func lrFindRows(t *testing.T, path string, id int) (rows []stepRow, status, errText string) {
	t.Helper()
	db, err := storetest.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var text sql.NullString
	if err := db.QueryRow(`SELECT status, error FROM runs WHERE sweep_id = ?`, id).Scan(&status, &text); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Query(`SELECT st.step, st.epoch, st.lr, st.loss FROM steps st JOIN runs r ON r.id = st.run_id
		WHERE r.sweep_id = ? ORDER BY st.step`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var r stepRow
		if err := rs.Scan(&r.step, &r.epoch, &r.lr, &r.loss); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, status, text.String
}

// TestLRFind runs the range test of a real run twice and checks what it
// prints, records and draws: the steps rows are those train.FindLR gives
// in this process, bit for bit, twice; runner plot draws the same figure.
func TestLRFind(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "finder.yaml", finderSweep)
	dbPath := filepath.Join(dir, "results.db")
	args := []string{"lr-find", "--db", dbPath, "-o", dir, "--start", "1e-4", "--end", "0.3", "--steps", "60", "--run", "2", file}
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"run 2 of " + file + ": sgd, hidden 100-100-100-100, batch 100, seed 2",
		`recorded as sweep "finder-lrfind" (id 1) in ` + dbPath + "\nsteps                 60\nrates                 0.0001 to 0.3\nended                 reached the end rate\n",
		"\nsuggested lr          ",
		filepath.Join(dir, "finder-lrfind.png") + "\n" + filepath.Join(dir, "finder-lrfind.svg") + "\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "stopped") {
		t.Errorf("stopped early:\n%s", stdout)
	}
	figure, err := os.ReadFile(filepath.Join(dir, "finder-lrfind.png"))
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(figure)); err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 675 {
		t.Fatalf("figure: %v", err)
	}

	// The same test in this process.
	plans, err := execute.LoadPlans([]string{file}, nil, sweep.DefaultMaxRuns)
	if err != nil {
		t.Fatal(err)
	}
	cfg := plans[0].Configs[1]
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := train.PrepareData(m, cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	r := train.LRRange{Start: 1e-4, End: 0.3, Steps: 60}
	res, err := train.FindLR(context.Background(), cfg, d, r, func(train.EpochMetrics) error { return nil })
	if err != nil {
		t.Fatal(err)
	}

	rows, status, errText := lrFindRows(t, dbPath, 1)
	if status != "done" || errText != "" || len(rows) != len(res.Steps) || len(rows) != 60 {
		t.Fatalf("status %s (%q), %d rows; want done, %d", status, errText, len(rows), len(res.Steps))
	}
	for i, row := range rows {
		st := res.Steps[i]
		if row.step != st.Step || row.epoch != i/10+1 || row.lr.Float64 != st.LR || row.loss.Float64 != st.Loss ||
			row.lr.Float64 != r.Rate(i) {
			t.Errorf("row %d: %+v, want step %d, epoch %d, lr %g, loss %g", i, row, st.Step, i/10+1, st.LR, st.Loss)
		}
	}
	// The untrained network: ln 10 for uniform outputs, a little more for
	// the spread of He-initialised logits (2.33 and 2.54 on seeds 1 and 2).
	if l := rows[0].loss.Float64; math.Abs(l-math.Log(10)) > 0.3 {
		t.Errorf("first loss %g, want near ln 10", l)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM epochs WHERE test_acc IS NULL AND run_id IN (SELECT id FROM runs WHERE sweep_id = 1)`); n != 6 {
		t.Errorf("%d epochs rows, want 6", n)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM runs WHERE sweep_id = 1 AND seed = 2 AND lr = 0.1`); n != 1 {
		t.Errorf("the run's config is not the file's run 2")
	}

	// A second test: the same rows.
	if code, stdout, stderr := runMain(t, args...); code != exitOK || !strings.Contains(stdout, `sweep "finder-lrfind" (id 2)`) {
		t.Fatalf("again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	again, _, _ := lrFindRows(t, dbPath, 2)
	if len(again) != len(rows) {
		t.Fatalf("again: %d rows, want %d", len(again), len(rows))
	}
	for i := range rows {
		a, b := rows[i], again[i]
		if a.step != b.step || a.epoch != b.epoch || math.Float64bits(a.lr.Float64) != math.Float64bits(b.lr.Float64) ||
			math.Float64bits(a.loss.Float64) != math.Float64bits(b.loss.Float64) {
			t.Errorf("row %d: %+v, then %+v", i, a, b)
		}
	}

	// runner plot of the sweep draws the figure lr-find drew.
	figure, err = os.ReadFile(filepath.Join(dir, "finder-lrfind.png"))
	if err != nil {
		t.Fatal(err)
	}
	plotDir := t.TempDir()
	code, stdout, stderr = runReport(t, "plot", "--db", dbPath, "-o", plotDir, "finder-lrfind")
	if want := filepath.Join(plotDir, "finder-lrfind-2-lrfind.png") + "\n" + filepath.Join(plotDir, "finder-lrfind-2-lrfind.svg") + "\n"; code != exitOK || stdout != want {
		t.Fatalf("plot: exit %d, stdout %q, want %q\n%s", code, stdout, want, stderr)
	}
	if plotted, err := os.ReadFile(filepath.Join(plotDir, "finder-lrfind-2-lrfind.png")); err != nil || !bytes.Equal(plotted, figure) {
		t.Errorf("runner plot drew another figure (%v)", err)
	}
	if code, _, stderr := runReport(t, "plot", "--db", dbPath, "-o", plotDir, "--facet", "lr", "finder-lrfind"); code != exitUsage || !strings.Contains(stderr, "--facet does not apply") {
		t.Errorf("plot --facet: exit %d, %s", code, stderr)
	}
}

// TestLRFind_Diverges drives SGD to a rate of a million: the test stops
// before its last step, at a step that met the rule, exits 0 and records
// the run diverged with the reason.
func TestLRFind_Diverges(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "finder.yaml", finderSweep)
	dbPath := filepath.Join(dir, "results.db")
	code, stdout, stderr := runMain(t, "lr-find", "--db", dbPath, "-o", dir, "--start", "1e-4", "--end", "1e6", "--steps", "60", "--run", "1", "--set", "train.seeds=[1]", file)
	if code != exitOK || !strings.Contains(stdout, "stopped at step ") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	rows, status, errText := lrFindRows(t, dbPath, 1)
	if status != "diverged" || errText == "" || !strings.Contains(stdout, errText) {
		t.Errorf("status %s, error %q; stdout:\n%s", status, errText, stdout)
	}
	if len(rows) >= 60 || len(rows) < 2 {
		t.Fatalf("%d steps recorded, want fewer than 60", len(rows))
	}
	// The rule itself is checked step by step in package train; here the
	// reason recorded matches the last loss.
	last := rows[len(rows)-1].loss
	if reason := map[bool]string{true: "exceeds 4 × its lowest", false: "the loss is not finite"}[last.Valid]; !strings.Contains(errText, reason) {
		t.Errorf("last loss %v, error %q; want %q", last, errText, reason)
	}
	for _, r := range rows[:len(rows)-1] {
		if !r.loss.Valid {
			t.Errorf("step %d: a loss that is not finite before the last step", r.step)
		}
	}
}

// TestLRFind_Errors: bad flags and files exit 2 and create no database.
func TestLRFind_Errors(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "finder.yaml", finderSweep)
	paths := writeFile(t, dir, "paths.yaml", `
name: paths
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 30}
optimizers: [{name: sgd, lr: 0.95}]
`)
	dbPath := filepath.Join(dir, "results.db")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"start = end", []string{"--start", "0.1", "--end", "0.1", "--run", "1", file}, "end: must be a finite rate > start 0.1"},
		{"start > end", []string{"--start", "1", "--end", "0.1", "--run", "1", file}, "end: must be a finite rate > start 1"},
		{"start 0", []string{"--start", "0", "--run", "1", file}, "start: must be a finite rate > 0"},
		{"one step", []string{"--steps", "1", "--run", "1", file}, "steps: must be at least 2 (got 1)"},
		{"no file", []string{"--run", "1"}, "want one experiment file (got 0)"},
		{"two files", []string{"--run", "1", file, file}, "want one experiment file (got 2)"},
		{"several runs", []string{file}, "expands to 2 runs: choose one with --run N"},
		{"run past the end", []string{"--run", "3", file}, "--run 3: " + file + " expands to 2 runs"},
		{"negative run", []string{"--run", "-1", file}, "--run must be at least 1"},
		{"function", []string{paths}, "minimizes an objective function"},
		{"bad override", []string{"--set", "train.batch_size=0", "--run", "1", file}, "batch_size"},
		{"missing -o", []string{"-o", filepath.Join(dir, "nope"), "--run", "1", file}, "-o " + filepath.Join(dir, "nope")},
		{"bad flag", []string{"--steps", "many", file}, "invalid value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, append([]string{"lr-find", "--db", dbPath}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tt.want)
			}
			if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
				t.Fatalf("a database was created: %v", err)
			}
		})
	}
}

// TestLRFindCompareCheck records range tests of a real run and reads them
// back with compare and check: the facts lr-find printed (the same block
// of lines), the suggestion computed from the steps rows, two tests side
// by side; check says whether their steps agree and marks nothing worse;
// the flags of final metrics, and a range test beside a sweep of training
// runs, are refused with exit 2.
func TestLRFindCompareCheck(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "finder.yaml", finderSweep)
	dbPath := filepath.Join(dir, "results.db")
	lrFind := func(args ...string) string {
		t.Helper()
		args = append([]string{"lr-find", "--db", dbPath, "-o", dir, "--start", "1e-4"}, append(args, file)...)
		code, stdout, stderr := runMain(t, args...)
		if code != exitOK {
			t.Fatalf("lr-find: exit %d\n%s\n%s", code, stdout, stderr)
		}
		return stdout
	}
	// suggestion is the suggested rate of the test of sweep id, from its
	// steps rows as SQL reads them.
	suggestion := func(id int) (string, int) {
		rows, _, _ := lrFindRows(t, dbPath, id)
		steps := make([]train.StepMetrics, len(rows))
		for i, r := range rows {
			loss := math.NaN()
			if r.loss.Valid {
				loss = r.loss.Float64
			}
			steps[i] = train.StepMetrics{Step: r.step, LR: r.lr.Float64, Loss: loss}
		}
		return fmt.Sprintf("%.3g", train.AnalyzeLR(steps).Suggestion()), len(rows)
	}
	check := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runMain(t, append([]string{"check", "--db", dbPath}, args...)...)
		if code != wantCode {
			t.Fatalf("check %v: exit %d, want %d\n%s\n%s", args, code, wantCode, stdout, stderr)
		}
		return stdout, stderr
	}
	compare := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runReport(t, "compare", append([]string{"--db", dbPath}, args...)...)
		if code != wantCode {
			t.Fatalf("compare %v: exit %d, want %d\n%s\n%s", args, code, wantCode, stdout, stderr)
		}
		return stdout, stderr
	}

	first := lrFind("--end", "0.3", "--steps", "60", "--run", "2")
	if out, _ := check(exitOK, "finder-lrfind"); !strings.Contains(out, "sweep 1 is the only one of that name") {
		t.Errorf("check of one range test:\n%s", out)
	}
	lrFind("--end", "0.3", "--steps", "60", "--run", "2")
	s1, n1 := suggestion(1)
	s2, _ := suggestion(2)
	if s1 != s2 || n1 != 60 {
		t.Fatalf("two tests of the same run: suggestions %s and %s, %d steps", s1, s2, n1)
	}

	// compare of one test prints the facts lr-find printed, the same lines.
	out, _ := compare(exitOK, "finder-lrfind")
	head := `sweep "finder-lrfind" (id 2, done): range test of sgd, hidden 100-100-100-100, batch 100, seed 2 (key `
	if !strings.HasPrefix(out, head) {
		t.Errorf("compare: heading is not %q:\n%s", head, out)
	}
	_, facts, _ := strings.Cut(first, "in "+dbPath+"\n")
	facts, _, _ = strings.Cut(facts, filepath.Join(dir, "finder-lrfind.png"))
	if _, body, _ := strings.Cut(out, "\n\n"); facts == "" || body != facts {
		t.Errorf("compare does not print the facts lr-find printed:\n%s\nlr-find:\n%s", out, first)
	}
	for _, want := range []string{"\nsteps                 60\n", "\nended                 reached the end rate\n",
		"\nsuggested lr          " + s2 + " (a tenth of the rate of the lowest smoothed loss)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "test_acc") {
		t.Errorf("compare of a range test prints test_acc:\n%s", out)
	}

	// check of two equal tests: their steps agree bit for bit.
	out, _ = check(exitOK, "finder-lrfind")
	for _, want := range []string{"check finder-lrfind: range test of sweep 2 against sweep 1\n",
		"the 60 steps of both have the same rates and losses, bit for bit\n",
		"suggested lr: " + s2 + " in both\n", "range tests are not checked for regressions"} {
		if !strings.Contains(out, want) {
			t.Errorf("check of two equal tests lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "final metrics") || strings.Contains(out, "note: ") {
		t.Errorf("check of two equal tests:\n%s", out)
	}

	// A test of the other run, that diverges, beside the second.
	lrFind("--end", "1e6", "--steps", "60", "--run", "1")
	s3, n3 := suggestion(3)
	_, _, reason := lrFindRows(t, dbPath, 3)
	if n3 >= 60 || reason == "" {
		t.Fatalf("the third test did not stop early: %d steps, error %q", n3, reason)
	}
	out, _ = compare(exitOK, "2", "3")
	ended := regexp.MustCompile(`(?m)^ended +reached the end rate +stopped at step (\d+) \(lr [^)]+\) ¹$`).FindStringSubmatch(out)
	if ended == nil || ended[1] != fmt.Sprint(n3) {
		t.Errorf("compare 2 3: no ended row stopped at step %d:\n%s", n3, out)
	}
	for _, want := range []string{"A: sweep \"finder-lrfind\" (id 2, done)", "B: sweep \"finder-lrfind\" (id 3, done)",
		"\n¹  stopped: " + reason + "\n", "note: the tests differ in seed (2 vs 1)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare 2 3 lacks %q:\n%s", want, out)
		}
	}
	change := "suggested lr: " + s2 + ", then " + s3 + " (×"
	if s2 == s3 {
		change = "suggested lr: " + s2 + " in both"
	}
	if !strings.Contains(out, change) {
		t.Errorf("compare 2 3 lacks %q:\n%s", change, out)
	}
	// check: the first steps differ, since the seeds do; still exit 0.
	out, _ = check(exitOK, "finder-lrfind")
	for _, want := range []string{"range test of sweep 3 against sweep 2", "the losses differ from step 1 (lr 0.0001) on: the tests trained other runs", change} {
		if !strings.Contains(out, want) {
			t.Errorf("check of two other tests lacks %q:\n%s", want, out)
		}
	}
	if regexp.MustCompile(`(?m) worse$`).MatchString(out) {
		t.Errorf("check marks a range test worse:\n%s", out)
	}

	// The same run over other rates: its first step is the same, bit for
	// bit; the rates differ from the second on.
	lrFind("--end", "1e6", "--steps", "50", "--run", "1")
	out, _ = check(exitOK, "finder-lrfind")
	if want := "the rates differ from step 2: the tests ran other ranges\n"; !strings.Contains(out, "range test of sweep 4 against sweep 3") || !strings.Contains(out, want) {
		t.Errorf("check of two ranges lacks %q:\n%s", want, out)
	}
	if strings.Contains(out, "note: ") {
		t.Errorf("check of two tests of the same run notes a difference:\n%s", out)
	}

	// The flags of final metrics do not apply.
	if _, stderr := check(exitUsage, "--tolerance", "0", "finder-lrfind"); !strings.Contains(stderr, "--tolerance does not apply") {
		t.Errorf("check --tolerance: %s", stderr)
	}
	if _, stderr := compare(exitUsage, "--metric", "train_loss", "--best", "finder-lrfind"); !strings.Contains(stderr, "--best, --metric do not apply") {
		t.Errorf("compare --metric --best: %s", stderr)
	}

	// A sweep of training runs (sweep 5, named finder) beside a range test.
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, file); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	mix := `sweep "finder-lrfind" (id 4) records a learning-rate range test, sweep "finder" (id 5) does not`
	for _, args := range [][]string{{"finder", "finder-lrfind"}, {"finder-lrfind", "5"}} {
		if out, stderr := compare(exitUsage, args...); out != "" || !strings.Contains(stderr, mix) {
			t.Errorf("compare %v: stdout %q, stderr %s", args, out, stderr)
		}
	}
	for _, args := range [][]string{{"--baseline", "5", "finder-lrfind"}, {"--baseline", "4", "finder"}} {
		if out, stderr := check(exitUsage, args...); out != "" || !strings.Contains(stderr, mix) {
			t.Errorf("check %v: stdout %q, stderr %s", args, out, stderr)
		}
	}
	// The training sweep is compared as before.
	if out, _ := compare(exitOK, "finder"); !strings.Contains(out, "final test_acc, mean ± sd over seeds") {
		t.Errorf("compare of the training sweep:\n%s", out)
	}
}
