package web

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// Every SQL statement of the server is a constant below; request values
// are only ever bound as parameters.

// hyperColumns are the hyperparameter columns of run_summary, and the
// function of a run on an objective function (runs.function), in the
// order the run table shows them.
var hyperColumns = []string{
	"function", "optimizer", "lr", "momentum", "decay_rate", "beta1", "beta2", "eps",
	"schedule", "step_every", "gamma", "decay_k", "min_lr", "warmup",
	"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision",
	"epochs", "batch_size", "seed", "train_limit", "validation",
}

const (
	sweepsSQL = `
		SELECT id, name, description, status, host, runner_version, started_at, finished_at, runs_total,
			file, spec, overrides, spec_hash, seed
		FROM sweeps WHERE (:name = '' OR name = :name) AND (:id = 0 OR id = :id)
		ORDER BY id DESC LIMIT :limit`
	runCountsSQL = `
		SELECT sweep_id, status, count(*), total(epochs + 1)
		FROM runs WHERE :id = 0 OR sweep_id = :id GROUP BY sweep_id, status`
	epochCountsSQL = `
		SELECT r.sweep_id, count(*) FROM runs r JOIN epochs e ON e.run_id = r.id
		WHERE :id = 0 OR r.sweep_id = :id GROUP BY r.sweep_id`
	bestSQL = `
		SELECT r.sweep_id, max(e.test_acc), max(e.val_acc) FROM runs r JOIN epochs e ON e.run_id = r.id AND e.epoch = r.epochs
		WHERE r.status = 'done' AND (:id = 0 OR r.sweep_id = :id) GROUP BY r.sweep_id`
	runColumnsSQL = `
		s.run_id, s.sweep_id, s.sweep_name, s.run_key, r.config, r.dataset,
		r.function, s.optimizer, s.lr, s.momentum, s.decay_rate, s.beta1, s.beta2, s.eps,
		s.schedule, s.step_every, s.gamma, s.decay_k, s.min_lr, s.warmup,
		s.hidden, s.activation, s.init, s.batchnorm, s.dropout, s.weight_decay, s.precision,
		s.epochs, s.batch_size, s.seed, s.train_limit, s.validation,
		s.status, s.error, s.started_at, s.finished_at,
		s.final_epoch, s.final_train_loss, s.final_train_acc, s.final_val_acc, s.final_test_acc,
		s.best_test_acc, s.best_test_epoch, s.best_val_acc, s.best_val_epoch, s.min_train_loss,
		s.train_seconds, s.eval_seconds`
	sweepRunsSQL = `SELECT ` + runColumnsSQL + `
		FROM run_summary s JOIN runs r ON r.id = s.run_id WHERE s.sweep_id = ? ORDER BY s.run_id`
	oneRunSQL = `SELECT ` + runColumnsSQL + `
		FROM run_summary s JOIN runs r ON r.id = s.run_id WHERE s.run_id = ?`
	sweepRunIDsSQL = `SELECT id, config FROM runs WHERE sweep_id = ? ORDER BY id`
	sweepEpochsSQL = `
		SELECT e.run_id, e.epoch, e.lr, e.train_loss, e.train_acc, e.val_acc, e.test_acc, e.seconds, e.eval_seconds, p.distance
		FROM epochs e JOIN runs r ON r.id = e.run_id LEFT JOIN path p ON p.run_id = e.run_id AND p.step = e.epoch
		WHERE r.sweep_id = ? ORDER BY e.run_id, e.epoch`
	runEpochsSQL = `
		SELECT e.run_id, e.epoch, e.lr, e.train_loss, e.train_acc, e.val_acc, e.test_acc, e.seconds, e.eval_seconds, p.distance
		FROM epochs e LEFT JOIN path p ON p.run_id = e.run_id AND p.step = e.epoch
		WHERE e.run_id = ? ORDER BY e.epoch`
	runSweepSQL = `SELECT sweep_id FROM runs WHERE id = ?`
)

// maxListed bounds the ids of ?runs= and the sweeps of ?limit=.
const maxListed = 10000

// queryParams parses the query string of r and checks that it names only
// the allowed parameters, each at most once.
func queryParams(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("malformed query string: %v", err)
	}
	for k, vs := range q {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return nil, badRequest("unknown query parameter %q: this endpoint takes none", k)
			}
			return nil, badRequest("unknown query parameter %q (want %s)", k, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, badRequest("query parameter %q given %d times", k, len(vs))
		}
	}
	return q, nil
}

// parseID parses a positive integer id.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%s id %q: want a positive integer", what, s)
	}
	return id, nil
}

// pathSweep opens the database and resolves the request's {sweep} path
// value. The caller calls release when it has done reading, also when
// err is not nil.
func (s *Server) pathSweep(r *http.Request) (db *store.DB, sw store.SweepRecord, release func(), err error) {
	db, release, err = s.src.get(r.Context())
	if err != nil {
		return nil, store.SweepRecord{}, func() {}, err
	}
	sw, err = s.findSweep(r.Context(), db, r.PathValue("sweep"))
	return db, sw, release, err
}

// pathRun opens the database for a request on /api/runs/{run}, which
// takes no query parameters, and parses the run's id; release, never nil,
// returns the lease.
func (s *Server) pathRun(r *http.Request) (db *store.DB, id int64, release func(), err error) {
	if _, err := queryParams(r); err != nil {
		return nil, 0, func() {}, err
	}
	if id, err = parseID("run", r.PathValue("run")); err != nil {
		return nil, 0, func() {}, err
	}
	db, release, err = s.src.get(r.Context())
	if err != nil {
		return nil, 0, func() {}, err
	}
	return db, id, release, nil
}

// findSweep resolves a sweep reference (an id, or a name: its latest
// sweep) as report.Find does.
func (s *Server) findSweep(ctx context.Context, db *store.DB, ref string) (store.SweepRecord, error) {
	if ref == "" || len(ref) > 200 {
		return store.SweepRecord{}, badRequest("sweep %q: want an id or a name", ref)
	}
	sw, err := report.Find(ctx, db, ref)
	if errors.Is(err, store.ErrNotFound) {
		return store.SweepRecord{}, notFound("no sweep has id or name %q", ref)
	}
	return sw, err
}

// status answers GET /api/status.
func (s *Server) status(r *http.Request) (any, error) {
	if _, err := queryParams(r); err != nil {
		return nil, err
	}
	_, release, err := s.src.get(r.Context())
	if err != nil {
		return nil, err
	}
	release()
	version, _, _ := s.watch.state()
	return map[string]any{
		"db": s.opts.Path, "schema_version": store.SchemaVersion, "read_only": true, "version": version,
	}, nil
}

// sweepJSON is a sweep as the API gives it.
type sweepJSON struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	Description   *string        `json:"description"`
	Status        *string        `json:"status"`
	Host          *string        `json:"host"`
	RunnerVersion *string        `json:"runner_version"`
	StartedAt     *string        `json:"started_at"`
	FinishedAt    *string        `json:"finished_at"`
	RunsTotal     int64          `json:"runs_total"`
	Runs          map[string]int `json:"runs"`          // runs by status
	RunsDone      int            `json:"runs_done"`     // runs with status done
	RunsFinished  int            `json:"runs_finished"` // runs that ended: done, diverged, failed, pruned
	EpochsDone    int            `json:"epochs_done"`   // epochs rows recorded, epoch 0 included
	EpochsTotal   int            `json:"epochs_total"`  // the rows the sweep records when it is done
	BestTestAcc   num            `json:"best_test_acc"` // the highest final test_acc of a done run
	BestValAcc    num            `json:"best_val_acc"`  // the highest final val_acc of a done run; null without validation
	LRFind        bool           `json:"lrfind"`        // the sweep records a learning-rate range test (runner lr-find): see GET /api/sweeps/SWEEP/lrfind
	SuggestedLR   *num           `json:"suggested_lr"`  // a range test's suggested rate; null for other sweeps

	// In GET /api/sweeps/SWEEP only.
	File      *string         `json:"file,omitempty"`
	Spec      *string         `json:"spec,omitempty"`
	Overrides json.RawMessage `json:"overrides,omitempty"`
	SpecHash  *string         `json:"spec_hash,omitempty"`
	Seed      *int64          `json:"seed,omitempty"`
	Search    string          `json:"search,omitempty"` // the spec's search method: grid, random, halton, …
}

// sweeps answers GET /api/sweeps.
func (s *Server) sweeps(r *http.Request) (any, error) {
	q, err := queryParams(r, "name", "limit")
	if err != nil {
		return nil, err
	}
	limit := int64(maxListed)
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.ParseInt(v, 10, 64); err != nil || limit < 1 || limit > maxListed {
			return nil, badRequest("limit %q: want an integer from 1 to %d", v, maxListed)
		}
	}
	db, release, err := s.src.get(r.Context())
	if err != nil {
		return nil, err
	}
	defer release()
	list, err := listSweeps(r.Context(), db, q.Get("name"), 0, limit, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"sweeps": list}, nil
}

// sweep answers GET /api/sweeps/SWEEP.
func (s *Server) sweep(r *http.Request) (any, error) {
	if _, err := queryParams(r); err != nil {
		return nil, err
	}
	db, sw, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, err
	}
	list, err := listSweeps(r.Context(), db, "", sw.ID, 1, true)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 { // deleted between the two reads
		return nil, notFound("no sweep has id %d", sw.ID)
	}
	if spec, err := sweep.Parse(sw.File, []byte(sw.Spec), sw.Overrides); err == nil {
		list[0].Search = spec.Search.Method // an unreadable recorded file leaves it out
	}
	return list[0], nil
}

// listSweeps reads the sweeps named name ("" for all), or the one with
// the given id (0 for all), newest first, with their run counts.
func listSweeps(ctx context.Context, db *store.DB, name string, id, limit int64, detail bool) ([]*sweepJSON, error) {
	args := []any{sql.Named("name", name), sql.Named("id", id), sql.Named("limit", limit)}
	rows, err := db.SQLDB().QueryContext(ctx, sweepsSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("read sweeps: %w", err)
	}
	defer rows.Close()
	list := []*sweepJSON{}
	byID := map[int64]*sweepJSON{}
	for rows.Next() {
		var (
			sw        sweepJSON
			total     sql.NullInt64
			overrides sql.NullString
			file      sql.NullString
		)
		if err := rows.Scan(&sw.ID, &sw.Name, &sw.Description, &sw.Status, &sw.Host, &sw.RunnerVersion,
			&sw.StartedAt, &sw.FinishedAt, &total, &file, &sw.Spec, &overrides, &sw.SpecHash, &sw.Seed); err != nil {
			return nil, fmt.Errorf("read sweeps: %w", err)
		}
		sw.RunsTotal, sw.Runs, sw.BestTestAcc, sw.BestValAcc = total.Int64, map[string]int{}, num(nan), num(nan)
		if detail {
			if file.Valid {
				sw.File = &file.String
			}
			sw.Overrides = json.RawMessage("[]")
			if overrides.Valid && json.Valid([]byte(overrides.String)) {
				sw.Overrides = json.RawMessage(overrides.String)
			}
		} else {
			sw.Spec, sw.SpecHash, sw.Seed = nil, nil, nil
		}
		list = append(list, &sw)
		byID[sw.ID] = &sw
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sweeps: %w", err)
	}
	rows.Close()
	if len(list) == 0 {
		return list, nil
	}

	if err := eachRow(ctx, db, runCountsSQL, id, func(rows *sql.Rows) error {
		var (
			sweepID, n int64
			status     sql.NullString
			epochs     float64
		)
		if err := rows.Scan(&sweepID, &status, &n, &epochs); err != nil {
			return err
		}
		if sw := byID[sweepID]; sw != nil {
			sw.Runs[status.String] += int(n)
			sw.EpochsTotal += int(epochs)
			if status.String == string(train.Done) {
				sw.RunsDone += int(n)
			}
			if train.Status(status.String).Finished() {
				sw.RunsFinished += int(n)
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count runs: %w", err)
	}
	if err := eachRow(ctx, db, epochCountsSQL, id, func(rows *sql.Rows) error {
		var sweepID, n int64
		if err := rows.Scan(&sweepID, &n); err != nil {
			return err
		}
		if sw := byID[sweepID]; sw != nil {
			sw.EpochsDone = int(n)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count epochs: %w", err)
	}
	if err := eachRow(ctx, db, bestSQL, id, func(rows *sql.Rows) error {
		var (
			sweepID   int64
			best, val sql.NullFloat64
		)
		if err := rows.Scan(&sweepID, &best, &val); err != nil {
			return err
		}
		if sw := byID[sweepID]; sw != nil && best.Valid {
			sw.BestTestAcc = num(best.Float64)
		}
		if sw := byID[sweepID]; sw != nil && val.Valid {
			sw.BestValAcc = num(val.Float64)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("best accuracies: %w", err)
	}
	if err := markLRFind(ctx, db, list); err != nil {
		return nil, err
	}
	return list, nil
}

// eachRow runs one of the per-sweep aggregate queries, which take :id (0
// for every sweep), and calls scan on each row.
func eachRow(ctx context.Context, db *store.DB, query string, id int64, scan func(*sql.Rows) error) error {
	rows, err := db.SQLDB().QueryContext(ctx, query, sql.Named("id", id))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// runJSON is a run as the API gives it.
type runJSON struct {
	ID         int64          `json:"id"`
	SweepID    int64          `json:"sweep_id"`
	SweepName  string         `json:"sweep_name"`
	Key        string         `json:"key"`
	Dataset    *string        `json:"dataset"` // "mnist", or "function" for a run on an objective function
	Group      string         `json:"group"`   // its config's key with the seed left out: the same for runs that differ only in their seed
	Params     map[string]any `json:"params"`
	Status     string         `json:"status"`
	Error      *string        `json:"error"`
	StartedAt  *string        `json:"started_at"`
	FinishedAt *string        `json:"finished_at"`
	Final      struct {
		Epoch     *int64 `json:"epoch"`
		TrainLoss num    `json:"train_loss"`
		TrainAcc  num    `json:"train_acc"`
		ValAcc    num    `json:"val_acc"`
		TestAcc   num    `json:"test_acc"`
	} `json:"final"`
	Best struct {
		TestAcc      num    `json:"test_acc"`
		TestEpoch    *int64 `json:"test_epoch"`
		ValAcc       num    `json:"val_acc"`
		ValEpoch     *int64 `json:"val_epoch"`
		MinTrainLoss num    `json:"min_train_loss"`
	} `json:"best"`
	TrainSeconds num             `json:"train_seconds"`
	EvalSeconds  num             `json:"eval_seconds"`
	Config       json.RawMessage `json:"config,omitempty"` // GET /api/runs/RUN only
}

// scanRun reads one row of runColumnsSQL.
func scanRun(rows *sql.Rows) (*runJSON, string, error) {
	var (
		run    runJSON
		config string
		hyper  = make([]any, len(hyperColumns))
		floats [11]sql.NullFloat64
		status sql.NullString
	)
	dest := []any{&run.ID, &run.SweepID, &run.SweepName, &run.Key, &config, &run.Dataset}
	for i := range hyper {
		dest = append(dest, &hyper[i])
	}
	dest = append(dest, &status, &run.Error, &run.StartedAt, &run.FinishedAt,
		&run.Final.Epoch, &floats[0], &floats[1], &floats[2], &floats[3],
		&floats[4], &run.Best.TestEpoch, &floats[5], &run.Best.ValEpoch, &floats[6],
		&floats[7], &floats[8])
	if err := rows.Scan(dest...); err != nil {
		return nil, "", err
	}
	run.Status = status.String
	f := func(i int) num { return nullNum(floats[i]) }
	run.Final.TrainLoss, run.Final.TrainAcc, run.Final.ValAcc, run.Final.TestAcc = f(0), f(1), f(2), f(3)
	run.Best.TestAcc, run.Best.ValAcc, run.Best.MinTrainLoss = f(4), f(5), f(6)
	run.TrainSeconds, run.EvalSeconds = f(7), f(8)
	run.Params = make(map[string]any, len(hyperColumns))
	for i, name := range hyperColumns {
		switch v := hyper[i].(type) {
		case float64:
			run.Params[name] = num(v)
		case []byte:
			run.Params[name] = string(v)
		default: // nil, int64, string
			run.Params[name] = v
		}
	}
	run.Group = groupOf(config)
	return &run, config, nil
}

// groupOf returns the configuration of a run given its config JSON: the
// config's key with the seed left out, the same for runs that differ only
// in their seed ("" for a config that does not decode).
func groupOf(config string) string {
	var c train.Config
	if json.Unmarshal([]byte(config), &c) != nil {
		return ""
	}
	c.Seed = 0
	return c.Key()
}

// sweepRuns answers GET /api/sweeps/SWEEP/runs.
func (s *Server) sweepRuns(r *http.Request) (any, error) {
	if _, err := queryParams(r); err != nil {
		return nil, err
	}
	db, sw, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, err
	}
	rows, err := db.SQLDB().QueryContext(r.Context(), sweepRunsSQL, sw.ID)
	if err != nil {
		return nil, fmt.Errorf("read runs of sweep %d: %w", sw.ID, err)
	}
	defer rows.Close()
	runs := []*runJSON{}
	for rows.Next() {
		run, _, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("read runs of sweep %d: %w", sw.ID, err)
		}
		runs = append(runs, run)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read runs of sweep %d: %w", sw.ID, err)
	}
	return map[string]any{
		"sweep_id": sw.ID, "columns": hyperColumns, "varying": varying(runs), "runs": runs,
	}, nil
}

// varying returns the hyperparameter columns whose non-NULL values differ
// between runs, in the order of hyperColumns.
func varying(runs []*runJSON) []string {
	out := []string{}
	for _, name := range hyperColumns {
		first, seen := "", false
		for _, run := range runs {
			v := run.Params[name]
			if v == nil {
				continue
			}
			s := fmt.Sprint(v)
			if !seen {
				first, seen = s, true
			} else if s != first {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// run answers GET /api/runs/RUN.
func (s *Server) run(r *http.Request) (any, error) {
	db, id, release, err := s.pathRun(r)
	defer release()
	if err != nil {
		return nil, err
	}
	return s.readRun(r.Context(), db, id)
}

// epochsJSON is the epochs of one run, column by column: element i of
// each slice is the epoch Epoch[i].
type epochsJSON struct {
	ID          int64   `json:"id"`
	Epoch       []int64 `json:"epoch"`
	LR          []num   `json:"lr"`
	TrainLoss   []num   `json:"train_loss"`
	TrainAcc    []num   `json:"train_acc"`
	ValAcc      []num   `json:"val_acc"`
	TestAcc     []num   `json:"test_acc"`
	Seconds     []num   `json:"seconds"`
	EvalSeconds []num   `json:"eval_seconds"`
	Distance    []num   `json:"distance"` // a run on a function: its distance to the nearest minimum; null for others
}

func newEpochs(id int64) *epochsJSON {
	return &epochsJSON{ID: id, Epoch: []int64{}, LR: []num{}, TrainLoss: []num{}, TrainAcc: []num{},
		ValAcc: []num{}, TestAcc: []num{}, Seconds: []num{}, EvalSeconds: []num{}, Distance: []num{}}
}

// readEpochs runs sweepEpochsSQL or runEpochsSQL with arg and adds each
// row to the run's entry of byRun; runs not in byRun are skipped.
func readEpochs(ctx context.Context, db *store.DB, query string, arg int64, byRun map[int64]*epochsJSON) error {
	rows, err := db.SQLDB().QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			runID, epoch int64
			v            [8]sql.NullFloat64
		)
		if err := rows.Scan(&runID, &epoch, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			return err
		}
		e := byRun[runID]
		if e == nil {
			continue
		}
		f := func(i int) num { return nullNum(v[i]) }
		e.Epoch = append(e.Epoch, epoch)
		e.LR, e.TrainLoss, e.TrainAcc = append(e.LR, f(0)), append(e.TrainLoss, f(1)), append(e.TrainAcc, f(2))
		e.ValAcc, e.TestAcc = append(e.ValAcc, f(3)), append(e.TestAcc, f(4))
		e.Seconds, e.EvalSeconds = append(e.Seconds, f(5)), append(e.EvalSeconds, f(6))
		e.Distance = append(e.Distance, f(7))
	}
	return rows.Err()
}

// idRange is one term of ?runs=: the run ids from lo to hi (lo == hi for
// a single id).
type idRange struct{ lo, hi int64 }

// parseRunIDs parses ?runs=1,2,3 or, with ranges, ?runs=1-8,11,13-16.
func parseRunIDs(s string) ([]idRange, error) {
	parts := strings.Split(s, ",")
	if len(parts) > maxListed {
		return nil, badRequest("runs: at most %d ids or ranges, got %d", maxListed, len(parts))
	}
	terms := make([]idRange, 0, len(parts))
	for _, p := range parts {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(p), "-")
		a, err := strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
		b := a
		if err == nil && isRange {
			b, err = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
		}
		if err != nil || a <= 0 || b < a {
			return nil, badRequest("runs=%.40q: want run ids or ranges of ids separated by commas, such as runs=1,2,3 or runs=1-8,11", s)
		}
		terms = append(terms, idRange{a, b})
	}
	return terms, nil
}

// sweepRun is a run of a sweep as sweepEpochs needs it: its id and the
// configuration it belongs to (runJSON.Group).
type sweepRun struct {
	id    int64
	group string
}

// selectRuns returns the runs of the sweep (in increasing id order) that
// the terms of ?runs= name, in the order they name them, each once. An id
// given alone, or as a range's end, that is not a run of the sweep is
// missing.
func selectRuns(runs []sweepRun, terms []idRange) (selected []sweepRun, missing []string) {
	index := func(id int64) (int, bool) {
		return slices.BinarySearchFunc(runs, id, func(r sweepRun, id int64) int { return cmp.Compare(r.id, id) })
	}
	seen := map[int64]bool{}
	for _, t := range terms {
		i, okLo := index(t.lo)
		j, okHi := index(t.hi)
		if !okLo {
			missing = append(missing, strconv.FormatInt(t.lo, 10))
		}
		if !okHi && t.hi != t.lo {
			missing = append(missing, strconv.FormatInt(t.hi, 10))
		}
		if !okLo || !okHi {
			continue
		}
		for _, r := range runs[i : j+1] {
			if !seen[r.id] {
				seen[r.id] = true
				selected = append(selected, r)
			}
		}
	}
	return selected, missing
}

// runsParam reads the only query parameter of the endpoints that select
// runs, runs=1,2,5-9; nil when it is absent (all runs).
func runsParam(r *http.Request) ([]idRange, error) {
	q, err := queryParams(r, "runs")
	if err != nil || !q.Has("runs") {
		return nil, err
	}
	return parseRunIDs(q.Get("runs"))
}

// sweepEpochs answers GET /api/sweeps/SWEEP/epochs.
func (s *Server) sweepEpochs(r *http.Request) (any, error) {
	terms, err := runsParam(r)
	if err != nil {
		return nil, err
	}
	db, sw, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, err
	}
	runs, err := sweepRuns(r.Context(), db, sw.ID)
	if err != nil {
		return nil, fmt.Errorf("read runs of sweep %d: %w", sw.ID, err)
	}
	want := runs
	if terms != nil {
		var missing []string
		if want, missing = selectRuns(runs, terms); len(missing) > 0 {
			return nil, notFound("sweep %d has no run %s", sw.ID, strings.Join(missing, ", "))
		}
	}
	byRun := map[int64]*epochsJSON{}
	out := make([]*epochsJSON, len(want))
	for i, run := range want {
		out[i] = newEpochs(run.id)
		byRun[run.id] = out[i]
	}
	if err := readEpochs(r.Context(), db, sweepEpochsSQL, sw.ID, byRun); err != nil {
		return nil, fmt.Errorf("read epochs of sweep %d: %w", sw.ID, err)
	}
	return map[string]any{"sweep_id": sw.ID, "runs": out, "means": meanCurves(want, byRun)}, nil
}

// sweepRuns returns the runs of a sweep, in increasing id order.
func sweepRuns(ctx context.Context, db *store.DB, sweepID int64) ([]sweepRun, error) {
	rows, err := db.SQLDB().QueryContext(ctx, sweepRunIDsSQL, sweepID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []sweepRun
	for rows.Next() {
		var (
			run    sweepRun
			config string
		)
		if err := rows.Scan(&run.id, &config); err != nil {
			return nil, err
		}
		run.group = groupOf(config)
		runs = append(runs, run)
	}
	return runs, rows.Err()
}

// runEpochs answers GET /api/runs/RUN/epochs.
func (s *Server) runEpochs(r *http.Request) (any, error) {
	db, id, release, err := s.pathRun(r)
	defer release()
	if err != nil {
		return nil, err
	}
	e := newEpochs(id)
	if err := readEpochs(r.Context(), db, runEpochsSQL, id, map[int64]*epochsJSON{id: e}); err != nil {
		return nil, fmt.Errorf("read epochs of run %d: %w", id, err)
	}
	if len(e.Epoch) == 0 {
		var sweepID int64
		err := db.SQLDB().QueryRowContext(r.Context(), runSweepSQL, id).Scan(&sweepID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("no run has id %d", id)
		} else if err != nil {
			return nil, fmt.Errorf("read run %d: %w", id, err)
		}
	}
	return e, nil
}
