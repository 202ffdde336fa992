package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end test drives the dashboard in headless Chromium through the
// DevTools protocol, spoken over the pipe Chromium opens with
// --remote-debugging-pipe (file descriptors 3 and 4, messages separated by
// NUL bytes): no WebSocket, no npm, nothing but the standard library.
//
// It skips when no Chromium is installed, unless RUNNER_E2E=1 (as
// scripts/e2e.sh sets), which makes a missing browser a failure.
// RUNNER_E2E_SCREENSHOT=path writes the screenshot there (docs/dashboard.png)
// and those of the trajectories and the layer histograms beside it
// (docs/dashboard-paths.png, docs/dashboard-layers.png); RUNNER_E2E_SHOTS=dir
// writes one of other steps too.

// e2eSweep trains in a few seconds and gives curves worth looking at:
// four optimizers, two schedules, two seeds, 8 epochs on 2,000 images.
const e2eSweep = `
name: ch6
description: four optimizers of chapter 6, constant and cosine learning rates, two seeds
seed: 1
dataset: {train_limit: 2000, validation: 0.1}
model: {hidden: [100, 100]}
train: {epochs: 8, batch_size: 100, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: momentum, lr: 0.01}
  - {name: adagrad, lr: 0.01}
  - {name: adam, lr: 0.001}
schedules:
  - {name: constant}
  - {name: cosine}
`

// e2eLive is the sweep the test trains while the page is open.
const e2eLive = `
name: live
description: trained while the dashboard is open
dataset: {train_limit: 300}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: [1]}
optimizers:
  - {name: sgd, lr: 0.1}
`

// e2eDeadline bounds every wait for a state of the page, the server or
// the browser: far more than any of them takes, so that a wait fails only
// when the state never comes.
const e2eDeadline = 60 * time.Second

// findChromium returns the path of a Chromium binary, or "".
func findChromium() string {
	if p := os.Getenv("RUNNER_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needChromium returns the Chromium to drive, or skips the test when there
// is none (or with -short); with RUNNER_E2E=1 a missing Chromium fails it.
func needChromium(t *testing.T) string {
	t.Helper()
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("RUNNER_E2E") == "1" {
			t.Fatal("RUNNER_E2E=1 but no Chromium found (install Debian's chromium, or set RUNNER_CHROMIUM)")
		}
		t.Skip("no Chromium installed: skipping the end-to-end test (scripts/e2e.sh installs it and runs it)")
	}
	if testing.Short() && os.Getenv("RUNNER_E2E") != "1" {
		t.Skip("-short")
	}
	return chromium
}

func TestServeE2E(t *testing.T) {
	chromium := needChromium(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", writeFile(t, dir, "ch6.yaml", e2eSweep)); code != exitOK {
		t.Fatalf("runner run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Chdir(dir) // so that the page shows the path as a user would give it
	url := startServe(t, "results.db")

	b := startBrowser(t, chromium)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1440, "height": 1280, "deviceScaleFactor": 1, "mobile": false})
	b.call("Page.navigate", map[string]any{"url": url})

	// The sweep list.
	b.waitFor(`document.querySelectorAll('#sweeps tbody tr').length === 1`)
	if got := b.eval(`document.querySelector('#sweeps tbody tr td.name').textContent`); got != "ch6" {
		t.Errorf("sweep list: first name %v, want ch6", got)
	}
	if got := b.eval(`document.querySelector('#sweeps tbody tr').textContent.includes('16/16')`); got != true {
		t.Errorf("sweep list: no 16/16 runs done in %v", b.eval(`document.querySelector('#sweeps tbody tr').textContent`))
	}

	b.shot("list")

	// Live: a sweep trained now appears without a reload.
	b.eval(`window.__noReload = true`)
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, writeFile(t, dir, "live.yaml", e2eLive)); code != exitOK {
		t.Fatalf("runner run live: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`document.querySelectorAll('#sweeps tbody tr').length === 2 && window.__noReload === true`)
	if got := b.eval(`document.querySelector('#sweeps tbody tr td.name').textContent`); got != "live" {
		t.Errorf("after a new sweep: first name %v, want live", got)
	}

	// Changing sweep while the first one loads: the page shows the second
	// one, whole, with no error (a load queued behind a dropped one used to
	// refresh a page that was not drawn). Several delays, to land inside the
	// first load.
	for _, ms := range []int{0, 5, 20} {
		b.eval(`location.hash = '#/'`)
		b.waitFor(`document.querySelectorAll('#sweeps tbody tr').length === 2`)
		b.eval(fmt.Sprintf(`(async () => { location.hash = '#/sweeps/1'; await new Promise(r => setTimeout(r, %d)); location.hash = '#/sweeps/2'; })()`, ms))
		b.waitFor(`document.querySelector('#sweep-card h1') !== null && document.querySelector('#sweep-card h1').textContent === 'live' && document.querySelector('#sweep-card .id').textContent === '#2' && document.querySelectorAll('#run-table tbody tr').length === 1`)
		// Every load has settled, the dropped one too: none in flight, none
		// queued (app.js's own state). A late error would be on the page now.
		b.waitFor(`loading === null && loadAgain === false`)
		if got := b.eval(`document.querySelector('#banner').hidden && document.querySelector('.crumbs').textContent`); got != "Sweeps / live" {
			t.Errorf("sweep 1 then 2 after %d ms: crumbs or banner %v, banner %q", ms, got, b.eval(`document.querySelector('#banner').textContent`))
		}
	}
	b.eval(`location.hash = '#/'`)
	b.waitFor(`document.querySelectorAll('#sweeps tbody tr').length === 2`)

	// Open the ch6 sweep: every run is selected and drawn, 16 lines per chart.
	b.eval(`[...document.querySelectorAll('#sweeps tbody tr')].find(tr => tr.textContent.includes('ch6')).querySelector('a').click()`)
	b.waitFor(`document.querySelectorAll('#run-table tbody tr').length === 16`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line').length === 16 && document.querySelectorAll('#chart-acc svg path.line').length === 16`)

	// Select runs: none, then the adam runs through the filter.
	b.eval(`document.querySelector('#select-none').click()`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line').length === 0 && document.querySelector('#chart-loss .chart-empty') !== null`)
	b.eval(`(() => { const f = document.querySelector('#run-filter'); f.value = 'optimizer=adam'; f.dispatchEvent(new Event('input')); })()`)
	b.waitFor(`document.querySelectorAll('#run-table tbody tr').length === 4`)
	b.eval(`document.querySelector('#select-shown').click()`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line').length === 4`)
	for _, d := range b.eval(`[...document.querySelectorAll('#chart-acc svg path.line')].map(p => p.getAttribute('d'))`).([]any) {
		if s, _ := d.(string); strings.Count(s, "L") != 8 { // epochs 0 to 8
			t.Errorf("accuracy path %q: want 9 points", s)
		}
	}
	// Then every run again by clicking its checkbox, coloured by schedule.
	b.eval(`(() => { const f = document.querySelector('#run-filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()`)
	b.eval(`document.querySelectorAll('#run-table tbody input.sel').forEach(c => { if (!c.checked) c.click(); })`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line').length === 16`)
	b.eval(`(() => { const s = document.querySelector('#color-by'); s.value = 'optimizer'; s.dispatchEvent(new Event('change')); })()`)
	if got := b.eval(`new Set([...document.querySelectorAll('#chart-acc svg path.line')].map(p => p.getAttribute('stroke'))).size`); got != 4.0 {
		t.Errorf("coloured by optimizer: %v colours, want 4", got)
	}
	if got := b.eval(`document.querySelectorAll('#legend .item').length`); got != 4.0 {
		t.Errorf("legend: %v items, want 4", got)
	}
	// The mean over seeds per configuration: 8 lines (4 optimizers × 2
	// schedules) with their bands, coloured by optimizer: 4 colours.
	b.eval(`document.querySelector('#lines-seg button[data-v=mean]').click()`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line.mean').length === 8 && document.querySelectorAll('#chart-loss svg path.band').length === 8`)
	if got := b.eval(`new Set([...document.querySelectorAll('#chart-acc svg path.line.mean')].map(p => p.getAttribute('stroke'))).size`); got != 4.0 {
		t.Errorf("mean lines coloured by optimizer: %v colours, want 4", got)
	}
	if got := b.eval(`document.querySelectorAll('#legend .item').length`); got != 4.0 {
		t.Errorf("mean lines: legend of %v items, want 4 (the optimizers)", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#chart-loss svg path.line.mean title')].every(t => t.textContent.endsWith('mean of 2 runs'))`); got != true {
		t.Errorf("mean lines: titles %v, want each the mean of 2 runs (its seeds)", b.eval(`[...document.querySelectorAll('#chart-loss svg path.line.mean title')].map(t => t.textContent)`))
	}

	// The comparison: 8 configurations, one best.
	b.waitFor(`document.querySelectorAll('#group-table tbody tr').length === 8`)
	if got := b.eval(`document.querySelectorAll('#group-table td.star').length > 0 && document.querySelector('#group-table tbody tr td.star').textContent`); got != "★" {
		t.Errorf("comparison: best row marked %v, want ★ on the first row", got)
	}
	// Live on the sweep's page too: a sweep trained now is offered for comparison.
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, writeFile(t, dir, "live2.yaml", strings.Replace(e2eLive, "name: live", "name: live2", 1))); code != exitOK {
		t.Fatalf("runner run live2: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`[...document.querySelectorAll('#group-vs option')].some(o => o.textContent === 'live2 #3') && window.__noReload === true`)
	if got := b.eval(`document.querySelectorAll('#chart-loss svg path.line.mean').length`); got != 8.0 {
		t.Errorf("after a live refresh: %v mean lines, want 8", got)
	}

	// Compared with live2: a row of ch6 selects ch6's runs (its two seeds),
	// a row only in live2 selects nothing.
	b.eval(`(() => { const s = document.querySelector('#group-vs'); s.value = '3'; s.dispatchEvent(new Event('change')); })()`)
	b.waitFor(`[...document.querySelectorAll('#group-table thead th')].some(th => th.textContent.startsWith('B: #3'))`)
	if got := b.eval(`document.querySelectorAll('#group-table tbody tr.only-b:not(.clickable)').length`); got != 1.0 {
		t.Errorf("compared with live2: %v rows only in B and not clickable, want 1", got)
	}
	b.eval(`document.querySelector('#group-table tbody tr.clickable').click()`)
	b.waitFor(`document.querySelector('#runs-count').textContent.endsWith(' 2 selected') && document.querySelectorAll('#chart-loss svg path.line.mean').length === 1`)
	if got := b.eval(`document.querySelector('#banner').hidden`); got != true {
		t.Errorf("a row of a comparison clicked: banner %q", b.eval(`document.querySelector('#banner').textContent`))
	}
	// The compared sweep deleted: the page compares with nothing, says so,
	// and no longer offers it.
	if code, stdout, stderr := runMain(t, "prune", "--db", dbPath, "--keep", "0", "--name", "live2"); code != exitOK {
		t.Fatalf("runner prune live2: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`document.querySelector('#group-vs-gone') !== null && document.querySelector('#group-vs').value === '' && ![...document.querySelectorAll('#group-vs option')].some(o => o.textContent === 'live2 #3')`)
	b.waitFor(`document.querySelectorAll('#group-table tbody tr').length === 8 && ![...document.querySelectorAll('#group-table thead th')].some(th => th.textContent.startsWith('B:'))`)
	if got := b.eval(`document.querySelector('#banner').hidden && window.__noReload === true`); got != true {
		t.Errorf("compared sweep deleted: banner %q", b.eval(`document.querySelector('#banner').textContent`))
	}
	// Every run again, for the rest.
	b.eval(`document.querySelector('#select-shown').click()`)
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line.mean').length === 8`)

	// Sorting by final test accuracy, best first.
	b.eval(`document.querySelector('#run-table th[data-key=test_acc]').click()`)
	accs := b.eval(`[...document.querySelectorAll('#run-table tbody tr')].map(tr => parseFloat(tr.children[tr.children.length - 8].textContent))`).([]any)
	for i := 1; i < len(accs); i++ {
		if accs[i].(float64) > accs[i-1].(float64) {
			t.Errorf("sorted by test acc descending: %v", accs)
			break
		}
	}

	// The screenshot, with the mean curves per optimizer from epoch 1.
	b.eval(`document.querySelector('#skip0').click()`)
	b.waitFor(`document.querySelector('#chart-acc svg path.line.mean').getAttribute('d').split('L').length === 8`)
	b.eval(`document.querySelector('#varying-only').click()`)
	b.waitFor(`document.querySelectorAll('#run-table thead th').length === 2 + 4 + 10`) // optimizer, lr, schedule, seed
	b.eval(`window.scrollTo(0, 0)`)
	// Scrolled to the top, and a frame drawn since.
	b.waitFor(`window.scrollY === 0`)
	b.eval(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`)
	shot := b.screenshot()
	out := os.Getenv("RUNNER_E2E_SCREENSHOT")
	if out == "" {
		out = filepath.Join(dir, "dashboard.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))

	// A run's full config.
	b.eval(`document.querySelector('#run-table tbody tr a').click()`)
	b.waitFor(`document.querySelector('#run-config') !== null && document.querySelector('#run-config').textContent.includes('"optimizer"')`)
	b.waitFor(`document.querySelectorAll('#run-epochs tbody tr').length === 9`)
	b.shot("run")
	b.eval(`document.querySelector('#drawer .close').click()`)
	b.waitFor(`document.querySelector('#drawer').hidden`)

	// An unknown sweep: a message, not a crash.
	b.eval(`location.hash = '#/sweeps/999'`)
	b.waitFor(`document.querySelector('#not-found') !== null`)
	// A malformed address (a bad percent escape): a message too.
	b.eval(`location.hash = '#/'`)
	b.waitFor(`document.querySelector('#sweeps') !== null`)
	b.eval(`location.hash = '#/sweeps/%E0%A4%A'`)
	b.waitFor(`document.querySelector('#not-found') !== null && document.querySelector('#banner').hidden`)

	// The database disappears: the page says so.
	if err := os.Rename(dbPath, dbPath+".moved"); err != nil {
		t.Fatal(err)
	}
	b.waitFor(`!document.querySelector('#banner').hidden && document.querySelector('#banner').textContent.includes('unavailable')`)
	b.shot("unavailable")

	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page logged errors (CSP violations, exceptions):\n%s", strings.Join(errs, "\n"))
	}
}

// e2eFunctions is the book's figure 6-8: four optimizers on
// f(x, y) = x²/20 + y² from (−7, 2), 30 steps each.
const e2eFunctions = `
name: fig68
description: the book's figure 6-8, four optimizers on x²/20 + y²
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 30}
optimizers:
  - {name: sgd, lr: 0.95}
  - {name: momentum, lr: 0.1}
  - {name: adagrad, lr: 1.5}
  - {name: adam, lr: 0.3}
`

// e2eLayers logs the activations of five sigmoid layers whose weights
// start with standard deviation 0.01 (the book's figure 6-11): at epoch
// 0 every activation is near 0.5, and training spreads them apart.
const e2eLayers = `
name: layers
description: five sigmoid layers, weights drawn with standard deviation 0.01
log_layers: true
dataset: {train_limit: 1000}
model: {hidden: [100, 100, 100, 100, 100], activation: sigmoid, init: "0.01"}
train: {epochs: 4, batch_size: 100}
optimizers: [{name: adam, lr: 0.01}]
`

// TestServeE2EDetail drives the views of what runs record beside their
// metrics: the trajectories of a sweep of runs on a function, over the
// function's contours, and the layer histograms of a run that logged its
// layers. RUNNER_E2E_SCREENSHOT=docs/dashboard.png also writes
// docs/dashboard-paths.png and docs/dashboard-layers.png.
func TestServeE2EDetail(t *testing.T) {
	chromium := needChromium(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	for _, spec := range []struct{ name, src string }{{"fig68.yaml", e2eFunctions}, {"layers.yaml", e2eLayers}} {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, writeFile(t, dir, spec.name, spec.src)); code != exitOK {
			t.Fatalf("runner run %s: exit %d\n%s\n%s", spec.name, code, stdout, stderr)
		}
	}
	t.Chdir(dir)
	url := startServe(t, "results.db")
	b := startBrowser(t, chromium)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1440, "height": 1100, "deviceScaleFactor": 1, "mobile": false})
	// By name: the page follows the latest sweep named fig68.
	b.call("Page.navigate", map[string]any{"url": url + "#/sweeps/fig68"})
	b.eval(`window.__noReload = true`)

	// A panel per configuration, as the book's figure: each with one path
	// of 31 points (the start and 30 steps) over its function's contours
	// and its minimum.
	b.waitFor(`document.querySelectorAll('#traj .traj-panel').length === 4 && document.querySelectorAll('#traj svg path.traj-line').length === 4`)
	for _, d := range b.eval(`[...document.querySelectorAll('#traj svg path.traj-line')].map(p => p.getAttribute('d'))`).([]any) {
		if s, _ := d.(string); strings.Count(s, "M") != 1 || strings.Count(s, "L") != 30 {
			t.Errorf("path %.60q…: want one line of 31 points", s)
		}
	}
	if got := b.eval(`[...document.querySelectorAll('#traj .traj-title b')].map(b => b.textContent).join(', ')`); got != "sgd lr=0.95, momentum lr=0.1, adagrad lr=1.5, adam lr=0.3" {
		t.Errorf("panel titles: %v", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#traj .traj-panel')].every(p => p.querySelectorAll('text.minimum').length === 1 && p.querySelector('circle.traj-start') !== null)`); got != true {
		t.Errorf("panels without their minimum or start marked")
	}
	// The contours are drawn: an image of many colours (bands and their lines).
	b.waitFor(`document.querySelectorAll('#traj image.contours').length === 4`)
	colours := b.eval(`(async () => {
		const img = new Image();
		img.src = document.querySelector('#traj image.contours').getAttribute('href');
		await img.decode();
		const c = document.createElement('canvas');
		c.width = img.width; c.height = img.height;
		const ctx = c.getContext('2d');
		ctx.drawImage(img, 0, 0);
		const d = ctx.getImageData(0, 0, c.width, c.height).data;
		const seen = new Set();
		for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
		return seen.size;
	})()`)
	if n, _ := colours.(float64); n < 10 {
		t.Errorf("the contour image has %v colours, want the bands of the levels and their lines", colours)
	}
	// The curves of a function: its value and the distance to its minimum, by step.
	b.waitFor(`document.querySelectorAll('#chart-loss svg path.line').length === 4 && document.querySelectorAll('#chart-acc svg path.line').length === 4`)
	if got := b.eval(`document.querySelector('#acc-title').textContent.startsWith('Distance') && getComputedStyle(document.querySelector('#acc-control')).display === 'none'`); got != true {
		t.Errorf("the second chart of a function sweep: %v", b.eval(`document.querySelector('#acc-title').textContent`))
	}

	// All on one panel, coloured by optimizer.
	b.eval(`document.querySelector('#paths-seg button[data-v=overlay]').click()`)
	b.waitFor(`document.querySelectorAll('#traj .traj-panel').length === 1 && document.querySelectorAll('#traj svg path.traj-line').length === 4`)
	if got := b.eval(`new Set([...document.querySelectorAll('#traj svg path.traj-line')].map(p => p.getAttribute('stroke'))).size`); got != 4.0 {
		t.Errorf("one panel: %v colours, want 4", got)
	}
	b.shot("paths-together")
	// The selection draws: none, then two runs.
	b.eval(`document.querySelector('#select-none').click()`)
	b.waitFor(`document.querySelectorAll('#traj svg path.traj-line').length === 0 && document.querySelector('#traj .traj-empty') !== null`)
	b.eval(`document.querySelectorAll('#run-table tbody input.sel').forEach((c, i) => { if (i < 2) c.click(); })`)
	b.waitFor(`document.querySelectorAll('#traj svg path.traj-line').length === 2`)
	b.eval(`document.querySelector('#paths-seg button[data-v=panels]').click()`)
	b.waitFor(`document.querySelectorAll('#traj .traj-panel').length === 2`)
	b.eval(`document.querySelector('#select-shown').click()`)
	b.waitFor(`document.querySelectorAll('#traj .traj-panel').length === 4`)
	b.eval(`window.scrollTo(0, 0)`)
	b.waitFor(`window.scrollY === 0`)
	b.eval(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`)
	saveShot(t, b, "paths")

	// Live: a new sweep of that name, with a fifth optimizer, replaces the
	// page's without a reload.
	live := strings.Replace(e2eFunctions, "  - {name: adam, lr: 0.3}", "  - {name: adam, lr: 0.3}\n  - {name: rmsprop, lr: 0.1}", 1)
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", "results.db", writeFile(t, dir, "fig68b.yaml", live)); code != exitOK {
		t.Fatalf("runner run fig68b: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`document.querySelector('#sweep-card .id').textContent === '#3' && document.querySelectorAll('#traj .traj-panel').length === 5 && document.querySelectorAll('#traj svg path.traj-line').length === 5 && window.__noReload === true`)

	// The layers of run 5: a row per layer, a histogram of 30 bins each,
	// and the epoch slider at the last epoch.
	b.eval(`location.hash = '#/sweeps/layers/runs/5'`)
	b.waitFor(`document.querySelectorAll('#layers .layer-row').length === 5 && document.querySelectorAll('#layers .layer-row svg rect.hist-bar').length === 150`)
	if got := b.eval(`document.querySelector('#layer-epoch-label').textContent + ' / ' + document.querySelector('#layer-epoch').max`); got != "epoch 4 / 4" {
		t.Errorf("epoch shown: %v, want the last, epoch 4 of slider 0 to 4", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#layers .layer-stats')].every(dl => ['mean', 'std', 'zeros', 'saturated'].every(k => [...dl.querySelectorAll('dt')].some(dt => dt.textContent === k)))`); got != true {
		t.Errorf("layer rows without mean, std, zeros and saturated: %v", b.eval(`document.querySelector('#layers').innerText`))
	}
	// The page is its cards alone, on a sweep without functions too.
	if got := b.eval(`[...document.querySelector('#app').childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent)`); len(got.([]any)) != 0 {
		t.Errorf("text between the cards of the page: %q", got)
	}
	bars := `[...document.querySelectorAll('#layers rect.hist-bar')].map(r => r.getAttribute('height')).join(' ')`
	last := b.eval(bars)
	// Epoch 0: every activation of a layer near 0.5, the middle bins.
	b.eval(`(() => { const s = document.querySelector('#layer-epoch'); s.value = '0'; s.dispatchEvent(new Event('input')); })()`)
	b.waitFor(`document.querySelector('#layer-epoch-label').textContent === 'epoch 0'`)
	b.shot("layers-epoch0")
	if got := b.eval(bars); got == last {
		t.Errorf("the slider moved to epoch 0 and the bars stayed: %v", got)
	}
	if got := b.eval(`[...document.querySelectorAll('#layers .layer-row')].every(row => {
		const counts = [...row.querySelectorAll('rect.hist-bar')].map(r => +r.dataset.count);
		const top = counts.indexOf(Math.max(...counts));
		return top === 14 || top === 15;
	})`); got != true {
		t.Errorf("epoch 0: the fullest bin of some layer is not at 0.5: %v", b.eval(`[...document.querySelectorAll('#layers .layer-row')].map(row => [...row.querySelectorAll('rect.hist-bar')].map(r => r.dataset.count).join(','))`))
	}
	// The epoch chosen stays through a live refresh of the drawer.
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", "results.db", writeFile(t, dir, "again.yaml", strings.Replace(e2eFunctions, "name: fig68", "name: again", 1))); code != exitOK {
		t.Fatalf("runner run again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b.waitFor(`[...document.querySelectorAll('#group-vs option')].some(o => o.textContent === 'again #4')`)
	b.waitFor(`document.querySelector('#layer-epoch-label').textContent === 'epoch 0' && document.querySelector('#layer-epoch').value === '0'`)
	b.eval(`(() => { const s = document.querySelector('#layer-epoch'); s.value = '1'; s.dispatchEvent(new Event('input')); })()`)
	b.waitFor(`document.querySelector('#layer-epoch-label').textContent === 'epoch 1'`)
	b.eval(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))`)
	saveShot(t, b, "layers")

	if errs := b.problems(); len(errs) > 0 {
		t.Errorf("the page logged errors (CSP violations, exceptions):\n%s", strings.Join(errs, "\n"))
	}
}

// saveShot writes a screenshot of the page as dashboard-NAME.png beside
// RUNNER_E2E_SCREENSHOT (docs/dashboard.png: docs/dashboard-NAME.png), or
// in the test's folder.
func saveShot(t *testing.T, b *browser, name string) {
	t.Helper()
	out := os.Getenv("RUNNER_E2E_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "dashboard.png")
	}
	out = strings.TrimSuffix(out, ".png") + "-" + name + ".png"
	shot := b.screenshot()
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))
}

// startServe runs `runner serve` on a free loopback port until the test
// ends, and returns its URL.
func startServe(t *testing.T, dbPath string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr strings.Builder
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: &syncWriter{b: &stdout}, Stderr: &syncWriter{b: &stderr}}
		m.serveReady = func(u string) { urls <- u }
		done <- m.Run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--poll", "100ms"})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(e2eDeadline):
			t.Errorf("serve did not stop within %v of its context's end", e2eDeadline)
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	case <-time.After(e2eDeadline):
		t.Fatalf("serve did not start within %v", e2eDeadline)
	}
	return ""
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// browser is a headless Chromium with one page, driven over the DevTools pipe.
type browser struct {
	t       *testing.T
	in      *os.File // our end of Chromium's fd 3
	session string   // the page's session id

	mu       sync.Mutex
	nextID   int
	waiting  map[int]chan cdpMessage
	logged   []string
	readDone chan struct{}
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct{ Message string }
	SessionID string `json:"sessionId,omitempty"`
}

// startBrowser starts Chromium with the flags this machine needs and
// attaches to its page; the browser is stopped when the test ends.
func startBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	cmdIn, in, err := os.Pipe() // we write in, Chromium reads cmdIn as fd 3
	if err != nil {
		t.Fatal(err)
	}
	out, cmdOut, err := os.Pipe() // Chromium writes cmdOut as fd 4, we read out
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "--window-size=1440,1280", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdIn, cmdOut}
	var stderr strings.Builder
	cmd.Stderr = &syncWriter{b: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	cmdIn.Close()
	cmdOut.Close()
	b := &browser{t: t, in: in, waiting: map[int]chan cdpMessage{}, readDone: make(chan struct{})}
	t.Cleanup(func() {
		b.send("Browser.close", nil, "")
		waited := make(chan struct{})
		go func() { cmd.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-waited
		}
		in.Close()
		out.Close()
		if t.Failed() {
			t.Logf("chromium's stderr (last 2000 bytes):\n%s", tail(stderr.String(), 2000))
		}
	})
	go b.read(out)

	var targets struct {
		TargetInfos []struct{ TargetID, Type string } `json:"targetInfos"`
	}
	b.decode(b.callOn("", "Target.getTargets", nil), &targets)
	var page string
	for _, ti := range targets.TargetInfos {
		if ti.Type == "page" {
			page = ti.TargetID
		}
	}
	if page == "" {
		var created struct{ TargetID string }
		b.decode(b.callOn("", "Target.createTarget", map[string]any{"url": "about:blank"}), &created)
		page = created.TargetID
	}
	var attached struct{ SessionID string }
	b.decode(b.callOn("", "Target.attachToTarget", map[string]any{"targetId": page, "flatten": true}), &attached)
	b.session = attached.SessionID
	b.call("Runtime.enable", nil)
	b.call("Log.enable", nil)
	b.call("Page.enable", nil)
	return b
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// read dispatches the browser's messages: answers to their callers,
// exceptions and error log entries to logged.
func (b *browser) read(out *os.File) {
	defer close(b.readDone)
	r := bufio.NewReader(out)
	for {
		raw, err := r.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if ch := b.waiting[m.ID]; m.ID != 0 && ch != nil {
			delete(b.waiting, m.ID)
			ch <- m
		}
		switch m.Method {
		case "Runtime.exceptionThrown", "Log.entryAdded":
			var p struct {
				Entry            struct{ Level, Text, URL string }
				ExceptionDetails struct {
					Text      string
					Exception struct{ Description string }
				}
			}
			json.Unmarshal(m.Params, &p)
			if m.Method == "Runtime.exceptionThrown" {
				b.logged = append(b.logged, "exception: "+p.ExceptionDetails.Text+" "+p.ExceptionDetails.Exception.Description)
			} else if p.Entry.Level == "error" && !expectedError(p.Entry.Text, p.Entry.URL) {
				b.logged = append(b.logged, "log: "+p.Entry.Text+" "+p.Entry.URL)
			}
		}
		b.mu.Unlock()
	}
}

// expectedError reports whether a console error is one the test causes on
// purpose: the 404 of the unknown sweep, the 503s of the moved database.
func expectedError(text, url string) bool {
	return strings.Contains(url, "/api/sweeps/999") || strings.Contains(text, "503") ||
		strings.Contains(text, "404") || strings.Contains(url, "/api/events")
}

// problems returns the exceptions and error log entries seen so far.
func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logged...)
}

// send writes a command and returns the channel its answer arrives on.
func (b *browser) send(method string, params any, session string) chan cdpMessage {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": cmpOr(params), "sessionId": session})
	if err != nil {
		b.t.Fatal(err)
	}
	if session == "" {
		msg, _ = json.Marshal(map[string]any{"id": id, "method": method, "params": cmpOr(params)})
	}
	b.in.Write(append(msg, 0))
	return ch
}

func cmpOr(params any) any {
	if params == nil {
		return map[string]any{}
	}
	return params
}

// callOn sends a command to the session ("" for the browser) and waits
// for its result.
func (b *browser) callOn(session, method string, params any) json.RawMessage {
	b.t.Helper()
	select {
	case m := <-b.send(method, params, session):
		if m.Error != nil {
			b.t.Fatalf("%s: %s", method, m.Error.Message)
		}
		return m.Result
	case <-b.readDone:
		b.t.Fatalf("%s: chromium closed the DevTools pipe", method)
	case <-time.After(e2eDeadline):
		b.t.Fatalf("%s: no answer within %v", method, e2eDeadline)
	}
	return nil
}

// call sends a command to the page.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	return b.callOn(b.session, method, params)
}

func (b *browser) decode(raw json.RawMessage, v any) {
	b.t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		b.t.Fatalf("decode %s: %v", raw, err)
	}
}

// eval evaluates a JavaScript expression in the page and returns its
// value as JSON decodes it.
func (b *browser) eval(expr string) any {
	b.t.Helper()
	v, err := b.tryEval(expr)
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func (b *browser) tryEval(expr string) (any, error) {
	var res struct {
		Result           struct{ Value any }
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	b.decode(b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}), &res)
	if e := res.ExceptionDetails; e != nil {
		return nil, errors.New(e.Text + " " + e.Exception.Description)
	}
	return res.Result.Value, nil
}

// waitFor polls cond, a JavaScript expression, until it is true, for up
// to e2eDeadline.
func (b *browser) waitFor(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(e2eDeadline)
	var last any
	var err error
	for time.Now().Before(deadline) {
		if last, err = b.tryEval(cond); err == nil && last == true {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("waiting for %s: still %v (%v) after %v; page errors: %q; page text:\n%s", cond, last, err, e2eDeadline,
		b.problems(), tail(fmt.Sprint(b.eval(`document.body.innerText`)), 1500))
}

// shot saves a screenshot as NAME.png in the folder RUNNER_E2E_SHOTS, if set.
func (b *browser) shot(name string) {
	b.t.Helper()
	if dir := os.Getenv("RUNNER_E2E_SHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b.screenshot(), 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// screenshot returns a PNG of the viewport.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var res struct{ Data string }
	b.decode(b.call("Page.captureScreenshot", map[string]any{"format": "png"}), &res)
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}
