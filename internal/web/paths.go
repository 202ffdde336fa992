package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"runner/internal/objective"
	"runner/internal/train"
)

const (
	sweepFunctionRunsSQL = `SELECT id, config, dataset, function FROM runs WHERE sweep_id = ? ORDER BY id`
	sweepPathsSQL        = `
		SELECT p.run_id, p.step, p.x, p.y, p.value, p.distance
		FROM path p JOIN runs r ON r.id = p.run_id WHERE r.sweep_id = ? ORDER BY p.run_id, p.step`
)

// The contour grid of a function: gridSize values along each axis, and
// its levels spaced 1, 2, 5, 10, … apart over at most maxDecades decades
// below the grid's highest value.
const (
	gridSize   = 80
	maxDecades = 5
)

// pathJSON is the path of one run on a function, column by column:
// element i of each slice is the point after step Step[i] (step 0: the
// start).
type pathJSON struct {
	ID       int64   `json:"id"`
	Group    string  `json:"group"`    // as runJSON.Group
	Function string  `json:"function"` // the key of its function in the answer's functions
	Step     []int64 `json:"step"`
	X        []num   `json:"x"`
	Y        []num   `json:"y"`
	Value    []num   `json:"value"`
	Distance []num   `json:"distance"`
}

// functionJSON is a function the runs of a paths answer minimize, with
// what the page needs to draw its filled contours: its values on a
// regular grid over its window (widened to show the paths), the levels
// between the contours, and its minima.
type functionJSON struct {
	Key       string    `json:"key"`       // the name, with the condition number when the config sets one
	Name      string    `json:"name"`      // as the runs' configs name it
	Condition num       `json:"condition"` // the config's condition number; null when it sets none
	RunIDs    []int64   `json:"run_ids"`   // the runs of the answer on it, in their order
	Error     *string   `json:"error"`     // why there is no grid (a function this runner does not know); null otherwise
	Lo        [2]num    `json:"lo"`        // the grid's corner (x, y) of lowest coordinates
	Hi        [2]num    `json:"hi"`        // and of highest coordinates
	X         []num     `json:"x"`         // the grid's abscissas, from Lo[0] to Hi[0]
	Y         []num     `json:"y"`         // its ordinates, from Lo[1] to Hi[1]
	Z         [][]short `json:"z"`         // Z[j][i] is the function's value at (X[i], Y[j]); null where not finite
	Min       num       `json:"min"`       // the function's value at its minima (the lowest if they differ)
	Max       num       `json:"max"`       // the highest finite value of the grid
	Levels    []num     `json:"levels"`    // increasing: Min plus 1-2-5 multiples of powers of ten, log-spaced
	Minima    [][2]num  `json:"minima"`    // the known global minima, each [x, y]
}

// short is a float64 that is written to JSON with 6 significant digits,
// or null when it is NaN or infinite: the grids are large and drawn only.
type short float64

func (v short) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 6, 64), nil
}

// functionRun is a run of a sweep as sweepPaths needs it.
type functionRun struct {
	sweepRun
	onFunction bool
	name       string  // its function's name
	condition  float64 // Config.Dataset.Condition
}

// functionKey is the key of the function of a run: its name, with the
// condition number when the config gives one (two runs with different
// conditions minimize different functions).
func functionKey(name string, condition float64) string {
	if condition == 0 {
		return name
	}
	return fmt.Sprintf("%s κ=%s", name, strconv.FormatFloat(condition, 'g', -1, 64))
}

// sweepPaths answers GET /api/sweeps/SWEEP/paths.
func (s *Server) sweepPaths(r *http.Request) (any, error) {
	terms, err := runsParam(r)
	if err != nil {
		return nil, err
	}
	db, sw, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, err
	}
	runs, err := readFunctionRuns(r.Context(), db.SQLDB(), sw.ID)
	if err != nil {
		return nil, fmt.Errorf("read runs of sweep %d: %w", sw.ID, err)
	}
	want := make([]sweepRun, len(runs))
	byID := make(map[int64]functionRun, len(runs))
	for i, run := range runs {
		want[i] = run.sweepRun
		byID[run.id] = run
	}
	if terms != nil {
		var missing []string
		if want, missing = selectRuns(want, terms); len(missing) > 0 {
			return nil, notFound("sweep %d has no run %s", sw.ID, strings.Join(missing, ", "))
		}
	}

	out := []*pathJSON{}
	byRun := map[int64]*pathJSON{}
	functions := []*functionJSON{}
	byKey := map[string]*functionJSON{}
	for _, w := range want {
		run := byID[w.id]
		if !run.onFunction {
			continue
		}
		key := functionKey(run.name, run.condition)
		p := &pathJSON{ID: run.id, Group: run.group, Function: key, Step: []int64{},
			X: []num{}, Y: []num{}, Value: []num{}, Distance: []num{}}
		out = append(out, p)
		byRun[run.id] = p
		f := byKey[key]
		if f == nil {
			f = &functionJSON{Key: key, Name: run.name, Condition: num(nan), RunIDs: []int64{}}
			if run.condition != 0 {
				f.Condition = num(run.condition)
			}
			functions = append(functions, f)
			byKey[key] = f
		}
		f.RunIDs = append(f.RunIDs, run.id)
	}
	if len(out) > 0 {
		if err := readPaths(r.Context(), db.SQLDB(), sw.ID, byRun); err != nil {
			return nil, fmt.Errorf("read paths of sweep %d: %w", sw.ID, err)
		}
	}
	for _, f := range functions {
		var pts [][2]float64
		for _, id := range f.RunIDs {
			p := byRun[id]
			for i := range p.X {
				pts = append(pts, [2]float64{float64(p.X[i]), float64(p.Y[i])})
			}
		}
		condition := float64(f.Condition)
		if math.IsNaN(condition) {
			condition = 0
		}
		fn, err := objective.Lookup(f.Name, condition)
		if err != nil {
			msg := err.Error()
			f.Error = &msg
			continue
		}
		f.contours(fn, pts)
	}
	return map[string]any{"sweep_id": sw.ID, "runs": out, "functions": functions}, nil
}

// readFunctionRuns returns the runs of a sweep, in increasing id order,
// with their functions.
func readFunctionRuns(ctx context.Context, db *sql.DB, sweepID int64) ([]functionRun, error) {
	rows, err := db.QueryContext(ctx, sweepFunctionRunsSQL, sweepID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []functionRun
	for rows.Next() {
		var (
			run             functionRun
			config          string
			dataset, fnName sql.NullString
		)
		if err := rows.Scan(&run.id, &config, &dataset, &fnName); err != nil {
			return nil, err
		}
		run.group = groupOf(config)
		run.onFunction = dataset.String == "function" && fnName.Valid
		run.name = fnName.String
		var c train.Config
		if json.Unmarshal([]byte(config), &c) == nil {
			run.condition = c.Dataset.Condition
		}
		runs = append(runs, run)
	}
	return runs, rows.Err()
}

// readPaths adds the path rows of the sweep's runs to their entries of
// byRun; runs not in byRun are skipped.
func readPaths(ctx context.Context, db *sql.DB, sweepID int64, byRun map[int64]*pathJSON) error {
	rows, err := db.QueryContext(ctx, sweepPathsSQL, sweepID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			runID, step int64
			v           [4]sql.NullFloat64
		)
		if err := rows.Scan(&runID, &step, &v[0], &v[1], &v[2], &v[3]); err != nil {
			return err
		}
		p := byRun[runID]
		if p == nil {
			continue
		}
		f := func(i int) num { return nullNum(v[i]) }
		p.Step = append(p.Step, step)
		p.X, p.Y, p.Value, p.Distance = append(p.X, f(0)), append(p.Y, f(1)), append(p.Value, f(2)), append(p.Distance, f(3))
	}
	return rows.Err()
}

// contours fills in the grid of f: its window widened to show the points
// pts (see widen), the function's values on gridSize × gridSize points
// over it, their levels and the minima.
func (f *functionJSON) contours(fn objective.Function, pts [][2]float64) {
	lo, hi := fn.Window()
	lo, hi = widen(lo, hi, pts)
	f.Lo, f.Hi = [2]num{num(lo[0]), num(lo[1])}, [2]num{num(hi[0]), num(hi[1])}
	f.X, f.Y = make([]num, gridSize), make([]num, gridSize)
	for i := range gridSize {
		t := float64(i) / (gridSize - 1)
		f.X[i] = num(lo[0] + t*(hi[0]-lo[0]))
		f.Y[i] = num(lo[1] + t*(hi[1]-lo[1]))
	}
	floor := math.Inf(1)
	f.Minima = [][2]num{}
	for _, m := range fn.Minima() {
		f.Minima = append(f.Minima, [2]num{num(m[0]), num(m[1])})
		floor = min(floor, fn.Value([]float64{m[0], m[1]}))
	}
	top := math.Inf(-1)
	lowest := math.Inf(1) // the lowest value of the grid above floor
	gridMin := math.Inf(1)
	p := make([]float64, 2)
	f.Z = make([][]short, gridSize)
	for j := range gridSize {
		row := make([]short, gridSize)
		p[1] = float64(f.Y[j])
		for i := range gridSize {
			p[0] = float64(f.X[i])
			z := fn.Value(p)
			row[i] = short(z)
			if math.IsNaN(z) || math.IsInf(z, 0) {
				continue
			}
			top, gridMin = max(top, z), min(gridMin, z)
			if z > floor {
				lowest = min(lowest, z)
			}
		}
		f.Z[j] = row
	}
	if math.IsInf(floor, 0) || gridMin < floor { // no minima known, or lower than them
		floor = gridMin
	}
	f.Min, f.Max = num(floor), num(top)
	f.Levels = logLevels(floor, lowest, top)
}

// widen returns the window lo, hi extended to hold the finite points pts,
// with a margin of 5% of the window's span, but by at most the span on
// each side: a path that runs far away (a diverging run) is shown leaving
// the window, and the contours where the other paths go stay readable.
func widen(lo, hi [2]float64, pts [][2]float64) (wlo, whi [2]float64) {
	wlo, whi = lo, hi
	for d := range 2 {
		span := hi[d] - lo[d]
		pmin, pmax := math.Inf(1), math.Inf(-1)
		for _, p := range pts {
			if v := p[d]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				pmin, pmax = min(pmin, v), max(pmax, v)
			}
		}
		if pmin < lo[d] {
			wlo[d] = max(pmin-span/20, lo[d]-span)
		}
		if pmax > hi[d] {
			whi[d] = min(pmax+span/20, hi[d]+span)
		}
	}
	return wlo, whi
}

// logLevels returns the contour levels of a grid whose values lie in
// [floor, top], lowest being its lowest value above floor: floor plus the
// 1-2-5 multiples of powers of ten from below lowest − floor up to
// top − floor, over at most maxDecades decades. There are none when the
// grid is flat (or has no finite value).
func logLevels(floor, lowest, top float64) []num {
	levels := []num{}
	span := top - floor
	if !(span > 0) || math.IsInf(span, 0) {
		return levels
	}
	from := max(lowest-floor, span*math.Pow(10, -maxDecades))
	if math.IsInf(from, 0) || math.IsNaN(from) {
		from = span * math.Pow(10, -maxDecades)
	}
	for e := math.Floor(math.Log10(from)); ; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v > span {
				return levels
			}
			if v >= from { // the band below the first level holds the grid's lowest point
				levels = append(levels, num(floor+v))
			}
		}
	}
}
