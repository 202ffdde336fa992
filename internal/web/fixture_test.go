package web

import (
	"bufio"
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

	"runner/internal/data"
	"runner/internal/execute"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// The tests serve real results databases: SQLite files written through
// internal/store, their sweeps trained on real MNIST by internal/execute,
// as runner run trains them.

// deadline bounds every wait of the tests for a state (an event, a
// condition of the database): far more than any of them takes, so that
// a wait fails only when the state never comes.
const deadline = 60 * time.Second

// querySweep is the sweep most tests read, trained twice (sweeps 1 and
// 2, runs 1 to 32): named ch6, with two optimizers, two learning rates
// each, two schedules and two seeds (16 runs), a validation split, on 300
// MNIST images for 2 epochs.
const querySweep = `
name: ch6
description: a tiny chapter-6 sweep for the dashboard's tests
seed: 5
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: [0.1, 0.05]}
  - {name: adam, lr: [0.01, 0.001]}
schedules:
  - {name: constant}
  - {name: step, every: 1, gamma: 0.5}
`

// liveSweep is the sweep the tests train while the server answers: two
// optimizers, two seeds (4 runs), 2 epochs on 300 images.
const liveSweep = `
name: live
dataset: {train_limit: 300}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.001}
`

// oneSweep is a sweep of one run of one epoch on 100 images.
const oneSweep = `
name: one
dataset: {train_limit: 100}
model: {hidden: [10]}
train: {epochs: 1, batch_size: 50}
optimizers: [{name: sgd, lr: 0.1}]
`

// mnist returns the MNIST every run of the tests shares.
func mnist(t *testing.T) *data.MNIST {
	t.Helper()
	m, err := data.Shared(context.Background(), data.Options{})
	if err != nil {
		t.Fatalf("load MNIST: %v", err)
	}
	return m
}

// createSweep parses and expands the experiment file src and records its
// sweep in db, its runs pending, as runner run does before it trains;
// it returns the sweep's id and its runs as jobs.
func createSweep(t *testing.T, db *store.DB, src string) (int64, []execute.Job) {
	t.Helper()
	spec, err := sweep.Parse("sweep.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := spec.Expand(sweep.DefaultMaxRuns)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	id, runIDs, err := db.CreateSweep(context.Background(), store.SweepRecord{
		Name: spec.Name, Description: spec.Description, File: spec.File, Spec: string(spec.Source),
		Overrides: spec.Overrides, SpecHash: spec.Hash(), Seed: spec.Seed, Host: host,
	}, configs)
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]execute.Job, len(configs))
	for i, c := range configs {
		jobs[i] = execute.Job{RunID: runIDs[i], Config: c, Order: i}
	}
	return id, jobs
}

// openWriter opens the database at path for writing until the test ends.
func openWriter(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// trainSweep trains the sweep of the experiment file src into the
// database at path (created if missing), every run of it done, and
// finishes it.
func trainSweep(t *testing.T, path, src string) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, jobs := createSweep(t, db, src)
	results, err := execute.Execute(context.Background(), db, jobs, execute.Options{Jobs: 2, MNIST: mnist(t)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Status != train.Done {
			t.Fatalf("run %d of %s: %s (%v)", jobs[i].RunID, path, r.Status, r.Err)
		}
	}
	if err := db.FinishSweep(context.Background(), id, "done"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // checkpoints: the file holds everything
		t.Fatal(err)
	}
}

// trained holds the bytes of a database made once per test binary.
type trained struct {
	once sync.Once
	b    []byte
	err  error
}

var (
	ch6DB trained // querySweep trained twice
	oneDB trained // oneSweep trained once
)

// copyOf writes a copy of the database that build writes (made once, on
// first use) to a new temporary folder and returns its path.
func (d *trained) copyOf(t *testing.T, build func(t *testing.T, path string)) string {
	t.Helper()
	d.once.Do(func() {
		path := filepath.Join(t.TempDir(), "results.db")
		// A failure inside build ends this test; later tests then see the error.
		d.err = fmt.Errorf("the fixture was not made (see the first test that asked for it)")
		build(t, path)
		d.b, d.err = os.ReadFile(path)
	})
	if d.err != nil {
		t.Fatal(d.err)
	}
	path := filepath.Join(t.TempDir(), "results.db")
	if err := os.WriteFile(path, d.b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// resultsDB returns the path of a copy of the database of querySweep
// trained twice.
func resultsDB(t *testing.T) string {
	return ch6DB.copyOf(t, func(t *testing.T, path string) {
		for range 2 {
			trainSweep(t, path, querySweep)
		}
	})
}

// oneDBPath returns the path of a copy of the database of oneSweep.
func oneDBPath(t *testing.T) string {
	return oneDB.copyOf(t, func(t *testing.T, path string) { trainSweep(t, path, oneSweep) })
}

// serveAPI serves the database at path with the dashboard's handler, its
// change watcher polling every 50 ms, until the test ends.
func serveAPI(t *testing.T, path string) *httptest.Server {
	t.Helper()
	ts, _ := serveServer(t, path)
	return ts
}

// serveServer is serveAPI that also returns the server.
func serveServer(t *testing.T, path string) (*httptest.Server, *Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, Options{Path: path, Poll: 50 * time.Millisecond, LoopbackOnly: true})
	if err != nil {
		cancel()
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
	return ts, srv
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

// event is one server-sent event: its name and its data.
type event struct{ name, data string }

// version returns the change counter an event carries.
func (e event) version(t *testing.T) int64 {
	t.Helper()
	var d struct{ Version int64 }
	if err := json.Unmarshal([]byte(e.data), &d); err != nil {
		t.Fatalf("event %s: data %q: %v", e.name, e.data, err)
	}
	return d.Version
}

// events reads the server-sent events of /api/events into a channel.
func events(t *testing.T, ts *httptest.Server) <-chan event {
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
	ch := make(chan event, 100)
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
				case ch <- event{name, strings.TrimPrefix(line, "data: ")}:
				default:
				}
			}
		}
	}()
	return ch
}

// next waits for the next event named name.
func next(t *testing.T, ch <-chan event, name string) event {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case ev := <-ch:
			if ev.name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event within %v", name, deadline)
		}
	}
}

// changeAfter waits for a change event whose version is above v and
// returns its version.
func changeAfter(t *testing.T, ch <-chan event, v int64) int64 {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case ev := <-ch:
			if ev.name != "change" {
				t.Fatalf("event %s %s while the database is readable", ev.name, ev.data)
			}
			if got := ev.version(t); got > v {
				return got
			}
		case <-timeout:
			t.Fatalf("no change event after version %d within %v", v, deadline)
		}
	}
}

// waitUntil calls cond until it returns "", and fails with the last
// thing it returned if that does not happen within the deadline.
func waitUntil(t *testing.T, cond func() string) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		why := cond()
		if why == "" {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("still, after %v: %s", deadline, why)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
