// runner dashboard: the views of a search (random, halton, tpe, …): the
// parallel coordinates of its trials, the metric against each
// hyperparameter, and the importance table of runner analyze. The numbers
// come from the server (GET /api/sweeps/SWEEP/trials and /analysis, with
// internal/report's rules: the dimensions of the experiment file, the
// metric a run reached); this file only draws them and brushes.
//
// Loaded before app.js, whose helpers (h, s, api, $, state, …) it calls
// only once the page runs.
'use strict';

// search is the state of the views; resetSearch empties it for another sweep.
const search = {
  trials: null,       // GET trials, or null (not a search, or not loaded)
  axes: [],           // searchAxes() of the trials
  analysis: null,     // GET analysis, or null
  analysisError: '',  // why there is no analysis (too few trials, no run recorded the metric)
  metric: 'val_acc',
  metricSet: false,   // the user chose the metric: kept from sweep to sweep
  brushes: new Map(), // axis key (a dimension's name, or '@metric') -> [lo, hi] in the axis's own units (a choice: indices)
  byRun: new Map(),   // run id -> trial
  dragging: false,    // a brush is being dragged: redraws wait for its end
};

function resetSearch() {
  Object.assign(search, {trials: null, axes: [], analysis: null, analysisError: '', brushes: new Map(), byRun: new Map(), dragging: false});
  if (!search.metricSet) search.metric = 'val_acc';
}

// isSearch reports whether the sweep shown is a search: its trials draw
// hyperparameters (any method but the grid's).
function isSearch() {
  return !!(state.sweep && state.sweep.search && state.sweep.search !== 'grid');
}

const METRIC_KEY = '@metric';
const SEARCH_METRICS = [['val_acc', 'val acc'], ['test_acc', 'test acc'], ['train_acc', 'train acc'], ['train_loss', 'train loss']];

const METRIC_NAMES = {val_acc: 'Validation accuracy', test_acc: 'Test accuracy', train_acc: 'Training accuracy', train_loss: 'Training loss'};

function metricLabel(m) { return (SEARCH_METRICS.find(([v]) => v === m) || [m, m])[1]; }

// loadSearch fetches the trials and the analysis of a search (ranked by
// val_acc unless the user chooses: a search needs a validation split).
async function loadSearch() {
  if (!isSearch()) { Object.assign(search, {trials: null, axes: [], analysis: null}); return; }
  const id = state.sweep.id;
  const trials = await api(`sweeps/${id}/trials?metric=${search.metric}`);
  search.trials = trials;
  search.axes = searchAxes();
  search.byRun = new Map(trials.trials.map((t) => [t.run, t]));
  try {
    search.analysis = await api(`sweeps/${id}/analysis?metric=${search.metric}`);
    search.analysisError = '';
  } catch (e) {
    if (!(e instanceof APIError) || e.status !== 400) throw e;
    search.analysis = null;
    search.analysisError = e.message;
  }
}

async function reloadSearch() {
  try { await loadSearch(); } catch (e) { handleError(e); }
  renderSearch();
  renderRuns();
}

// ---------- axes ----------

// searchAxes are the axes of the parallel coordinates: one per
// dimension, then the metric. Each maps a value to [0, 1] (bottom to top)
// and back, and lists its ticks.
function searchAxes() {
  const t = search.trials;
  const axes = t.dims.map((d, i) => {
    const ax = {key: d.name, label: d.name, dim: d, index: i, scale: d.scale, value: (tr) => tr.values[i]};
    if (d.scale === 'choice') {
      const n = d.choices.length;
      ax.lo = -0.5; ax.hi = n - 0.5;
      ax.ticks = d.choices.map((c, k) => [k, c]);
    } else {
      ax.lo = d.low; ax.hi = d.high;
      const ticks = d.scale === 'log' ? logTicks(d.low, d.high) : niceTicks(d.low, d.high, 5).filter((v) => v >= d.low && v <= d.high);
      ax.ticks = ticks.map((v) => [v, fmtTick(v, d.scale === 'log')]);
      // Over three decades or more, a log axis labels its powers of ten only.
      const powers = ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
      if (d.scale === 'log' && powers.length >= 3) ax.ticks = ticks.map((v) => [v, powers.includes(v) ? fmtTick(v, true) : '']);
    }
    return ax;
  });
  // The metric's axis spans the values reached (a fraction for accuracies).
  const ms = t.trials.map((tr) => tr.metric).filter(isNum);
  let lo = ms.length ? Math.min(...ms) : 0, hi = ms.length ? Math.max(...ms) : 1;
  if (lo === hi) { lo -= 0.05; hi += 0.05; }
  const pad = (hi - lo) * 0.03;
  const m = {key: METRIC_KEY, label: metricLabel(t.metric) + ' (best)', scale: 'linear', lo: lo - pad, hi: hi + pad, value: (tr) => tr.metric, metric: true};
  m.ticks = niceTicks(m.lo, m.hi, 5).filter((v) => v >= m.lo && v <= m.hi).map((v) => [v, t.metric === 'train_loss' ? fmtLoss(v) : v.toFixed(2)]);
  axes.push(m);
  for (const ax of axes) {
    const log = ax.scale === 'log';
    const a = log ? Math.log10(ax.lo) : ax.lo, b = log ? Math.log10(ax.hi) : ax.hi;
    ax.norm = (v) => ((log ? Math.log10(v) : v) - a) / (b - a);
    ax.denorm = (u) => { const x = a + u * (b - a); return log ? Math.pow(10, x) : x; };
    ax.missing = t.trials.some((tr) => !isNum(ax.value(tr)));
  }
  return axes;
}

// fmtTick formats a tick: below 0.001 on a log axis as 1e-6, 2e-4.
function fmtTick(v, log) {
  if (log && v > 0 && (v < 1e-3 || v >= 1e5)) {
    const e = Math.floor(Math.log10(v) + 1e-9), m = +(v / Math.pow(10, e)).toPrecision(3);
    return (m === 1 ? '1' : m) + 'e' + e;
  }
  return num3s(v);
}

// inBrush reports whether a trial's value on an axis lies in [lo, hi]; a
// trial without a value on the axis (a field of another optimizer, a run
// without the metric) is outside every brush of it.
function inBrush(ax, tr, [lo, hi]) {
  const v = ax.value(tr);
  return isNum(v) && v >= lo && v <= hi;
}

// brushedTrial reports whether a trial lies inside every brush.
function brushedTrial(tr, axes) {
  for (const ax of axes) {
    const b = search.brushes.get(ax.key);
    if (b && !inBrush(ax, tr, b)) return false;
  }
  return true;
}

// runInBrushes is the run table's filter: true for every run when there
// is no brush, or when the sweep is not a search.
function runInBrushes(run) {
  if (!search.trials || search.brushes.size === 0) return true;
  const tr = search.byRun.get(run.id);
  return !!tr && brushedTrial(tr, search.axes);
}

// setBrush brushes [lo, hi] (in the axis's units; a choice's are its
// indices) on the axis named key, or clears it with lo null; the run
// table, the lines and the scatters follow. The page's drag calls it, and
// so can a script.
function setBrush(key, lo, hi) {
  if (lo === null || lo === undefined) search.brushes.delete(key);
  else search.brushes.set(key, [Math.min(lo, hi), Math.max(lo, hi)]);
  renderSearch();
  renderRuns();
}

// metricColor maps a metric's value to a colour from dark purple (worst)
// to yellow (best), as viridis; grey for none.
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function metricColor(v, lo, hi, higher) {
  if (!isNum(v)) return '#b8c2cf';
  let u = hi > lo ? (v - lo) / (hi - lo) : 1;
  if (!higher) u = 1 - u;
  u = Math.min(1, Math.max(0, u)) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(u), VIRIDIS.length - 2), f = u - i;
  const c = VIRIDIS[i].map((x, k) => Math.round(x + f * (VIRIDIS[i + 1][k] - x)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function metricRange() {
  const ms = search.trials.trials.map((tr) => tr.metric).filter(isNum);
  return ms.length ? [Math.min(...ms), Math.max(...ms)] : [0, 1];
}

// ---------- the card ----------

function searchCard() {
  return h('div', {class: 'card', id: 'search'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Search'),
      h('span', {class: 'muted', id: 'search-count'}),
      h('span', {class: 'spacer'}),
      h('button', {id: 'clear-brushes', onclick: () => { search.brushes.clear(); renderSearch(); renderRuns(); }}, 'clear brushes'),
      h('label', {class: 'control'}, 'metric', h('select', {id: 'search-metric', onchange: (e) => {
        search.metric = e.target.value; search.metricSet = true; search.brushes.delete(METRIC_KEY); reloadSearch();
      }}, SEARCH_METRICS.map(([v, l]) => h('option', {value: v}, l))))),
    h('div', {class: 'card-body'},
      h('h3', {class: 'sub'}, 'Parallel coordinates ', h('span', {class: 'muted'}, '· drag along an axis to brush, click it to clear; the run table shows the runs inside every brush')),
      h('div', {id: 'parcoords'}),
      h('div', {class: 'colorbar', id: 'search-colorbar'})),
    h('div', {class: 'card-body'},
      h('h3', {class: 'sub', id: 'scatters-title'}),
      h('div', {class: 'scatter-grid', id: 'scatters'})),
    h('div', {class: 'card-body flush'},
      h('h3', {class: 'sub pad'}, 'Importance ', h('span', {class: 'muted', id: 'importance-method'})),
      h('div', {class: 'table-scroll', id: 'importance'}),
      h('ul', {class: 'notes warn', id: 'importance-warnings', hidden: true})));
}

function renderSearch() {
  const card = $('#search');
  if (!card || search.dragging) return; // the drag's end draws

  const t = search.trials;
  if (!t) { $('#parcoords').replaceChildren(h('div', {class: 'chart-empty'}, 'Loading the trials…')); return; }
  $('#search-metric').value = search.metric;
  const axes = search.axes;
  const inside = t.trials.filter((tr) => brushedTrial(tr, axes));
  $('#search-count').textContent = `${t.search} · ${t.trials.length} runs, ${t.dims.length} hyperparameters` +
    (search.brushes.size ? ` · ${inside.length} inside the brushes` : '');
  $('#clear-brushes').disabled = search.brushes.size === 0;
  drawParcoords($('#parcoords'), axes);
  drawColorbar($('#search-colorbar'));
  $('#scatters-title').replaceChildren(`${METRIC_NAMES[t.metric] || t.metric} (the best of each run) against each hyperparameter `,
    h('span', {class: 'muted'}, '· a point per run, log x axes where the distribution is'));
  drawScatters($('#scatters'), axes);
  renderImportance();
}

// ---------- parallel coordinates ----------

function drawParcoords(box, axes) {
  const t = search.trials;
  const naGap = axes.some((ax) => ax.missing) ? 22 : 0; // the slot below the axes for the runs without a value on one
  const M = {l: 70, r: 70, t: 34, b: 10};
  const W = Math.max(box.clientWidth || 900, 480), H = M.t + 280 + naGap + M.b;
  const y0 = M.t, y1 = H - M.b - naGap;
  const step = (W - M.l - M.r) / Math.max(axes.length - 1, 1);
  const ax_x = (i) => M.l + i * step;
  const yOf = (ax, v) => isNum(v) ? y1 - (y1 - y0) * ax.norm(v) : H - M.b;
  const [mlo, mhi] = metricRange();

  const svg = s('svg', {class: 'chart parcoords', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'parallel coordinates of the trials'});
  const lines = s('g', {class: 'pc-lines'});
  // The best lines on top: drawn last.
  const order = t.trials.slice().sort((a, b) => {
    const va = isNum(a.metric) ? a.metric : -Infinity, vb = isNum(b.metric) ? b.metric : -Infinity;
    return t.higher_is_better ? va - vb : vb - va;
  });
  const outs = [], ins = [];
  for (const tr of order) {
    const d = axes.map((ax, i) => `${i ? 'L' : 'M'}${ax_x(i).toFixed(1)},${yOf(ax, ax.value(tr)).toFixed(1)}`).join('');
    const inside = brushedTrial(tr, axes);
    const title = `run ${tr.run} (${tr.status}): ` + axes.map((ax) => `${ax.label}=${fmtAxisValue(ax, ax.value(tr))}`).join(' ');
    const p = s('path', {class: 'pc-line' + (inside ? '' : ' out'), d, stroke: inside ? metricColor(tr.metric, mlo, mhi, t.higher_is_better) : null,
      dataset: {run: tr.run}}, s('title', {}, title));
    (inside ? ins : outs).push(p);
  }
  lines.append(...outs, ...ins);
  svg.append(lines);

  axes.forEach((ax, i) => {
    const x = ax_x(i);
    const g = s('g', {class: 'pc-axis' + (ax.metric ? ' metric' : ''), dataset: {key: ax.key}});
    g.append(s('line', {class: 'pc-axis-line', x1: x, x2: x, y1: y0, y2: y1}));
    // The last axis's ticks on its right, outside the lines.
    const side = i === axes.length - 1 ? 1 : -1, anchor = side > 0 ? 'start' : 'end';
    for (const [v, label] of ax.ticks) {
      const y = yOf(ax, v);
      g.append(s('line', {class: 'pc-tick', x1: x + (label ? 4 : 2) * side, x2: x, y1: y, y2: y}));
      if (label) g.append(s('text', {class: 'pc-tick-label', x: x + 9 * side, y: y + 3.5, 'text-anchor': anchor}, label));
    }
    if (ax.missing) g.append(s('text', {class: 'pc-tick-label na', x: x + 9 * side, y: H - M.b + 3.5, 'text-anchor': anchor}, ax.metric ? 'none' : 'n/a'));
    const scaleNote = ax.scale === 'log' ? ' (log)' : '';
    g.append(s('text', {class: 'pc-label', x, y: M.t - 16, 'text-anchor': 'middle'}, ax.label + scaleNote));
    const b = search.brushes.get(ax.key);
    if (b) {
      const ya = yOf(ax, b[1]), yb = yOf(ax, b[0]);
      g.append(s('rect', {class: 'pc-brush', x: x - 6, y: Math.max(y0, ya), width: 12, height: Math.max(2, Math.min(y1, yb) - Math.max(y0, ya)),
        dataset: {lo: b[0], hi: b[1]}}));
    }
    // The strip along the axis that takes the drag.
    const hit = s('rect', {class: 'pc-hit', x: x - 14, y: y0 - 6, width: 28, height: y1 - y0 + 12, dataset: {key: ax.key}});
    brushable(hit, svg, ax, y0, y1);
    g.append(hit);
    svg.append(g);
  });
  box.replaceChildren(svg);
}

// brushable makes a drag along an axis's strip brush the range it
// covers; a click without a drag clears the axis's brush.
function brushable(hit, svg, ax, y0, y1) {
  const toY = (ev) => {
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return Math.min(y1, Math.max(y0, p.y));
  };
  const toValue = (y) => ax.denorm((y1 - y) / (y1 - y0));
  hit.addEventListener('pointerdown', (ev) => {
    ev.preventDefault();
    hit.setPointerCapture(ev.pointerId);
    search.dragging = true;
    const start = toY(ev);
    let end = start;
    const preview = s('rect', {class: 'pc-brush preview', x: +hit.getAttribute('x') + 8, y: start, width: 12, height: 0});
    hit.parentNode.insertBefore(preview, hit);
    const move = (e) => {
      end = toY(e);
      preview.setAttribute('y', Math.min(start, end));
      preview.setAttribute('height', Math.abs(end - start));
    };
    const up = (e) => {
      hit.removeEventListener('pointermove', move);
      hit.removeEventListener('pointerup', up);
      hit.removeEventListener('pointercancel', up);
      end = toY(e);
      search.dragging = false;
      if (Math.abs(end - start) < 3) setBrush(ax.key, null);
      else setBrush(ax.key, toValue(Math.max(start, end)), toValue(Math.min(start, end)));
    };
    hit.addEventListener('pointermove', move);
    hit.addEventListener('pointerup', up);
    hit.addEventListener('pointercancel', up);
  });
}

function fmtAxisValue(ax, v) {
  if (!isNum(v)) return '–';
  if (ax.dim && ax.dim.scale === 'choice') return ax.dim.choices[v];
  if (ax.metric) return fmtMetric(search.trials.metric, v);
  return num3s(v);
}

function drawColorbar(box) {
  const t = search.trials;
  const [lo, hi] = metricRange();
  const bar = h('span', {class: 'bar'});
  const stops = [0, 0.25, 0.5, 0.75, 1].map((u) => metricColor(lo + u * (hi - lo), lo, hi, true));
  bar.style.background = `linear-gradient(to right, ${t.higher_is_better ? stops.join(', ') : stops.reverse().join(', ')})`;
  box.replaceChildren(h('span', {class: 'muted'}, `coloured by ${metricLabel(t.metric)}`), h('span', {}, fmtMetric(t.metric, lo)), bar, h('span', {}, fmtMetric(t.metric, hi)),
    h('span', {class: 'muted'}, '· grey: outside the brushes'));
}

// ---------- scatters ----------

function drawScatters(box, axes) {
  const t = search.trials;
  const metric = axes[axes.length - 1];
  const [mlo, mhi] = metricRange();
  const panels = axes.slice(0, -1).map((ax) => {
    const W = 300, H = 220, M = {l: 46, r: 10, t: 10, b: 36};
    const tx = (v) => M.l + (W - M.l - M.r) * ax.norm(v);
    const ty = (v) => M.t + (H - M.t - M.b) * (1 - metric.norm(v));
    const grid = s('g', {class: 'grid'}), axis = s('g', {class: 'axis'}), pts = s('g', {class: 'sc-pts'});
    for (const [v, label] of metric.ticks) {
      const y = ty(v).toFixed(1);
      grid.append(s('line', {x1: M.l, x2: W - M.r, y1: y, y2: y}));
      axis.append(s('text', {x: M.l - 6, y: +y + 3.5, 'text-anchor': 'end'}, label));
    }
    // The labelled ticks; every other one when they crowd.
    const labelled = ax.ticks.filter(([, label]) => label);
    const xt = labelled.length > 6 ? labelled.filter((_, k) => k % 2 === 0) : labelled;
    for (const [v, label] of xt) {
      const x = tx(v).toFixed(1);
      grid.append(s('line', {x1: x, x2: x, y1: M.t, y2: H - M.b}));
      axis.append(s('text', {x, y: H - M.b + 14, 'text-anchor': 'middle'}, label));
    }
    axis.append(s('line', {x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b}));
    axis.append(s('text', {class: 'axis-label', x: (M.l + W - M.r) / 2, y: H - 5, 'text-anchor': 'middle'}, ax.label + (ax.scale === 'log' ? ' (log scale)' : '')));
    let n = 0;
    const outs = [], ins = [];
    for (const tr of t.trials) {
      const v = ax.value(tr);
      if (!isNum(v) || !isNum(tr.metric)) continue;
      n++;
      // A choice's points spread across its slot, by run id: the same place on every draw.
      const jitter = ax.scale === 'choice' ? (((tr.run * 0.6180339887) % 1) - 0.5) * 0.5 : 0;
      const inside = brushedTrial(tr, axes);
      const c = s('circle', {class: 'sc-pt' + (inside ? '' : ' out'), cx: tx(v + jitter).toFixed(1), cy: ty(tr.metric).toFixed(1), r: 4,
        fill: inside ? metricColor(tr.metric, mlo, mhi, t.higher_is_better) : null, dataset: {run: tr.run}},
      s('title', {}, `run ${tr.run}: ${ax.label}=${fmtAxisValue(ax, v)}, ${metricLabel(t.metric)} ${fmtMetric(t.metric, tr.metric)}`));
      (inside ? ins : outs).push(c);
    }
    pts.append(...outs, ...ins);
    const svg = s('svg', {class: 'chart scatter', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${metricLabel(t.metric)} by ${ax.label}`}, grid, axis, pts);
    return h('div', {class: 'sc-panel', dataset: {key: ax.key, points: n}}, h('div', {class: 'sc-title'}, h('b', {}, ax.label),
      h('span', {class: 'muted'}, ax.dim.dist ? ` ${ax.dim.dist}` : ' choice')), svg);
  });
  box.replaceChildren(...panels);
}

// ---------- importance ----------

function renderImportance() {
  const a = search.analysis;
  const box = $('#importance');
  const warns = $('#importance-warnings');
  if (!a) {
    $('#importance-method').textContent = '';
    box.replaceChildren(h('div', {class: 'empty'}, search.analysisError || 'No analysis.'));
    warns.hidden = true;
    return;
  }
  $('#importance-method').textContent = `· ${a.method} over ${a.trials} configurations (seeds pooled), the best ${a.top} against the rest, as runner analyze`;
  const fmt = (v, p) => isNum(v) ? fmtTick(v, p.dist === 'log_uniform') : '–';
  const warned = new Set(a.bounds.map((b) => b.param));
  const rows = a.params.map((p) => {
    const bar = h('span', {class: 'imp-bar'});
    bar.style.width = (100 * Math.max(0, p.importance)) + '%';
    const best = p.choices
      ? p.choices.map((c, k) => `${c}: ${(p.best_counts || [])[k] || 0}`).join(', ')
      : `${fmt(p.best_low, p)} – ${fmt(p.best_high, p)}`;
    const space = p.choices ? p.choices.join(', ') : `${p.dist} [${fmt(p.low, p)}, ${fmt(p.high, p)}]`;
    return h('tr', {dataset: {param: p.name}, class: warned.has(p.name) ? 'warned' : ''},
      h('td', {class: 'name'}, p.name, warned.has(p.name) ? h('span', {class: 'warn-mark', title: 'the best trials crowd a bound'}, ' ⚠') : null),
      h('td', {class: 'num imp'}, h('span', {class: 'imp-cell'}, bar), h('span', {class: 'imp-val'}, (100 * p.importance).toFixed(1) + '%')),
      h('td', {class: 'num'}, best),
      h('td', {class: 'muted'}, space),
      h('td', {class: 'num'}, p.trials));
  });
  box.replaceChildren(h('table', {id: 'importance-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'hyperparameter'), h('th', {class: 'num'}, 'importance'),
      h('th', {class: 'num', title: 'the values (or, for a choice, the counts) of the best configurations'}, 'best range'),
      h('th', {}, 'searched'), h('th', {class: 'num', title: 'configurations that set it'}, 'trials'))),
    h('tbody', {}, rows)));
  warns.hidden = a.warnings.length === 0;
  warns.replaceChildren(...a.warnings.map((w) => h('li', {}, w)));
}
