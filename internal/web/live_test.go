package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/execute"
	"runner/internal/train"
)

// TestServeLive trains a real sweep while the server answers, then
// prunes. The first run's every commit is held until the test has seen
// it: the API shows the state just written (a run running, each epoch, the
// run done), and a change event announces it. The other runs train
// freely while every endpoint is asked after each change: every answer
// succeeds. Then the sweep is finished, and the answers follow the
// database through a prune and a vacuum.
func TestServeLive(t *testing.T) {
	path := resultsDB(t)
	ts := serveAPI(t, path)
	ch := events(t, ts)
	// Version 2 is the watcher's first look at the database; every later
	// change is a commit.
	version := changeAfter(t, ch, 1)

	db := openWriter(t, path)
	sweepID, jobs := createSweep(t, db, liveSweep)
	version = changeAfter(t, ch, version)
	sweeps := list(getOK(t, ts, "/api/sweeps")["sweeps"])
	if len(sweeps) != 3 || numField(sweeps[0], "id") != float64(sweepID) || field(sweeps[0], "name") != "live" {
		t.Fatalf("after the live sweep was created: %v", sweeps)
	}
	if sw := sweeps[0]; field(sw, "status") != "running" || numField(sw, "runs_total") != 4 || numField(field(sw, "runs"), "pending") != 4 ||
		numField(sw, "epochs_done") != 0 || numField(sw, "epochs_total") != 12 {
		t.Errorf("the live sweep, created: %v", sw)
	}

	// Train, holding each commit of the first run until it has been seen.
	ctx, cancel := context.WithCancel(context.Background())
	held := make(chan execute.Event)
	resume := make(chan struct{})
	finished := make(chan struct{})
	var (
		results []execute.Result
		execErr error
	)
	m := mnist(t)
	go func() {
		defer close(finished)
		results, execErr = execute.Execute(ctx, db, jobs, execute.Options{Jobs: 1, MNIST: m, OnEvent: func(ev execute.Event) {
			if ev.Job != 0 {
				return
			}
			select {
			case held <- ev:
				select {
				case <-resume:
				case <-ctx.Done():
				}
			case <-ctx.Done():
			}
		}})
	}()
	t.Cleanup(func() { cancel(); <-finished })

	first := jobs[0].RunID
	runOf := func(id int64) any {
		for _, r := range list(getOK(t, ts, fmt.Sprintf("/api/sweeps/%d/runs", sweepID))["runs"]) {
			if numField(r, "id") == float64(id) {
				return r
			}
		}
		t.Fatalf("run %d is not among the runs of sweep %d", id, sweepID)
		return nil
	}
	live := func() any { return list(getOK(t, ts, "/api/sweeps")["sweeps"])[0] }
	for seen := false; !seen; {
		var ev execute.Event
		select {
		case ev = <-held:
		case <-finished:
			t.Fatalf("training ended before the first run finished: %v", execErr)
		}
		// The database holds ev, and nothing after it.
		version = changeAfter(t, ch, version)
		switch ev.Kind {
		case execute.RunStarted:
			if r := runOf(first); field(r, "status") != "running" || field(field(r, "final"), "epoch") != nil {
				t.Errorf("run %d, started: %v", first, r)
			}
			if sw := live(); field(sw, "status") != "running" || numField(field(sw, "runs"), "running") != 1 ||
				numField(field(sw, "runs"), "pending") != 3 || numField(sw, "runs_done") != 0 {
				t.Errorf("the live sweep, its first run started: %v", sw)
			}
		case execute.EpochDone:
			e := ev.Metrics
			if r := runOf(first); field(r, "status") != "running" || numField(field(r, "final"), "epoch") != float64(e.Epoch) ||
				numField(field(r, "final"), "train_loss") != e.TrainLoss {
				t.Errorf("run %d after epoch %d (loss %v): %v", first, e.Epoch, e.TrainLoss, r)
			}
			ep := getOK(t, ts, fmt.Sprintf("/api/runs/%d/epochs", first))
			if got := list(ep["epoch"]); len(got) != e.Epoch+1 || list(ep["test_acc"])[e.Epoch] != e.TestAcc {
				t.Errorf("epochs of run %d after epoch %d (test_acc %v): %v", first, e.Epoch, e.TestAcc, ep)
			}
			if sw := live(); numField(sw, "epochs_done") != float64(e.Epoch+1) {
				t.Errorf("the live sweep after epoch %d of its first run: %v epochs done, want %d", e.Epoch, field(sw, "epochs_done"), e.Epoch+1)
			}
		case execute.RunFinished:
			if ev.Status != train.Done {
				t.Fatalf("run %d: %s (%v)", first, ev.Status, ev.Err)
			}
			if r := runOf(first); field(r, "status") != "done" || numField(field(r, "final"), "epoch") != 2 {
				t.Errorf("run %d, finished: %v", first, r)
			}
			if sw := live(); field(sw, "status") != "running" || numField(sw, "runs_done") != 1 || numField(field(sw, "runs"), "done") != 1 {
				t.Errorf("the live sweep, its first run done: %v", sw)
			}
			seen = true
		}
		resume <- struct{}{}
	}

	// The other runs train while every endpoint is asked, again and again.
	asked := 0
	for done := false; !done; {
		select {
		case <-finished:
			done = true
		default:
		}
		for _, p := range []string{"/api/sweeps", "/api/sweeps/live/runs", "/api/sweeps/live/groups", "/api/sweeps/live/epochs"} {
			if c, v, _ := get(t, ts, p); c != 200 {
				t.Fatalf("GET %s while a sweep writes: %d %v", p, c, v)
			}
			asked++
		}
	}
	if execErr != nil {
		t.Fatal(execErr)
	}
	for i, r := range results {
		if r.Status != train.Done {
			t.Fatalf("run %d: %s (%v)", jobs[i].RunID, r.Status, r.Err)
		}
	}
	t.Logf("%d answers while the sweep trained", asked)
	if err := db.FinishSweep(context.Background(), sweepID, "done"); err != nil {
		t.Fatal(err)
	}
	next(t, ch, "change")
	sweeps = list(getOK(t, ts, "/api/sweeps")["sweeps"])
	if len(sweeps) != 3 || field(sweeps[0], "name") != "live" || field(sweeps[0], "status") != "done" || numField(sweeps[0], "runs_done") != 4 {
		t.Fatalf("after the live sweep: %v", sweeps)
	}

	// Prune to the newest sweep of each name, and vacuum, while serving.
	names, err := db.SweepNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		ids, err := db.SweepIDs(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSweeps(context.Background(), ids[1:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Vacuum(context.Background()); err != nil {
		t.Fatal(err)
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
	if ev := next(t, ch, "unavailable"); !strings.Contains(ev.data, "does not exist") {
		t.Errorf("unavailable event: %s", ev.data)
	}
	// The page itself is still served.
	if resp, err := ts.Client().Get(ts.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET / with the database gone: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	if err := os.Rename(path+".moved", path); err != nil {
		t.Fatal(err)
	}
	next(t, ch, "change")
	getOK(t, ts, "/api/sweeps/1/runs")

	// Another file at the path: a database of one sweep, read anew.
	if err := os.Rename(oneDBPath(t), path); err != nil {
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

// TestServeReplacedFiles answers requests from several goroutines while
// the file at the path is replaced, again and again, by one results
// database or another: every answer is one of the two, never an error,
// since a pool is not closed while a request reads it.
func TestServeReplacedFiles(t *testing.T) {
	path := resultsDB(t)
	dir := t.TempDir()
	sources := [2][]byte{}
	for i, p := range []string{resultsDB(t), oneDBPath(t)} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sources[i] = b
	}
	ts := serveAPI(t, path)

	const readers, requests = 4, 25
	errs := make(chan error, readers*requests*4)
	done := make(chan struct{})
	for range readers {
		go func() {
			defer func() { done <- struct{}{} }()
			for range requests {
				for _, p := range []string{"/api/sweeps", "/api/sweeps/1/runs", "/api/sweeps/1/epochs", "/api/sweeps/1/groups"} {
					resp, err := ts.Client().Get(ts.URL + p)
					if err != nil {
						errs <- err
						return
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs <- fmt.Errorf("GET %s: %d", p, resp.StatusCode)
					}
				}
			}
		}()
	}
	replaced := 0
	for running := readers; running > 0; {
		select {
		case <-done:
			running--
			continue
		default:
		}
		tmp := filepath.Join(dir, fmt.Sprintf("next-%d.db", replaced))
		if err := os.WriteFile(tmp, sources[replaced%2], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil { // atomic: the path always holds a database
			t.Fatal(err)
		}
		replaced++
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("the file was replaced %d times", replaced)
}

// TestServeSchemaChanged serves a database whose schema another program
// changed under the server: the statements that need what is gone answer
// 503 (the database is not readable as a results database), the others go
// on answering.
func TestServeSchemaChanged(t *testing.T) {
	path := resultsDB(t)
	ts := serveAPI(t, path)
	getOK(t, ts, "/api/sweeps/1/runs")
	db := openWriter(t, path)
	if _, err := db.SQLDB().Exec(`DROP VIEW run_summary`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/sweeps/1/runs", "/api/runs/1"} {
		code, v, resp := get(t, ts, p)
		if code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(v["error"]), "no such table: run_summary") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s without the run_summary view: %d %v", p, code, v)
		}
	}
	for _, p := range []string{"/api/sweeps", "/api/sweeps/1", "/api/sweeps/1/epochs", "/api/runs/1/epochs"} {
		getOK(t, ts, p)
	}
}

// TestServeEvents checks the event stream's refusals: a query string is a
// bad request, and beyond maxStreams open streams a new one is refused
// (503, with Retry-After) until one of them closes.
func TestServeEvents(t *testing.T) {
	ts := serveAPI(t, resultsDB(t))
	if code, v, _ := get(t, ts, "/api/events?since=3"); code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(v["error"]), "no query parameters") {
		t.Errorf("GET /api/events?since=3: %d %v", code, v)
	}

	cancels := make([]context.CancelFunc, maxStreams)
	for i := range maxStreams {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("event stream %d of %d: %d", i+1, maxStreams, resp.StatusCode)
		}
		t.Cleanup(func() { resp.Body.Close() })
	}
	code, v, resp := get(t, ts, "/api/events")
	if code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(v["error"]), "too many event streams") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("event stream %d: %d %v", maxStreams+1, code, v)
	}
	cancels[0]()
	waitUntil(t, func() string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Sprintf("a stream closed, a new one: %d", resp.StatusCode)
		}
		return ""
	})
}
