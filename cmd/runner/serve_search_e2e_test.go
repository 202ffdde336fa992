package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// e2eSearch is a random search of the book's §6.5 kind that trains in a
// few seconds: 40 trials drawing the learning rate and the weight decay on
// log scales, dropout uniformly and the batch size from a choice, on 500
// images with a validation split.
const e2eSearch = `
name: search
description: a random search of the book's §6.5 kind on 500 images
seed: 7
search: {method: random, trials: 40}
dataset: {train_limit: 500, validation: 0.2}
model: {hidden: [50], weight_decay: {log_uniform: [1.0e-8, 1.0e-2]}, dropout: {uniform: [0, 0.5]}}
train: {epochs: 3, batch_size: [25, 50, 100]}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-4, 1.0]}}
`

// e2eConditional is a search whose optimizers draw hyperparameters of
// their own: lr for each, momentum's coefficient for momentum alone.
const e2eConditional = `
name: conditional
seed: 3
search: {method: random, trials: 12}
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [20], weight_decay: {log_uniform: [1.0e-6, 1.0e-2]}}
train: {epochs: 2, batch_size: 50}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-3, 0.5]}}
  - {name: momentum, lr: {log_uniform: [1.0e-4, 0.1]}, momentum: {uniform: [0.5, 0.95]}}
`

// e2eTrials is the part of GET /api/sweeps/SWEEP/trials the test reads.
type e2eTrials struct {
	Dims []struct {
		Name    string
		Choices []string
	}
	Trials []struct {
		Run    int64
		Values []*float64
		Metric *float64
	}
}

// TestServeE2ESearch drives the views of a search: the parallel
// coordinates of its trials, brushed with the mouse on two axes, the run
// table that follows the brushes (checked against the trials the API
// gives, filtered here), the scatter of the metric against each
// hyperparameter and the importance table of runner analyze.
// RUNNER_E2E_SCREENSHOT=docs/dashboard.png also writes
// docs/dashboard-search.png.
func TestServeE2ESearch(t *testing.T) {
	chromium := needChromium(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", writeFile(t, dir, "search.yaml", e2eSearch)); code != exitOK {
		t.Fatalf("runner run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Chdir(dir)
	url := startServe(t, "results.db")
	var api e2eTrials
	getJSON(t, url+"api/sweeps/search/trials", &api)
	var analysis struct {
		Params   []struct{ Name string }
		Warnings []string
	}
	getJSON(t, url+"api/sweeps/search/analysis", &analysis)
	if len(api.Trials) != 40 || len(api.Dims) != 4 || len(analysis.Params) != 4 || len(analysis.Warnings) == 0 {
		t.Fatalf("the API: %d trials, %d dims, %d params, warnings %q; want 40, 4, 4 and a warning",
			len(api.Trials), len(api.Dims), len(analysis.Params), analysis.Warnings)
	}

	b := startBrowser(t, chromium)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1440, "height": 1180, "deviceScaleFactor": 1, "mobile": false})
	b.call("Page.navigate", map[string]any{"url": url + "#/sweeps/search"})

	// An axis per hyperparameter and the metric's, a line per run.
	b.waitFor(`document.querySelectorAll('#parcoords .pc-axis').length === 5 && document.querySelectorAll('#parcoords path.pc-line').length === 40 && document.querySelectorAll('#run-table tbody tr').length === 40`)
	var wantAxes []string
	for _, d := range api.Dims {
		wantAxes = append(wantAxes, d.Name)
	}
	wantAxes = append(wantAxes, "@metric")
	if got := b.eval(`[...document.querySelectorAll('#parcoords .pc-axis')].map(g => g.dataset.key).join(' ')`); got != strings.Join(wantAxes, " ") {
		t.Errorf("axes %v, want %v", got, wantAxes)
	}
	// The log axes say so and tick at powers of ten; the choice's ticks are its values.
	if got := b.eval(`[...document.querySelectorAll('#parcoords .pc-label')].map(t => t.textContent).join(', ')`); got != "dropout, weight_decay (log), batch_size, lr (log), val acc (best)" {
		t.Errorf("axis labels: %v", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#parcoords .pc-axis[data-key=lr] .pc-tick-label')].map(t => t.textContent).join(' ')`); got != "1e-4 0.001 0.01 0.1 1" {
		t.Errorf("lr's ticks: %v, want the powers of ten from 1e-4 to 1", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#parcoords .pc-axis[data-key=batch_size] .pc-tick-label')].map(t => t.textContent).join(' ')`); got != "25 50 100" {
		t.Errorf("batch_size's ticks: %v", got)
	}
	// Coloured by the metric: more than a few colours.
	if got := b.eval(`new Set([...document.querySelectorAll('#parcoords path.pc-line')].map(p => p.getAttribute('stroke'))).size`); got.(float64) < 10 {
		t.Errorf("the lines have %v colours, want one per value of the metric", got)
	}
	b.shot("search")

	// Brush lr with the mouse, from 20% to 60% of its axis's height.
	b.drag("lr", 0.2, 0.6)
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key=lr] rect.pc-brush:not(.preview)') !== null`)
	lr := b.brush("lr")
	want := api.inside(t, map[string][2]float64{"lr": lr})
	if len(want) == 0 || len(want) == 40 {
		t.Fatalf("the brush %v holds %d of the 40 runs: want some, not all", lr, len(want))
	}
	b.waitRows(want)
	if got := b.eval(`document.querySelectorAll('#parcoords path.pc-line:not(.out)').length`); got != float64(len(want)) {
		t.Errorf("%v lines inside the brush, want %d", got, len(want))
	}

	// And the metric's upper half: the runs inside both.
	b.drag("@metric", 0.02, 0.5)
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key="@metric"] rect.pc-brush:not(.preview)') !== null`)
	metric := b.brush("@metric")
	both := api.inside(t, map[string][2]float64{"lr": lr, "@metric": metric})
	b.waitRows(both)
	if len(both) >= len(want) {
		t.Errorf("the metric's brush %v left %d of the %d runs of lr's: want fewer", metric, len(both), len(want))
	}

	// The scatters: a panel per hyperparameter with a point per run, those
	// outside the brushes greyed.
	b.waitFor(`document.querySelectorAll('#scatters .sc-panel').length === 4`)
	if got := b.eval(`[...document.querySelectorAll('#scatters .sc-panel')].map(p => p.dataset.key + ':' + p.querySelectorAll('circle.sc-pt').length + ':' + p.querySelectorAll('circle.sc-pt:not(.out)').length).join(' ')`); got != fmt.Sprintf("dropout:40:%[1]d weight_decay:40:%[1]d batch_size:40:%[1]d lr:40:%[1]d", len(both)) {
		t.Errorf("scatter panels (key:points:inside): %v, want 40 points each, %d inside", got, len(both))
	}
	if got := b.eval(`[...document.querySelectorAll('#scatters .sc-panel text.axis-label')].map(t => t.textContent).join(', ')`); got != "dropout, weight_decay (log scale), batch_size, lr (log scale)" {
		t.Errorf("scatter x axes: %v", got)
	}

	// The importance table: a row per hyperparameter, in the analysis's
	// order, and its warnings.
	var names []string
	for _, p := range analysis.Params {
		names = append(names, p.Name)
	}
	b.waitFor(`document.querySelectorAll('#importance-table tbody tr').length === 4`)
	if got := b.eval(`[...document.querySelectorAll('#importance-table tbody tr')].map(tr => tr.dataset.param).join(' ')`); got != strings.Join(names, " ") {
		t.Errorf("importance rows %v, want %v", got, names)
	}
	if got := b.eval(`[...document.querySelectorAll('#importance-warnings li')].map(li => li.textContent)`); fmt.Sprint(got) != fmt.Sprint(analysis.Warnings) {
		t.Errorf("warnings %v, want %v", got, analysis.Warnings)
	}

	b.eval(`window.scrollTo(0, document.querySelector('#search').getBoundingClientRect().top + window.scrollY - 64)`)
	b.eval(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`)
	saveShot(t, b, "search")

	// A click on lr's axis clears its brush: the metric's alone remains.
	b.drag("lr", 0.5, 0.5)
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key=lr] rect.pc-brush') === null`)
	b.waitRows(api.inside(t, map[string][2]float64{"@metric": metric}))
	// The brushes filter with the text filter: both hold.
	b.eval(`(() => { const f = document.querySelector('#run-filter'); f.value = 'batch_size=50'; f.dispatchEvent(new Event('input')); })()`)
	batch := float64(slices.Index(api.Dims[2].Choices, "50"))
	b.waitRows(api.inside(t, map[string][2]float64{"@metric": metric, "batch_size": {batch, batch}}))
	b.eval(`(() => { const f = document.querySelector('#run-filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()`)
	b.eval(`document.querySelector('#clear-brushes').click()`)
	b.waitFor(`document.querySelectorAll('#run-table tbody tr').length === 40 && document.querySelectorAll('#parcoords path.pc-line.out').length === 0`)

	// Another metric: the loss, lower is better, and the analysis follows.
	b.eval(`(() => { const s = document.querySelector('#search-metric'); s.value = 'train_loss'; s.dispatchEvent(new Event('change')); })()`)
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key="@metric"] .pc-label').textContent === 'train loss (best)' && document.querySelector('#importance-method').textContent.includes('over 40 configurations')`)

	// A search of two optimizers: the fields of one are n/a on the other's
	// lines, and a brush over the whole of momentum's axis keeps
	// momentum's runs. The metric chosen stays from sweep to sweep.
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", "results.db", writeFile(t, dir, "conditional.yaml", e2eConditional)); code != exitOK {
		t.Fatalf("runner run conditional: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var cond e2eTrials
	getJSON(t, url+"api/sweeps/conditional/trials", &cond)
	b.eval(`location.hash = '#/sweeps/conditional'`)
	b.waitFor(`document.querySelector('#sweep-card h1') !== null && document.querySelector('#sweep-card h1').textContent === 'conditional' && document.querySelectorAll('#parcoords path.pc-line').length === 12`)
	if got := b.eval(`[document.querySelector('#search-metric').value, [...document.querySelectorAll('#parcoords .pc-axis')].map(g => g.dataset.key).join(' ')]`); fmt.Sprint(got) != "[train_loss weight_decay optimizer lr[sgd] lr[momentum] momentum @metric]" {
		t.Errorf("a search of two optimizers: metric and axes %v", got)
	}
	b.eval(`(() => { const s = document.querySelector('#search-metric'); s.value = 'val_acc'; s.dispatchEvent(new Event('change')); })()`)
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key="@metric"] .pc-label').textContent === 'val acc (best)'`)
	if got := b.eval(`[...document.querySelectorAll('#parcoords .pc-tick-label.na')].map(t => t.closest('.pc-axis').dataset.key).join(' ')`); got != "lr[sgd] lr[momentum] momentum" {
		t.Errorf("axes with an n/a slot: %v", got)
	}
	b.drag("momentum", 0.02, 0.98) // the strip overhangs the axis: its whole range
	b.waitFor(`document.querySelector('#parcoords .pc-axis[data-key=momentum] rect.pc-brush:not(.preview)') !== null`)
	momentum := cond.inside(t, map[string][2]float64{"momentum": b.brush("momentum")})
	if want := cond.inside(t, map[string][2]float64{"optimizer": {1, 1}}); !slices.Equal(momentum, want) || len(want) == 0 || len(want) == 12 {
		t.Errorf("the whole of momentum's axis holds runs %v, want momentum's %v", momentum, want)
	}
	b.waitRows(momentum)
	b.shot("search-conditional")

	// A grid sweep has no search card.
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", "results.db", writeFile(t, dir, "live.yaml", e2eLive)); code != exitOK {
		t.Fatalf("runner run live: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.eval(`location.hash = '#/sweeps/live'`)
	b.waitFor(`document.querySelector('#sweep-card h1') !== null && document.querySelector('#sweep-card h1').textContent === 'live' && document.querySelectorAll('#run-table tbody tr').length === 1`)
	if got := b.eval(`document.querySelector('#search') === null`); got != true {
		t.Errorf("a grid sweep shows the search card")
	}

	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page logged errors (CSP violations, exceptions):\n%s", strings.Join(errs, "\n"))
	}
}

// getJSON decodes the answer to GET url into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// inside returns, in run order, the runs whose values lie within every
// brush, given by axis: a dimension's name or "@metric", and [lo, hi] in
// the axis's units (a choice's indices). A run without a value on a
// brushed axis is outside.
func (a *e2eTrials) inside(t *testing.T, brushes map[string][2]float64) []int64 {
	t.Helper()
	var ids []int64
	for _, tr := range a.Trials {
		in := true
		for key, b := range brushes {
			v := tr.Metric
			if key != "@metric" {
				i := -1
				for j, d := range a.Dims {
					if d.Name == key {
						i = j
					}
				}
				if i < 0 {
					t.Fatalf("no dimension %q", key)
				}
				v = tr.Values[i]
			}
			if v == nil || *v < b[0] || *v > b[1] {
				in = false
			}
		}
		if in {
			ids = append(ids, tr.Run)
		}
	}
	return ids
}

// drag presses the mouse on the axis named key at the fraction from of
// its strip's height (0 the top), moves it to to, and releases it there.
func (b *browser) drag(key string, from, to float64) {
	b.t.Helper()
	b.waitFor(`loading === null && loadAgain === false`) // no redraw of the page under the mouse
	r := b.eval(fmt.Sprintf(`(() => { const r = document.querySelector('#parcoords rect.pc-hit[data-key="%s"]').getBoundingClientRect(); return [r.left + r.width / 2, r.top, r.height]; })()`, key)).([]any)
	x, top, height := r[0].(float64), r[1].(float64), r[2].(float64)
	y0, y1 := top+from*height, top+to*height
	mouse := func(typ string, y float64, buttons int) {
		b.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1})
	}
	mouse("mouseMoved", y0, 0)
	mouse("mousePressed", y0, 1)
	for k := 1; k <= 4; k++ {
		mouse("mouseMoved", y0+(y1-y0)*float64(k)/4, 1)
	}
	mouse("mouseReleased", y1, 0)
}

// brush returns the range the page brushed on the axis named key, as the
// brush's rectangle gives it.
func (b *browser) brush(key string) [2]float64 {
	b.t.Helper()
	r := b.eval(fmt.Sprintf(`(() => { const r = document.querySelector('#parcoords .pc-axis[data-key="%s"] rect.pc-brush:not(.preview)'); return [r.dataset.lo, r.dataset.hi]; })()`, key)).([]any)
	var out [2]float64
	for i := range out {
		v, err := strconv.ParseFloat(r[i].(string), 64)
		if err != nil {
			b.t.Fatalf("brush of %s: %v", key, err)
		}
		out[i] = v
	}
	if out[0] >= out[1] {
		b.t.Fatalf("brush of %s: [%v, %v]", key, out[0], out[1])
	}
	return out
}

// waitRows waits until the run table shows exactly the runs ids, in any order.
func (b *browser) waitRows(ids []int64) {
	b.t.Helper()
	want := make([]string, len(ids))
	for i, id := range ids {
		want[i] = strconv.FormatInt(id, 10)
	}
	slices.Sort(want)
	b.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#run-table tbody tr[data-run]')].map(tr => tr.dataset.run).sort().join(' ') === %q`, strings.Join(want, " ")))
}
