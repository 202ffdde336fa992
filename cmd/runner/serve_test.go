package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/web"
)

// serveAPI serves the database at path with the dashboard's handler, its
// change watcher polling every 50 ms, until the test ends.
func serveAPI(t *testing.T, path string) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := web.New(ctx, web.Options{Path: path, Poll: 50 * time.Millisecond, LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Watch(ctx); close(done) }()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		cancel()
		ts.Close()
		<-done
		srv.Close()
	})
	return ts
}

// get requests path and returns the status, the decoded JSON body and the
// response.
func get(t *testing.T, ts *httptest.Server, path string) (int, map[string]any, *http.Response) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
	}
	return resp.StatusCode, v, resp
}

// getOK is get for an answer that must be 200.
func getOK(t *testing.T, ts *httptest.Server, path string) map[string]any {
	t.Helper()
	code, v, _ := get(t, ts, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, code, v)
	}
	return v
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func list(v any) []any            { l, _ := v.([]any); return l }
func obj(v any) map[string]any    { m, _ := v.(map[string]any); return m }
func field(v any, key string) any { return obj(v)[key] }
func numField(v any, key string) float64 {
	f, ok := obj(v)[key].(float64)
	if !ok {
		return math.NaN()
	}
	return f
}

// TestServeAPI asks every endpoint about a real database (querySweep
// trained twice: sweeps 1 and 2, 16 runs each, epochs 0 to 2) and checks
// the answers against the database and against runner compare.
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
	runs := getOK(t, ts, "/api/sweeps/1/runs")
	if got := fmt.Sprint(runs["varying"]); got != "[optimizer lr schedule seed]" {
		t.Errorf("varying: %s", got)
	}
	if len(list(runs["columns"])) != 25 {
		t.Errorf("columns: %v", runs["columns"])
	}
	rs := list(runs["runs"])
	if len(rs) != 16 {
		t.Fatalf("runs of sweep 1: %d, want 16", len(rs))
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
	want := readEpochs(t, path)
	finals := map[string]float64{}
	for _, e := range want {
		if e.epoch == 2 {
			finals[e.key] = e.testAcc
		}
	}
	for _, r := range rs {
		if got, w := numField(field(r, "final"), "test_acc"), finals[fmt.Sprint(field(r, "key"))]; got != w {
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
	for i, e := range want {
		if e.key == fmt.Sprint(run["key"]) {
			if got := list(ep["train_loss"])[e.epoch]; got != e.loss {
				t.Errorf("run 3 epoch %d: train_loss %v, the database has %v (row %d)", e.epoch, got, e.loss, i)
			}
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
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	_, text, _ := runMain(t, "compare", "--db", path, "--metric", "train_loss", "--best", "1")
	if best := fmt.Sprint(field(rows[0], "label")); !strings.Contains(text, "best: "+best) {
		t.Errorf("runner compare's best is not %q:\n%s", best, text)
	}
	// Sweep 2 repeats sweep 1 exactly: every difference is 0, none significant.
	g = getOK(t, ts, "/api/sweeps/1/groups?vs=2")
	if field(g, "vs") == nil || numField(field(g, "vs"), "id") != 2 {
		t.Errorf("vs: %v", g["vs"])
	}
	for _, row := range list(g["rows"]) {
		if numField(row, "delta") != 0 || field(row, "significant") != false || numField(row, "p") != 1 {
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

// TestServePage checks the embedded page, its security headers, that no
// path reaches a file outside the assets, and the Host check.
func TestServePage(t *testing.T) {
	ts := serveAPI(t, resultsDB(t))
	for _, tt := range []struct{ path, ctype, want string }{
		{"/", "text/html", `<script src="app.js"`},
		{"/app.js", "text/javascript", "EventSource"},
		{"/style.css", "text/css", ".chart"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
	} {
		resp, err := ts.Client().Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !bytes.Contains(body, []byte(tt.want)) {
			t.Errorf("GET %s: %d %s, want %s with %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.ctype, tt.want)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: headers %v", tt.path, resp.Header)
		}
	}
	for _, p := range []string{"/../go.mod", "/..%2fgo.mod", "/%2e%2e/%2e%2e/etc/passwd", "/assets/app.js", "/serve.go", "/results.db"} {
		resp, err := ts.Client().Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && !bytes.Contains(body, []byte("<title>runner dashboard")) || bytes.Contains(body, []byte("root:")) || bytes.Contains(body, []byte("module runner")) {
			t.Errorf("GET %s: %d %.80q", p, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/sweeps", nil)
	req.Host = "attacker.example:8080"
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host attacker.example: %d, want 421", resp.StatusCode)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1", "[::1]:80"} {
		req.Host = host
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Host %s: %d, want 200", host, resp.StatusCode)
		}
	}
}

// events reads the server-sent events of /api/events into a channel.
func events(t *testing.T, ts *httptest.Server) <-chan [2]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("/api/events: %d %s", resp.StatusCode, ct)
	}
	ch := make(chan [2]string, 100)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				select {
				case ch <- [2]string{name, strings.TrimPrefix(line, "data: ")}:
				default:
				}
			}
		}
	}()
	return ch
}

// next waits for the next event named name.
func next(t *testing.T, ch <-chan [2]string, name string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev[0] == name {
				return ev[1]
			}
		case <-timeout:
			t.Fatalf("no %q event within 20 s", name)
		}
	}
}

// TestServeLive trains a real sweep, then prunes, while the server
// answers: every request succeeds, events announce the changes, and the
// answers follow the database.
func TestServeLive(t *testing.T) {
	path := resultsDB(t)
	ts := serveAPI(t, path)
	ch := events(t, ts)
	next(t, ch, "change") // the state on connecting

	dir := t.TempDir()
	file := writeFile(t, dir, "live.yaml", `
name: live
dataset: {train_limit: 300}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.001}
`)
	var wg sync.WaitGroup
	wg.Add(1)
	var code int
	var stderr string
	go func() {
		defer wg.Done()
		code, _, stderr = runMain(t, "run", "--quiet", "--db", path, "-j", "1", file)
	}()
	// Ask all along while the sweep writes.
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	asked, sawRunning := 0, false
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		for _, p := range []string{"/api/sweeps", "/api/sweeps/live/runs", "/api/sweeps/live/groups", "/api/sweeps/live/epochs"} {
			c, v, _ := get(t, ts, p)
			if c == 404 && strings.Contains(p, "live") {
				continue // not created yet
			}
			if c != 200 {
				t.Fatalf("GET %s while a sweep writes: %d %v", p, c, v)
			}
			if p == "/api/sweeps" && field(list(v["sweeps"])[0], "status") == "running" {
				sawRunning = true
			}
			asked++
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != exitOK {
		t.Fatalf("runner run: exit %d\n%s", code, stderr)
	}
	t.Logf("%d answers while the sweep ran; saw it running: %v", asked, sawRunning)
	next(t, ch, "change")
	sweeps := list(getOK(t, ts, "/api/sweeps")["sweeps"])
	if len(sweeps) != 3 || field(sweeps[0], "name") != "live" || field(sweeps[0], "status") != "done" || numField(sweeps[0], "runs_done") != 4 {
		t.Fatalf("after the live sweep: %v", sweeps)
	}

	// Prune to the newest sweep of each name, and vacuum, while serving.
	if code, _, stderr := runMain(t, "prune", "--keep", "1", "--vacuum", "--db", path); code != exitOK {
		t.Fatalf("runner prune: exit %d\n%s", code, stderr)
	}
	next(t, ch, "change")
	sweeps = list(getOK(t, ts, "/api/sweeps")["sweeps"])
	if len(sweeps) != 2 || numField(sweeps[0], "id") != 3 || numField(sweeps[1], "id") != 2 {
		t.Errorf("after prune --keep 1: %v", sweeps)
	}
	if c, _, _ := get(t, ts, "/api/sweeps/1/runs"); c != 404 {
		t.Errorf("a pruned sweep: %d, want 404", c)
	}
}

// TestServeDatabaseGone moves the database away and back, and replaces it
// with another file, while the server runs.
func TestServeDatabaseGone(t *testing.T) {
	path := resultsDB(t)
	ts := serveAPI(t, path)
	ch := events(t, ts)
	next(t, ch, "change")
	getOK(t, ts, "/api/sweeps")

	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/sweeps", "/api/sweeps/1/runs", "/api/runs/1", "/api/status"} {
		code, v, resp := get(t, ts, p)
		if code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(v["error"]), "does not exist") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s with the database gone: %d %v", p, code, v)
		}
	}
	if data := next(t, ch, "unavailable"); !strings.Contains(data, "does not exist") {
		t.Errorf("unavailable event: %s", data)
	}
	// The page itself is still served.
	if resp, err := ts.Client().Get(ts.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET / with the database gone: %v %v", resp, err)
	}

	if err := os.Rename(path+".moved", path); err != nil {
		t.Fatal(err)
	}
	next(t, ch, "change")
	getOK(t, ts, "/api/sweeps/1/runs")

	// Another file at the path: a database of one sweep, read anew.
	other := filepath.Join(t.TempDir(), "other.db")
	if code, _, stderr := runMain(t, "run", "--quiet", "--db", other, writeFile(t, t.TempDir(), "one.yaml", `
name: one
dataset: {train_limit: 100}
model: {hidden: [10]}
train: {epochs: 1, batch_size: 50}
optimizers: [{name: sgd, lr: 0.1}]
`)); code != exitOK {
		t.Fatalf("runner run: %d %s", code, stderr)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	next(t, ch, "change")
	if sweeps := list(getOK(t, ts, "/api/sweeps")["sweeps"]); len(sweeps) != 1 || field(sweeps[0], "name") != "one" {
		t.Errorf("after the file was replaced: %v", sweeps)
	}

	// Not a database at all, written over the file.
	if err := os.WriteFile(path, []byte("not a database, just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, v, _ := get(t, ts, "/api/sweeps"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /api/sweeps of a text file: %d %v", code, v)
	}
}

// TestServeCommand runs `runner serve` itself: its flags, its refusal of
// a missing database, what it says about the address, and its stop.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--db", filepath.Join(dir, "missing.db"), "--addr", "127.0.0.1:0"}, exitDatabase, "does not exist"},
		{[]string{"--poll", "1ms"}, exitUsage, "--poll"},
		{[]string{"extra"}, exitUsage, "unexpected argument"},
		{[]string{"--addr", "256.0.0.1:0", "--db", resultsDB(t)}, exitUsage, "serve:"},
	} {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		err := m.Run(context.Background(), append([]string{"serve"}, tt.args...))
		if code := exitCode(context.Background(), err, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}

	path := resultsDB(t)
	for _, tt := range []struct {
		addr, stdout, stderr string
	}{
		{"127.0.0.1:0", "loopback only", ""},
		{"0.0.0.0:0", "(listening on ", "not loopback: anyone who can reach this machine"},
	} {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		ctx, cancel := context.WithCancel(context.Background())
		urls := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			m.serveReady = func(u string) { urls <- u }
			done <- m.Run(ctx, []string{"serve", "--db", path, "--addr", tt.addr})
		}()
		var url string
		select {
		case url = <-urls:
		case err := <-done:
			t.Fatalf("serve --addr %s: %v\n%s", tt.addr, err, stderr.String())
		}
		// An open event stream must not hold up the stop.
		resp, err := http.Get(strings.Replace(url, "localhost", "127.0.0.1", 1) + "api/events")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve --addr %s: %v", tt.addr, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("serve --addr %s did not stop", tt.addr)
		}
		resp.Body.Close()
		if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) ||
			(tt.stderr == "" && stderr.Len() > 0) {
			t.Errorf("serve --addr %s: stdout %q, stderr %q", tt.addr, stdout.String(), stderr.String())
		}
	}
}
