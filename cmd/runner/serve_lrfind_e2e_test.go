package main

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// e2eLRFind is the run of the range test: the book's two-layer network
// with momentum on 2,000 images, batches of 100, whose loss diverges
// before lr 100.
const e2eLRFind = `
name: ch6
description: the book's network with momentum on 2,000 images
dataset: {train_limit: 2000}
model: {hidden: [100, 100]}
train: {epochs: 1, batch_size: 100}
optimizers:
  - {name: momentum, lr: 0.01}
`

// e2eRangeTest is the part of GET /api/sweeps/SWEEP/lrfind the test reads.
type e2eRangeTest struct {
	Sweep struct{ ID int64 }
	Run   struct {
		ID     int64
		Status string
		Config json.RawMessage
	}
	Facts []struct{ Name, Value, Text string }
	Curve struct {
		LR, Loss, Smoothed []*float64
	}
	Min, Steepest int
	Stop          *int
	MinLR         float64 `json:"min_lr"`
	SuggestedLR   float64 `json:"suggested_lr"`
}

// TestServeE2ELRFind records a range test with runner lr-find beside a
// training sweep and drives its views: the sweep list labels it and gives
// its suggested rate where a training sweep gives its accuracy; its page
// shows the facts runner compare prints, line by line, and the curve of
// the API's steps, each point where the API's rate and loss put it on the
// chart's scales, the suggestion and the lowest smoothed loss marked, and
// the run's config; a new test of the name replaces it live.
// RUNNER_E2E_SCREENSHOT=docs/dashboard.png also writes
// docs/dashboard-lrfind.png.
func TestServeE2ELRFind(t *testing.T) {
	chromium := needChromium(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", "results.db", writeFile(t, dir, "live.yaml", e2eLive)); code != exitOK {
		t.Fatalf("runner run live: exit %d\n%s\n%s", code, stdout, stderr)
	}
	writeFile(t, dir, "ch6.yaml", e2eLRFind)
	lrFind := []string{"lr-find", "--db", "results.db", "-o", dir, "--start", "1e-4", "--end", "100", "--steps", "100", "ch6.yaml"}
	if code, stdout, stderr := runMain(t, lrFind...); code != exitOK {
		t.Fatalf("runner lr-find: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// What runner compare prints of the test: a heading, a blank line, a
	// fact a line.
	code, printed, stderr := runMain(t, "compare", "--db", "results.db", "ch6-lrfind")
	if code != exitOK {
		t.Fatalf("runner compare: exit %d\n%s\n%s", code, printed, stderr)
	}
	lines := strings.Split(strings.TrimSpace(printed), "\n")
	if len(lines) != 9 || !strings.HasPrefix(lines[0], `sweep "ch6-lrfind" (id 2, done): range test of momentum, hidden 100-100`) {
		t.Fatalf("runner compare ch6-lrfind printed:\n%s", printed)
	}
	compared := lines[2:]

	url := startServe(t, "results.db")
	var api e2eRangeTest
	getJSON(t, url+"api/sweeps/ch6-lrfind/lrfind", &api)
	n := len(api.Curve.LR)
	if api.Sweep.ID != 2 || len(api.Facts) != 7 || api.Stop == nil || *api.Stop != n-1 || n < 20 || api.Run.Status != "diverged" {
		t.Fatalf("the API: sweep %d, %d facts, stop %v of %d steps, run %s; want sweep 2, 7 facts, stopped at the last of 20 or more, diverged",
			api.Sweep.ID, len(api.Facts), api.Stop, n, api.Run.Status)
	}
	for i, f := range api.Facts {
		if got, want := strings.Join(strings.Fields(compared[i]), " "), strings.Join(strings.Fields(f.Name+" "+f.Text), " "); got != want {
			t.Errorf("fact %d: the API gives %q, runner compare prints %q", i, want, got)
		}
	}

	b := startBrowser(t, chromium)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1440, "height": 1000, "deviceScaleFactor": 1, "mobile": false})
	b.call("Page.navigate", map[string]any{"url": url})

	// The list: the range test labelled, with its suggested rate as
	// runner compare prints it; the training sweep with neither.
	b.waitFor(`document.querySelectorAll('#sweeps tbody tr').length === 2`)
	row := `document.querySelector('#sweeps tbody tr[data-id="%d"]')`
	if got := b.eval(fmt.Sprintf(`(r => [r.querySelector('td.name .tag')?.textContent, r.lastElementChild.textContent])(`+row+`)`, 2)); fmt.Sprint(got) != fmt.Sprint([]any{"range test", "lr " + api.Facts[6].Value}) {
		t.Errorf("the range test's row: tag and last cell %v, want [range test lr %s]", got, api.Facts[6].Value)
	}
	if got := b.eval(fmt.Sprintf(`(r => [r.querySelector('td.name .tag') === null, r.lastElementChild.textContent.startsWith('lr')])(`+row+`)`, 1)); fmt.Sprint(got) != "[true false]" {
		t.Errorf("the training sweep's row: [no tag, no lr] = %v", got)
	}

	// Its page: the facts, the chart, the run; no learning curves over
	// epochs, no run table, no comparison of configurations.
	b.eval(fmt.Sprintf(row+`.querySelector('td.name a').click()`, 2))
	b.waitFor(`document.querySelectorAll('#lrfind-facts tr').length === 7 && document.querySelector('#lrfind-chart svg path.lr-smooth') !== null && document.querySelector('#lrfind-config-json') !== null`)
	if got := b.eval(`['#curves', '#runs', '#groups', '#search'].map(sel => document.querySelector(sel) === null)`); fmt.Sprint(got) != "[true true true true]" {
		t.Errorf("a range test's page shows cards of a training sweep: absent %v", got)
	}
	rows := b.eval(`[...document.querySelectorAll('#lrfind-facts tr')].map(tr => tr.querySelector('th').textContent + '  ' + tr.querySelector('td').textContent)`).([]any)
	for i, r := range rows {
		if got, want := strings.Join(strings.Fields(r.(string)), " "), strings.Join(strings.Fields(compared[i]), " "); got != want {
			t.Errorf("fact row %d: %q, runner compare prints %q", i, got, want)
		}
	}
	if got := b.eval(`document.querySelector('#lr-suggested').textContent`); got != api.Facts[6].Value {
		t.Errorf("the head's suggested rate %v, want %s", got, api.Facts[6].Value)
	}

	// The chart's scales: the rates of the first and last steps on x; on
	// y the lowest loss to twice the first smoothed loss, 5% wider, as
	// internal/report's figure.
	var sc struct{ Left, Right, Top, Bottom, X0, X1, Y0, Y1 float64 }
	raw := b.eval(`JSON.stringify(Object.fromEntries(Object.entries(document.querySelector('#lrfind-chart svg').dataset).map(([k, v]) => [k, +v])))`).(string)
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		t.Fatal(err)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range api.Curve.Loss {
		if l != nil {
			lo, hi = math.Min(lo, *l), math.Max(hi, *l)
		}
	}
	hi = math.Min(hi, 2**api.Curve.Smoothed[0])
	margin := math.Max((hi-lo)*0.05, 1e-3)
	if !(sc.Left > 0 && sc.Right > sc.Left+300 && sc.Bottom > sc.Top+200) || sc.X0 != *api.Curve.LR[0] || sc.X1 != *api.Curve.LR[n-1] ||
		math.Abs(sc.Y0-(lo-margin)) > 1e-12 || math.Abs(sc.Y1-(hi+margin)) > 1e-12 {
		t.Fatalf("the chart's scales %+v; want x from %v to %v, y from %v to %v", sc, *api.Curve.LR[0], *api.Curve.LR[n-1], lo-margin, hi+margin)
	}
	tx := func(x float64) float64 {
		return sc.Left + (sc.Right-sc.Left)*(math.Log10(x)-math.Log10(sc.X0))/(math.Log10(sc.X1)-math.Log10(sc.X0))
	}
	ty := func(y float64) float64 { return sc.Top + (sc.Bottom-sc.Top)*(1-(y-sc.Y0)/(sc.Y1-sc.Y0)) }
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.006 } // the page writes 2 decimals

	// Each line: a point per finite value, where the API's numbers put it.
	for _, line := range []struct {
		class string
		ys    []*float64
	}{{"lr-raw", api.Curve.Loss}, {"lr-smooth", api.Curve.Smoothed}} {
		d := b.eval(`document.querySelector('#lrfind-chart svg path.` + line.class + `').getAttribute('d')`).(string)
		pts := pathPoints(t, d)
		var want [][2]float64
		for i, y := range line.ys {
			if y != nil {
				want = append(want, [2]float64{tx(*api.Curve.LR[i]), ty(*y)})
			}
		}
		if len(pts) != len(want) || len(want) < n-1 {
			t.Fatalf("%s: %d points drawn, want %d (the finite ones of %d steps)", line.class, len(pts), len(want), n)
		}
		for i := range pts {
			if !near(pts[i][0], want[i][0]) || !near(pts[i][1], want[i][1]) {
				t.Errorf("%s: point %d at %v, want %v", line.class, i, pts[i], want[i])
				break
			}
		}
	}
	// The marks: the suggestion, the lowest smoothed loss's rate and its
	// dot, the steepest descent's dot, the step that stopped the test.
	attrs := func(sel string, names ...string) []float64 {
		js := fmt.Sprintf(`(e => e === null ? null : %s.map(a => +e.getAttribute(a)))(document.querySelector('#lrfind-chart svg %s'))`, jsList(names), sel)
		v, ok := b.eval(js).([]any)
		if !ok {
			t.Fatalf("no %s drawn", sel)
		}
		out := make([]float64, len(v))
		for i := range v {
			out[i] = v[i].(float64)
		}
		return out
	}
	for _, m := range []struct {
		sel  string
		want float64
	}{{"line.lr-suggest", api.SuggestedLR}, {"line.lr-min", api.MinLR}, {"line.lr-stop", *api.Curve.LR[*api.Stop]}} {
		if got := attrs(m.sel, "x1", "x2"); !near(got[0], tx(m.want)) || got[0] != got[1] {
			t.Errorf("%s at x %v, want %v (lr %v)", m.sel, got, tx(m.want), m.want)
		}
	}
	if api.SuggestedLR != api.MinLR/10 || api.SuggestedLR != *api.Curve.LR[api.Min]/10 {
		t.Errorf("suggested %v, lowest at %v (step %d): want a tenth of it", api.SuggestedLR, api.MinLR, api.Min)
	}
	for _, m := range []struct {
		sel string
		i   int
	}{{"circle.lr-min-dot", api.Min}, {"circle.lr-steep-dot", api.Steepest}} {
		if got := attrs(m.sel, "cx", "cy"); !near(got[0], tx(*api.Curve.LR[m.i])) || !near(got[1], ty(*api.Curve.Smoothed[m.i])) {
			t.Errorf("%s at %v, want step %d's rate and smoothed loss, (%v, %v)", m.sel, got, m.i, tx(*api.Curve.LR[m.i]), ty(*api.Curve.Smoothed[m.i]))
		}
	}
	if got := b.eval(`document.querySelector('#lrfind-legend').textContent`).(string); !strings.Contains(got, "suggested: "+api.Facts[6].Value+" (a tenth of the lowest)") {
		t.Errorf("legend %q lacks the suggestion %s", got, api.Facts[6].Value)
	}

	// The run's config, as the API gives it.
	var shown, want any
	if err := json.Unmarshal([]byte(b.eval(`document.querySelector('#lrfind-config-json').textContent`).(string)), &shown); err != nil {
		t.Fatalf("the config shown: %v", err)
	}
	if err := json.Unmarshal(api.Run.Config, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shown, want) {
		t.Errorf("config shown %v, want %v", shown, want)
	}
	if got := b.eval(`document.querySelector('#lrfind-run-head a').getAttribute('href')`); got != "#/sweeps/2/runs/"+strconv.FormatInt(api.Run.ID, 10) {
		t.Errorf("the run's link %v", got)
	}
	b.eval(`window.scrollTo(0, 0)`)
	b.waitFor(`window.scrollY === 0`)
	b.eval(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`)
	saveShot(t, b, "lrfind")

	// Live: a new test of the name, over 40 steps to lr 0.1 (no
	// divergence), replaces the page's without a reload. The page names
	// the sweep once (its latest) and every later request by the id that
	// resolved to: a new test of the name may be recorded between two
	// requests, and its first pass is not there yet. The page's requests
	// are recorded to check that.
	b.eval(`window.__noReload = true`)
	b.eval(`(() => { window.__urls = []; const f = window.fetch; window.fetch = (u, ...a) => { window.__urls.push(String(u)); return f(u, ...a); }; return true; })()`)
	b.eval(`location.hash = '#/sweeps/ch6-lrfind'`)
	lrFind[8], lrFind[10] = "0.1", "40"
	if code, stdout, stderr := runMain(t, lrFind...); code != exitOK {
		t.Fatalf("runner lr-find again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`document.querySelector('#sweep-card .id').textContent === '#3' && document.querySelector('#lrfind-facts tr[data-fact=steps] td').textContent === '40' && window.__noReload === true`)
	if got := b.eval(`[document.querySelector('#lrfind-facts tr[data-fact=ended] td').textContent, document.querySelector('#lrfind-chart svg line.lr-stop') === null]`); fmt.Sprint(got) != "[reached the end rate true]" {
		t.Errorf("a test that reached its end rate: ended and no stop line: %v", got)
	}
	urls := b.eval(`window.__urls`).([]any)
	byName := 0
	for _, u := range urls {
		rest, ok := strings.CutPrefix(u.(string), "/api/sweeps/ch6-lrfind")
		switch {
		case ok && rest == "":
			byName++
		case ok:
			t.Errorf("the page asked %s by the sweep's name, not the id it resolved to", u)
		}
	}
	if byName == 0 {
		t.Errorf("the page never asked for the name's latest sweep: %v", urls)
	}

	// A training sweep's page is the usual one.
	b.eval(`location.hash = '#/sweeps/live'`)
	b.waitFor(`document.querySelector('#sweep-card h1').textContent === 'live' && document.querySelectorAll('#chart-loss svg path.line').length === 1`)
	if got := b.eval(`document.querySelector('#lrfind') === null && document.querySelector('#lr-suggested') === null`); got != true {
		t.Errorf("a training sweep shows the range test's cards")
	}

	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page logged errors (CSP violations, exceptions):\n%s", strings.Join(errs, "\n"))
	}
}

// pathPoints returns the points of an SVG path of M and L commands.
func pathPoints(t *testing.T, d string) [][2]float64 {
	t.Helper()
	var pts [][2]float64
	for _, part := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' }) {
		xs, ys, ok := strings.Cut(part, ",")
		x, errX := strconv.ParseFloat(xs, 64)
		y, errY := strconv.ParseFloat(ys, 64)
		if !ok || errX != nil || errY != nil {
			t.Fatalf("path %.80q…: point %q", d, part)
		}
		pts = append(pts, [2]float64{x, y})
	}
	return pts
}

// jsList writes strings as a JavaScript array.
func jsList(xs []string) string {
	b, _ := json.Marshal(xs)
	return string(b)
}
