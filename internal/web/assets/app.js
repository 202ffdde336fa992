// runner dashboard: a single-page app over the JSON API of `runner serve`.
// No dependencies; the charts are SVG drawn here. Every string from the
// database reaches the page as text (textContent), never as HTML.
'use strict';

// ---------- DOM helpers ----------

// h builds an HTML element: h('td', {class: 'num'}, 'text', child, ...).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVGNS = 'http://www.w3.org/2000/svg';

// s builds an SVG element.
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const $ = (sel, root = document) => root.querySelector(sel);

// ---------- formatting ----------

const isNum = (v) => typeof v === 'number' && isFinite(v);

function fmtAcc(v) { return isNum(v) ? v.toFixed(4) : '–'; }
function fmtLoss(v) { return isNum(v) ? (v >= 100 ? v.toFixed(1) : v.toPrecision(4)) : '–'; }
function fmtParam(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(+v.toPrecision(6));
  return String(v);
}
function fmtMetric(metric, v) { return metric === 'train_loss' ? fmtLoss(v) : fmtAcc(v); }
function fmtSeconds(v) {
  if (!isNum(v)) return '–';
  if (v < 60) return v.toFixed(1) + ' s';
  if (v < 3600) return Math.floor(v / 60) + ' min ' + Math.round(v % 60) + ' s';
  return Math.floor(v / 3600) + ' h ' + Math.round((v % 3600) / 60) + ' min';
}
function parseTime(t) { const d = t ? new Date(t) : null; return d && !isNaN(d) ? d : null; }
function fmtWhen(t) {
  const d = parseTime(t);
  if (!d) return '–';
  const ago = (Date.now() - d) / 1000;
  let rel;
  if (ago < 45) rel = 'just now';
  else if (ago < 3600) rel = Math.round(ago / 60) + ' min ago';
  else if (ago < 86400) rel = Math.round(ago / 3600) + ' h ago';
  else rel = Math.round(ago / 86400) + ' d ago';
  const pad = (n) => String(n).padStart(2, '0');
  const abs = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${abs} · ${rel}`;
}
function duration(a, b) {
  const da = parseTime(a), db = parseTime(b) || new Date();
  return da ? fmtSeconds((db - da) / 1000) : '–';
}
function capitalize(t) { return t ? t[0].toUpperCase() + t.slice(1) : ''; }
function badge(status) { return h('span', {class: 'badge ' + (status || '')}, status || 'unknown'); }

// ---------- API ----------

class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path) {
  let resp;
  try {
    resp = await fetch('/api/' + path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  } catch (e) {
    throw new APIError(0, 'the server cannot be reached (is runner serve still running?)');
  }
  let body = null;
  try { body = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) throw new APIError(resp.status, (body && body.error) || resp.statusText);
  return body;
}

// ---------- state ----------

const state = {
  route: null,          // {view: 'list'} | {view: 'sweep', id, run}
  sweeps: [],
  sweep: null,          // the sweep shown
  runs: [],             // its runs
  columns: [],
  varying: [],
  epochs: new Map(),    // run id -> epochs columns
  means: [],            // mean ± sd per configuration of the selected runs, as the API gives it
  selected: new Set(),
  autoSelect: true,     // select every run (new ones too) until the user chooses
  colorBy: null,
  lines: 'runs',        // 'runs' | 'mean'
  accMetric: 'test_acc',
  skip0: false,         // leave out epoch 0 from the curves
  filter: '',
  statusFilter: '',
  sort: {key: 'id', dir: 1},
  varyingOnly: false,
  groups: null,
  groupMetric: 'test_acc',
  groupMetricSet: false, // the user chose the metric: kept from sweep to sweep
  groupBest: false,
  groupVs: '',
  groupsNote: '',       // why the comparison changed by itself (the compared sweep is gone)
  isFunction: false,    // the sweep has runs on objective functions: it shows their trajectories
  paths: null,          // the paths of the selected runs on functions and the functions' grids, as the API gives them
  pathsMode: 'panels',  // 'panels' (one per configuration) | 'overlay' (one per function)
  layerEpoch: null,     // the epoch the drawer's layer histograms show; null: the latest
  version: 0,
};

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#86bcb6'];

// ---------- routing ----------

function parseRoute() {
  const m = location.hash.match(/^#\/sweeps\/([^/]+)(?:\/runs\/(\d+))?$/);
  if (!m) return {view: 'list'};
  let id;
  try { id = decodeURIComponent(m[1]); } catch (e) { return {view: 'bad', hash: location.hash}; }
  return {view: 'sweep', id, run: m[2] ? +m[2] : null};
}

async function onRoute() {
  const prev = state.route;
  state.route = parseRoute();
  if (state.route.view === 'sweep') {
    if (!prev || prev.view !== 'sweep' || prev.id !== state.route.id) {
      resetSweepState();
      await loadSweep(true);
    }
    showDrawer(state.route.run);
  } else if (state.route.view === 'bad') {
    showDrawer(null);
    showNotFound('no sweep has the address ' + state.route.hash);
  } else {
    showDrawer(null);
    await loadList();
  }
}

function showNotFound(msg) {
  $('#app').replaceChildren(h('div', {class: 'card'}, h('div', {class: 'empty', id: 'not-found'},
    msg, ' · ', h('a', {href: '#/'}, 'all sweeps'))));
}

function resetSweepState() {
  sweepGen++;
  Object.assign(state, {
    sweep: null, runs: [], epochs: new Map(), means: [], selected: new Set(), autoSelect: true, isFunction: false, paths: null,
    colorBy: null, filter: '', statusFilter: '', sort: {key: 'id', dir: 1}, groups: null, groupVs: '', groupsNote: '',
  });
  resetSearch();
  lrfind.data = null;
}

// ---------- errors ----------

function showBanner(msg) {
  const b = $('#banner');
  if (!msg) { b.hidden = true; b.textContent = ''; return; }
  b.hidden = false;
  b.textContent = msg;
}

function handleError(e) {
  if (e instanceof APIError && e.status === 503) {
    showBanner(capitalize(e.message) + '. The page will update when it is back.');
  } else if (e instanceof APIError && e.status === 0) {
    showBanner(e.message);
  } else {
    showBanner('Error: ' + e.message);
  }
}

// ---------- sweep list ----------

async function loadList() {
  let data;
  try {
    data = await api('sweeps');
  } catch (e) {
    handleError(e);
    return;
  }
  showBanner(null);
  state.sweeps = data.sweeps;
  if (state.route.view !== 'list') return;
  renderList();
}

function progressBar(sw, cls) {
  const total = Math.max(sw.runs_total, 1);
  const r = sw.runs || {};
  const bar = h('div', {class: 'progress ' + (cls || '')});
  const seg = (n, c) => {
    if (!n) return;
    const el = h('span', {class: c});
    el.style.width = (100 * n / total) + '%';
    bar.append(el);
  };
  seg(r.done, 'p-done');
  seg((r.diverged || 0) + (r.failed || 0), 'p-bad');
  seg((r.interrupted || 0) + (r.pruned || 0), 'p-other');
  // A running run counts for the share of its epochs already recorded.
  seg(r.running, 'p-running');
  return bar;
}

function renderList() {
  const app = $('#app');
  const rows = state.sweeps.map((sw) => h('tr', {class: 'clickable', dataset: {id: sw.id},
    onclick: (ev) => { if (!ev.target.closest('a')) location.hash = '#/sweeps/' + sw.id; }},
    h('td', {class: 'num muted'}, sw.id),
    h('td', {class: 'name'}, h('a', {href: '#/sweeps/' + sw.id}, sw.name),
      sw.lrfind ? h('span', {class: 'tag', title: 'a learning-rate range test (runner lr-find): its run ends as the loss diverges'}, 'range test') : null),
    h('td', {class: 'desc', title: sw.description || ''}, sw.description || ''),
    h('td', {}, badge(sw.status)),
    h('td', {class: 'muted'}, fmtWhen(sw.started_at)),
    h('td', {class: 'num muted'}, duration(sw.started_at, sw.finished_at)),
    h('td', {}, h('div', {class: 'control'}, progressBar(sw, 'small-progress'),
      h('span', {class: 'num'}, `${sw.runs_done}/${sw.runs_total}`))),
    // A range test trains no model to rank: its suggested rate instead.
    sw.lrfind ? h('td', {class: 'num lr-cell', title: 'the learning rate the range test suggests'}, 'lr ', fmtG(sw.suggested_lr))
      : h('td', {class: 'num'}, isNum(sw.best_val_acc) ? ['val ', fmtAcc(sw.best_val_acc)] : fmtAcc(sw.best_test_acc)),
  ));
  const table = state.sweeps.length === 0
    ? h('div', {class: 'empty'}, 'No sweep yet. Train one with ', h('code', {}, 'runner run experiments/ch6.yaml'), '; it will appear here.')
    : h('div', {class: 'table-scroll'}, h('table', {class: 'sweeps', id: 'sweeps'},
      h('thead', {}, h('tr', {},
        h('th', {class: 'num'}, 'id'), h('th', {}, 'name'), h('th', {}, 'description'), h('th', {}, 'status'),
        h('th', {}, 'started'), h('th', {class: 'num'}, 'duration'), h('th', {}, 'runs done / total'),
        h('th', {class: 'num', title: 'the best final accuracy of a done run: validation accuracy where the sweep holds out validation images, as a search ranks its trials, else test accuracy; for a range test, the learning rate it suggests'}, 'best acc'))),
      h('tbody', {}, rows)));
  app.replaceChildren(
    h('div', {class: 'card'},
      h('div', {class: 'card-head'}, h('h2', {}, 'Sweeps'), h('span', {class: 'muted'}, `${state.sweeps.length} in the database, newest first`)),
      h('div', {class: 'card-body flush'}, table)));
}

// ---------- sweep view ----------

let loading = null;      // the load in flight
let loadAgain = false;   // a change arrived during it
let sweepGen = 0;        // bumped by resetSweepState: a load of an older page is dropped
let renderedId = null;   // the id of the sweep renderSweep last drew

async function loadSweep(first) {
  if (loading) { loadAgain = true; return loading; }
  if (!state.route || state.route.view !== 'sweep') return;
  loading = (async () => {
    const gen = sweepGen;
    const id = encodeURIComponent(state.route.id);
    // stale: the page changed (another sweep, or the same one reopened) during an await.
    const stale = () => gen !== sweepGen || state.route.view !== 'sweep' || encodeURIComponent(state.route.id) !== id;
    try {
      // A name stands for its latest sweep, which a new sweep of the name
      // replaces at any moment: it is resolved once, and every later
      // request of this page (runs, epochs, groups, …) names the sweep by
      // the id it resolved to, so that they all describe the same sweep.
      const sweep = await api('sweeps/' + id);
      if (stale()) return;
      const [runs, list] = await Promise.all([api('sweeps/' + sweep.id + '/runs'), api('sweeps')]);
      if (stale()) return;
      showBanner(null);
      // A name's latest sweep changed (a new one was started): its runs
      // are others, the selection starts again.
      if (state.sweep && state.sweep.id !== sweep.id) state.autoSelect = true;
      state.sweep = sweep;
      state.runs = runs.runs;
      state.columns = runs.columns;
      state.varying = runs.varying;
      state.sweeps = list.sweeps;
      state.isFunction = state.runs.some((r) => r.dataset === 'function');
      // A function's value is its runs' train_loss: compare that, unless the user chose.
      // A sweep with a validation split ranks on it, as a search ranks its trials.
      if (first && !state.groupMetricSet) state.groupMetric = state.isFunction ? 'train_loss' : rankMetric();
      if (!state.colorBy) state.colorBy = defaultColorBy();
      if (state.autoSelect) {
        state.selected = new Set(state.runs.length <= 60 ? state.runs.map((r) => r.id) : bestRuns(10));
      } else {
        const ids = new Set(state.runs.map((r) => r.id));
        state.selected = new Set([...state.selected].filter((x) => ids.has(x)));
      }
      // A range test has no curves over epochs nor configurations to compare: its own page.
      if (isLRFind()) await loadLRFind();
      else await Promise.all([loadEpochs(), loadPaths(), loadGroups(), loadSearch(), loadLRFind()]);
      if (stale()) return;
      // A load queued behind another sweep's finds that sweep's page (or
      // none) in place: draw the whole page, not only its parts.
      if (first || !$('#sweep-card') || renderedId !== sweep.id || state.isFunction !== !!$('#paths') || isSearch() !== !!$('#search') || isLRFind() !== !!$('#lrfind')) renderSweep(); else refreshSweep();
    } catch (e) {
      if (stale()) return;
      if (e instanceof APIError && e.status === 404 && (first || !$('#sweep-card'))) {
        showNotFound(e.message);
      } else {
        handleError(e);
      }
    }
  })();
  try { await loading; } finally {
    loading = null;
    // After a load dropped for a new page, the queued load is that page's first.
    if (loadAgain) { loadAgain = false; loadSweep(!state.sweep); }
  }
}

// rankMetric is the metric runs are ranked by: val_acc where a run holds
// out validation images, else test_acc.
function rankMetric() {
  return state.runs.some((r) => isNum(r.final.val_acc)) ? 'val_acc' : 'test_acc';
}

// compareMetric makes a comparison with another sweep use test_acc, which
// every sweep has, where val_acc was only the default (the other sweep may
// hold out no validation images); a metric the user chose is kept.
function compareMetric() {
  if (state.groupVs && !state.groupMetricSet && state.groupMetric === 'val_acc') state.groupMetric = 'test_acc';
}

function bestRuns(n) {
  const m = rankMetric();
  return [...state.runs].sort((a, b) => (b.final[m] ?? -1) - (a.final[m] ?? -1)).slice(0, n).map((r) => r.id);
}

function defaultColorBy() {
  const v = state.varying.filter((c) => c !== 'seed');
  if (v.includes('optimizer')) return 'optimizer';
  if (v.length) return v[0];
  return 'group';
}

let epochsSeq = 0; // answers to older requests are dropped: selections change fast

// runsParam is the selection as ?runs= takes it: ranges of runs that
// follow each other in the sweep, such as 1-8,11,13-16.
function runsParam() {
  const parts = [];
  let first = null, last = null;
  const flush = () => {
    if (first !== null) parts.push(first === last ? String(first) : `${first}-${last}`);
    first = null;
  };
  for (const r of state.runs) {
    if (!state.selected.has(r.id)) { flush(); continue; }
    if (first === null) first = r.id;
    last = r.id;
  }
  flush();
  return parts.join(',');
}

// loadEpochs fetches the epochs of the selected runs and, computed by the
// server, their mean ± sd per configuration.
async function loadEpochs() {
  const seq = ++epochsSeq;
  const q = runsParam();
  if (q === '') { state.epochs = new Map(); state.means = []; return; }
  const data = await api('sweeps/' + state.sweep.id + '/epochs?runs=' + q);
  if (seq === epochsSeq) {
    state.epochs = new Map(data.runs.map((r) => [r.id, r]));
    state.means = data.means;
  }
}

async function loadGroups() {
  const id = state.sweep.id;
  let q = `metric=${state.groupMetric}&best=${state.groupBest ? 1 : 0}`;
  if (state.groupVs) q += '&vs=' + encodeURIComponent(state.groupVs);
  try {
    state.groups = await api(`sweeps/${id}/groups?${q}`);
    state.groupsError = null;
  } catch (e) {
    if (e instanceof APIError && e.status === 400) {
      state.groups = null;
      state.groupsError = e.message;
    } else if (e instanceof APIError && e.status === 404 && state.groupVs) {
      // The compared sweep is gone (deleted, pruned): compare with nothing,
      // say so, and offer the sweeps there are now. A 404 for the sweep
      // itself comes again without vs and goes up.
      const gone = state.groupVs;
      state.groupVs = '';
      state.groupsNote = `sweep #${gone} is no longer in the database: compared with nothing`;
      try { state.sweeps = (await api('sweeps')).sweeps; } catch (e2) { /* the list stays as it was */ }
      await loadGroups();
    } else {
      throw e;
    }
  }
}

// label names a run by the hyperparameters that vary in the sweep.
function runLabel(run, withSeed = true) {
  const parts = [];
  for (const c of state.varying) {
    if (c === 'seed' && !withSeed) continue;
    const v = run.params[c];
    if (v === null || v === undefined) continue;
    parts.push(c === 'optimizer' || c === 'schedule' ? fmtParam(v) : `${c}=${fmtParam(v)}`);
  }
  if (parts.length) return parts.join(' ');
  return withSeed ? 'run ' + run.id : 'all runs'; // one configuration: its runs differ in nothing but the seed
}

// colorBy is the colour-by choice the curves use: the mean lines pool the
// seeds of a configuration, so colouring them by seed or by run colours
// them by configuration instead.
function colorBy() {
  if (state.lines === 'mean' && (state.colorBy === 'seed' || state.colorBy === 'run')) return 'group';
  return state.colorBy;
}

// colorKey is the value of the colour-by choice for a run.
function colorKey(run) {
  const by = colorBy();
  if (by === 'group') return runLabel(run, false);
  if (by === 'run') return 'run ' + run.id;
  return fmtParam(run.params[by]) || '(none)';
}

// colorScale maps every value of the colour-by choice in the sweep (not
// only the selected runs, so that colours stay put) to a colour.
function colorScale() {
  const values = new Map();
  for (const r of state.runs) values.set(colorKey(r), r.params[colorBy()]);
  const keys = [...values.keys()];
  const numeric = keys.every((k) => typeof values.get(k) === 'number');
  keys.sort(numeric ? (a, b) => values.get(a) - values.get(b) : (a, b) => a.localeCompare(b, undefined, {numeric: true}));
  const m = new Map();
  keys.forEach((k, i) => m.set(k, i < PALETTE.length ? PALETTE[i] : `hsl(${(i * 137.5) % 360} 55% 48%)`));
  return m;
}

function renderSweep() {
  const sw = state.sweep;
  const app = $('#app');
  renderedId = sw.id;
  const spec = h('details', {class: 'card spec', id: 'spec'}, h('summary', {}, 'Spec ', h('span', {class: 'muted'}, sw.file || '')),
    h('pre', {}, sw.spec || '(no spec recorded)',
      sw.overrides && sw.overrides.length ? '\n# --set ' + sw.overrides.join(' --set ') : ''));
  if (isLRFind()) {
    app.replaceChildren(
      h('div', {class: 'crumbs'}, h('a', {href: '#/'}, 'Sweeps'), ' / ', sw.name),
      h('div', {class: 'card', id: 'sweep-card'}),
      lrfindCard(), lrRunCard(), spec);
    refreshSweep();
    return;
  }
  app.replaceChildren(
    h('div', {class: 'crumbs'}, h('a', {href: '#/'}, 'Sweeps'), ' / ', sw.name),
    h('div', {class: 'card', id: 'sweep-card'}),
    ...(state.isFunction ? [pathsCard()] : []),
    ...(isSearch() ? [searchCard()] : []),
    curvesCard(),
    runsCard(),
    groupsCard(),
    spec,
  );
  refreshSweep();
}

function refreshSweep() {
  renderSweepHead();
  if (isLRFind()) { renderLRFind(); return; }
  renderPaths();
  renderSearch();
  renderCurves();
  renderRuns();
  renderGroups();
}

function renderSweepHead() {
  const sw = state.sweep;
  const r = sw.runs || {};
  const counts = Object.entries(r).filter(([, n]) => n > 0).map(([st, n]) => `${n} ${st}`).join(', ');
  const pct = sw.epochs_total ? Math.round(100 * sw.epochs_done / sw.epochs_total) : 0;
  $('#sweep-card').replaceChildren(h('div', {class: 'sweep-head'},
    h('div', {},
      h('div', {class: 'sweep-title'}, h('h1', {}, sw.name), h('span', {class: 'id'}, '#' + sw.id), badge(sw.status)),
      sw.description ? h('p', {class: 'muted', style: null}, sw.description) : null,
      h('div', {class: 'meta'},
        h('span', {}, 'started ', h('b', {}, fmtWhen(sw.started_at))),
        h('span', {}, sw.finished_at ? 'took ' : 'running for ', h('b', {}, duration(sw.started_at, sw.finished_at))),
        sw.host ? h('span', {}, 'on ', h('b', {}, sw.host)) : null,
        sw.runner_version ? h('span', {}, 'runner ', h('b', {}, sw.runner_version)) : null,
        isNum(sw.best_test_acc) ? h('span', {}, 'best test acc ', h('b', {}, fmtAcc(sw.best_test_acc))) : null)),
    isLRFind()
      ? h('div', {class: 'lr-head'}, h('div', {class: 'muted'}, 'learning-rate range test · suggested rate'),
        h('div', {class: 'lr-suggested', id: 'lr-suggested'}, fmtG(sw.suggested_lr)))
      : h('div', {class: 'progress-wrap'},
        h('div', {class: 'progress-label'}, h('span', {}, `${sw.runs_done} of ${sw.runs_total} runs done`), h('span', {}, `${pct}% of epochs`)),
        progressBar(sw),
        h('div', {class: 'progress-label'}, h('span', {}, counts)))));
}

// ---------- curves ----------

function curvesCard() {
  return h('div', {class: 'card', id: 'curves'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Learning curves'),
      h('span', {class: 'muted', id: 'curves-count'}),
      h('span', {class: 'spacer'}),
      h('label', {class: 'control'}, 'colour by', h('select', {id: 'color-by', onchange: (e) => { state.colorBy = e.target.value; renderCurves(); renderRuns(); }})),
      h('span', {class: 'seg', id: 'lines-seg'},
        h('button', {dataset: {v: 'runs'}, onclick: () => { state.lines = 'runs'; renderCurves(); renderRuns(); }}, 'each run'),
        h('button', {dataset: {v: 'mean'}, onclick: () => { state.lines = 'mean'; renderCurves(); renderRuns(); }},
          'mean ± sd')),
      h('label', {class: 'control', id: 'acc-control'}, 'accuracy', h('select', {id: 'acc-metric', onchange: (e) => { state.accMetric = e.target.value; renderCurves(); }},
        h('option', {value: 'test_acc'}, 'test'), h('option', {value: 'val_acc'}, 'validation'), h('option', {value: 'train_acc'}, 'train'),
        h('option', {value: 'all'}, 'train + test'))),
      h('label', {class: 'control', title: state.isFunction ? 'leave out step 0, the start' : 'leave out epoch 0, the untrained network, to zoom in on training'},
        h('input', {type: 'checkbox', id: 'skip0', onchange: (e) => { state.skip0 = e.target.checked; renderCurves(); }}), state.isFunction ? 'from step 1' : 'from epoch 1')),
    h('div', {class: 'charts'},
      h('div', {class: 'chart-box'}, h('h3', {}, state.isFunction ? 'Function value f(x) ' : 'Training loss ', h('span', {class: 'muted'}, '(log scale)')), h('div', {id: 'chart-loss'})),
      h('div', {class: 'chart-box'}, h('h3', {id: 'acc-title'}, 'Test accuracy'), h('div', {id: 'chart-acc'}))),
    h('div', {class: 'legend', id: 'legend'}));
}

function renderCurves() {
  const sel = $('#color-by');
  const options = [...state.varying.filter((c) => c !== 'seed'), ...(state.varying.includes('seed') ? ['seed'] : [])];
  const opts = [...options.map((c) => [c, c]), ['group', 'configuration'], ['run', 'run']];
  if (!opts.some(([v]) => v === state.colorBy)) state.colorBy = opts[0][0];
  sel.replaceChildren(...opts.map(([v, label]) => h('option', {value: v, selected: v === state.colorBy}, label)));
  for (const b of $('#lines-seg').children) b.classList.toggle('on', b.dataset.v === state.lines);
  $('#acc-metric').value = state.accMetric;
  $('#skip0').checked = state.skip0;

  const colors = colorScale();
  const runs = state.runs.filter((r) => state.selected.has(r.id) && state.epochs.has(r.id));
  $('#curves-count').textContent = `${state.selected.size} of ${state.runs.length} runs selected`;

  // Runs on functions have no accuracy: their second chart is the
  // distance to the function's nearest minimum.
  const accMetric = state.isFunction ? 'distance' : state.accMetric;
  $('#acc-control').hidden = state.isFunction;
  const accMetrics = accMetric === 'all' ? ['test_acc', 'train_acc'] : [accMetric];
  const accNames = {test_acc: 'Test accuracy', val_acc: 'Validation accuracy', train_acc: 'Training accuracy', distance: 'Distance to the nearest minimum (log scale)'};
  $('#acc-title').textContent = accMetric === 'all' ? 'Accuracy (train dashed, test solid)' : accNames[accMetric];

  const series = (metric, dashed) => {
    if (state.lines === 'runs') {
      return runs.map((r) => {
        const e = state.epochs.get(r.id);
        return {color: colors.get(colorKey(r)), dashed, title: `run ${r.id}: ${runLabel(r)} (${r.status})`,
          points: e.epoch.map((x, i) => [x, e[metric][i]]).filter(([x]) => x > 0 || !state.skip0), runId: r.id};
      });
    }
    // One line per configuration (the API's group: the config without its
    // seed), the mean over its seeds as the server computed it; coloured
    // by the colour-by value its runs share, so that lines with the same
    // value share a colour.
    const byId = new Map(runs.map((r) => [r.id, r]));
    return state.means.filter((m) => byId.has(m.run_ids[0])).map((m) => {
      const run = byId.get(m.run_ids[0]);
      const st = m[metric];
      const pts = [], band = [];
      m.epoch.forEach((x, i) => {
        if ((x === 0 && state.skip0) || !isNum(st.mean[i])) return;
        const sd = isNum(st.sd[i]) ? st.sd[i] : 0; // one run: no spread
        pts.push([x, st.mean[i]]);
        band.push([x, st.mean[i] - sd, st.mean[i] + sd]);
      });
      const n = m.run_ids.length;
      return {color: colors.get(colorKey(run)), dashed, mean: true, points: pts, band,
        title: `${runLabel(run, false)}: mean of ${n} run${n > 1 ? 's' : ''}`};
    });
  };
  const loss = series('train_loss', false);
  const acc = accMetrics.flatMap((m) => series(m, accMetric === 'all' && m === 'train_acc'));
  const xLabel = state.isFunction ? 'step' : 'epoch';
  const logFmt = (v) => fmtParam(+v.toPrecision(3));
  drawChart($('#chart-loss'), loss, {log: true, xLabel, yLabel: state.isFunction ? 'f(x)' : 'train loss', fmt: logFmt});
  if (state.isFunction) drawChart($('#chart-acc'), acc, {log: true, xLabel, yLabel: 'distance', fmt: logFmt});
  else drawChart($('#chart-acc'), acc, {xLabel, yLabel: 'accuracy', fmt: (v) => v.toFixed(2).replace(/0$/, '')});

  const counts = new Map();
  for (const r of runs) counts.set(colorKey(r), (counts.get(colorKey(r)) || 0) + 1);
  const legend = $('#legend');
  legend.replaceChildren(...[...colors].filter(([k]) => counts.has(k)).map(([k, c]) => {
    const sw = h('span', {class: 'swatch'});
    sw.style.background = c;
    return h('span', {class: 'item'}, sw, k, h('span', {class: 'count'}, `(${counts.get(k)})`));
  }));
  if (accMetric === 'all') {
    legend.append(h('span', {class: 'item muted'}, h('span', {class: 'key-line'}), 'test', h('span', {class: 'key-line dashed'}), 'train'));
  }
}

// niceTicks returns about n round numbers spanning [lo, hi].
function niceTicks(lo, hi, n) {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

// logTicks returns the 1-2-5 (or, over a short span, every digit) multiples of powers of ten in [lo, hi].
function logTicks(lo, hi) {
  const out = [];
  const pick = (ms) => {
    out.length = 0;
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of ms) {
        const v = +(m * Math.pow(10, e)).toPrecision(12);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
  };
  pick([1, 2, 5]);
  if (out.length < 3) pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (out.length > 12) pick([1]);
  // Within less than a digit's step (a loss from 2.25 to 2.35): round
  // numbers, evenly spaced.
  if (out.length < 2) return niceTicks(lo, hi, 4).filter((v) => v >= lo && v <= hi && v > 0);
  return out;
}

// drawChart draws lines into box as an SVG chart: series are
// {color, points: [[x, y]], band?: [[x, lo, hi]], dashed, mean, title}.
function drawChart(box, series, opt) {
  const W = Math.max(box.clientWidth || 600, 320), H = 300;
  const M = {l: 54, r: 14, t: 10, b: 40};
  const ok = (y) => isNum(y) && (!opt.log || y > 0);
  const pts = series.flatMap((se) => se.points.filter(([x, y]) => isNum(x) && ok(y)));
  const bandPts = series.flatMap((se) => (se.band || []).flatMap(([x, a, b]) => [a, b].filter(ok)));
  if (pts.length === 0) {
    box.replaceChildren(h('div', {class: 'chart-empty'}, state.selected.size ? 'No epochs recorded yet for the selected runs.' : 'Select runs in the table below to draw their curves.'));
    return;
  }
  // Loops, not Math.min(...xs): a spread of a huge selection overflows the stack.
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of pts) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  for (const y of bandPts) {
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 === x1) { x0 -= 0.5; x1 += 0.5; }
  let tx, ty, yTicks;
  if (opt.log) {
    if (y0 === y1) { y0 /= 1.5; y1 *= 1.5; }
    const l0 = Math.log10(y0), l1 = Math.log10(y1), pad = (l1 - l0) * 0.04;
    const a = l0 - pad, b = l1 + pad;
    ty = (y) => M.t + (H - M.t - M.b) * (1 - (Math.log10(y) - a) / (b - a));
    yTicks = logTicks(Math.pow(10, a), Math.pow(10, b));
  } else {
    if (y0 === y1) { y0 -= 0.05; y1 += 0.05; }
    const pad = (y1 - y0) * 0.04;
    const a = y0 - pad, b = y1 + pad;
    ty = (y) => M.t + (H - M.t - M.b) * (1 - (y - a) / (b - a));
    yTicks = niceTicks(a, b, 6).filter((v) => v >= a && v <= b);
  }
  tx = (x) => M.l + (W - M.l - M.r) * (x - x0) / (x1 - x0);
  const xTicks = niceTicks(x0, x1, Math.min(10, Math.max(2, Math.round(x1 - x0)))).filter((v) => Number.isInteger(v) && v >= x0 && v <= x1);

  const grid = s('g', {class: 'grid'});
  const axis = s('g', {class: 'axis'});
  for (const v of yTicks) {
    const y = ty(v).toFixed(1);
    grid.append(s('line', {x1: M.l, x2: W - M.r, y1: y, y2: y}));
    axis.append(s('text', {x: M.l - 7, y: +y + 3.5, 'text-anchor': 'end'}, opt.fmt(v)));
  }
  for (const v of xTicks) {
    const x = tx(v).toFixed(1);
    grid.append(s('line', {x1: x, x2: x, y1: M.t, y2: H - M.b}));
    axis.append(s('text', {x, y: H - M.b + 16, 'text-anchor': 'middle'}, v));
  }
  axis.append(s('line', {x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b}));
  axis.append(s('text', {class: 'axis-label', x: (M.l + W - M.r) / 2, y: H - 6, 'text-anchor': 'middle'}, opt.xLabel));
  axis.append(s('text', {class: 'axis-label', x: -(M.t + H - M.b) / 2, y: 13, transform: 'rotate(-90)', 'text-anchor': 'middle'}, opt.yLabel));

  const lines = s('g', {class: 'lines'});
  for (const se of series) {
    if (se.band && se.band.length > 1) {
      const bp = se.band.filter(([x, a, b]) => ok(a) && ok(b));
      if (bp.length > 1) {
        const d = 'M' + bp.map(([x, a, b]) => `${tx(x).toFixed(1)},${ty(b).toFixed(1)}`).join('L') +
          'L' + bp.slice().reverse().map(([x, a]) => `${tx(x).toFixed(1)},${ty(a).toFixed(1)}`).join('L') + 'Z';
        lines.append(s('path', {class: 'band', d, fill: se.color}));
      }
    }
    // A NaN or infinite value (a diverged run) breaks the line.
    let d = '', pen = false;
    for (const [x, y] of se.points) {
      if (!ok(y)) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + tx(x).toFixed(1) + ',' + ty(y).toFixed(1);
      pen = true;
    }
    if (!d) continue;
    const cls = 'line' + (se.mean ? ' mean' : '') + (se.dashed ? ' dashed' : '');
    lines.append(s('path', {class: cls, d, stroke: se.color, dataset: se.runId ? {run: se.runId} : null}, s('title', {}, se.title)));
    const good = se.points.filter(([, y]) => ok(y));
    if (good.length === 1) {
      const [x, y] = good[0];
      lines.append(s('circle', {class: 'pt', cx: tx(x), cy: ty(y), r: 3.5, fill: se.color}, s('title', {}, se.title)));
    }
  }
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opt.yLabel + ' by ' + opt.xLabel}, grid, axis, lines);
  box.replaceChildren(svg);
}

// ---------- trajectories ----------

let pathsSeq = 0; // as epochsSeq

// loadPaths fetches, for a sweep of runs on functions, the paths of the
// selected runs and their functions' contour grids, computed by the server.
async function loadPaths() {
  const seq = ++pathsSeq;
  const q = runsParam();
  if (!state.isFunction || q === '') { state.paths = null; return; }
  const data = await api('sweeps/' + state.sweep.id + '/paths?runs=' + q);
  if (seq === pathsSeq) state.paths = data;
}

function pathsCard() {
  return h('div', {class: 'card', id: 'paths'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Trajectories'),
      h('span', {class: 'muted', id: 'paths-count'}),
      h('span', {class: 'spacer'}),
      h('span', {class: 'seg', id: 'paths-seg'},
        h('button', {dataset: {v: 'panels'}, title: 'one panel per configuration, as the book\'s figure 6-8',
          onclick: () => { state.pathsMode = 'panels'; renderPaths(); }}, 'a panel each'),
        h('button', {dataset: {v: 'overlay'}, title: 'every path on its function in one panel',
          onclick: () => { state.pathsMode = 'overlay'; renderPaths(); }}, 'together'))),
    h('div', {class: 'traj-grid', id: 'traj'}),
    h('div', {class: 'legend', id: 'traj-legend'}));
}

// lastFinite returns the last i at which every one of cols is a number, or -1.
function lastFinite(...cols) {
  for (let i = cols[0].length - 1; i >= 0; i--) if (cols.every((c) => isNum(c[i]))) return i;
  return -1;
}

function renderPaths() {
  const box = $('#traj');
  if (!box) return;
  for (const b of $('#paths-seg').children) b.classList.toggle('on', b.dataset.v === state.pathsMode);
  box.classList.toggle('overlay', state.pathsMode === 'overlay');
  const data = state.paths;
  const byId = new Map(state.runs.map((r) => [r.id, r]));
  const paths = data ? data.runs.filter((p) => byId.has(p.id)) : [];
  $('#paths-count').textContent = `${paths.length} path${paths.length === 1 ? '' : 's'} · filled contours of f on log-spaced levels`;
  const legend = $('#traj-legend');
  legend.replaceChildren();
  if (!paths.length) {
    box.replaceChildren(h('div', {class: 'chart-empty traj-empty'}, state.selected.size
      ? 'None of the selected runs is on a function.' : 'Select runs in the table below to draw their paths.'));
    return;
  }
  const fns = new Map(data.functions.map((f) => [f.key, f]));
  const colors = colorScale();
  // Panels: one per configuration (its seeds together), or one per function.
  const panels = [];
  const index = new Map();
  for (const p of paths) {
    const k = state.pathsMode === 'overlay' ? 'f:' + p.function : 'g:' + p.group;
    if (!index.has(k)) {
      index.set(k, panels.length);
      panels.push({fn: fns.get(p.function), paths: []});
    }
    panels[index.get(k)].paths.push(p);
  }
  const counts = new Map();
  box.replaceChildren(...panels.map((pn) => {
    const runs = pn.paths.map((p) => byId.get(p.id));
    for (const r of runs) counts.set(colorKey(r), (counts.get(colorKey(r)) || 0) + 1);
    const lines = pn.paths.map((p, i) => ({path: p, run: runs[i], color: colors.get(colorKey(runs[i]))}));
    let title, caption;
    if (state.pathsMode === 'overlay') {
      title = [h('b', {}, pn.fn.key)];
      caption = `${lines.length} run${lines.length === 1 ? '' : 's'}`;
    } else {
      const sw = h('span', {class: 'swatch'});
      sw.style.background = lines[0].color;
      title = [sw, h('b', {}, runLabel(runs[0], false)), h('span', {class: 'muted'}, ' on ' + pn.fn.key)];
      const p = pn.paths[0];
      const i = lastFinite(p.value);
      const steps = p.step.length ? p.step[p.step.length - 1] : 0;
      caption = i < 0 ? 'no step recorded yet'
        : `after ${steps} step${steps === 1 ? '' : 's'}: f = ${fmtLoss(p.value[i])}, distance to the minimum ${isNum(p.distance[i]) ? fmtLoss(p.distance[i]) : '–'}`;
      if (lastFinite(p.x, p.y) < p.x.length - 1) caption += ' · left the finite numbers';
      if (lines.length > 1) caption += ` · ${lines.length} runs (seeds)`;
    }
    return h('div', {class: 'traj-panel', dataset: {fn: pn.fn.key}},
      h('div', {class: 'traj-title'}, title),
      drawTrajectory(pn.fn, lines, state.pathsMode === 'overlay' ? 640 : 400),
      h('div', {class: 'traj-caption muted'}, caption, pn.fn.error ? h('span', {class: 'error-text'}, ' · ' + pn.fn.error) : null));
  }));
  if (state.pathsMode === 'overlay') {
    legend.replaceChildren(...[...colors].filter(([k]) => counts.has(k)).map(([k, c]) => {
      const sw = h('span', {class: 'swatch'});
      sw.style.background = c;
      return h('span', {class: 'item'}, sw, k, h('span', {class: 'count'}, `(${counts.get(k)})`));
    }));
  }
  legend.append(h('span', {class: 'item muted'}, h('span', {class: 'mark-start'}), 'start', h('span', {class: 'mark-min'}, '✕'), 'minimum'));
}

let clipSeq = 0; // ids of the panels' clip paths

// drawTrajectory draws lines ({path, run, color}) over the filled contours
// of the function fn (an entry of the paths answer's functions) as an SVG
// whose plot is pw wide.
function drawTrajectory(fn, lines, pw) {
  let lo, hi;
  if (fn.lo) {
    lo = fn.lo; hi = fn.hi;
  } else { // no grid (a function this page's server does not know): the paths' own extent
    lo = [Infinity, Infinity]; hi = [-Infinity, -Infinity];
    for (const {path: p} of lines) {
      p.x.forEach((x, i) => {
        if (!isNum(x) || !isNum(p.y[i])) return;
        lo = [Math.min(lo[0], x), Math.min(lo[1], p.y[i])];
        hi = [Math.max(hi[0], x), Math.max(hi[1], p.y[i])];
      });
    }
    if (!isFinite(lo[0])) { lo = [-1, -1]; hi = [1, 1]; }
    for (const d of [0, 1]) if (hi[d] - lo[d] < 1e-9) { lo[d] -= 1; hi[d] += 1; }
  }
  const M = {l: 38, r: 8, t: 6, b: 24};
  const ph = Math.round(pw * Math.min(1.1, Math.max(0.4, (hi[1] - lo[1]) / (hi[0] - lo[0]))));
  const W = M.l + pw + M.r, H = M.t + ph + M.b;
  const tx = (x) => M.l + pw * (x - lo[0]) / (hi[0] - lo[0]);
  const ty = (y) => M.t + ph * (1 - (y - lo[1]) / (hi[1] - lo[1]));

  const clip = 'traj-clip-' + (++clipSeq);
  const svg = s('svg', {class: 'traj', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'paths on ' + fn.key},
    s('defs', {}, s('clipPath', {id: clip}, s('rect', {x: M.l, y: M.t, width: pw, height: ph}))));
  if (fn.z) {
    svg.append(s('image', {class: 'contours', x: M.l, y: M.t, width: pw, height: ph, preserveAspectRatio: 'none', href: contourImage(fn, pw, ph)}));
  } else {
    svg.append(s('rect', {class: 'no-contours', x: M.l, y: M.t, width: pw, height: ph}));
  }
  svg.append(s('rect', {class: 'frame', x: M.l, y: M.t, width: pw, height: ph}));
  const axis = s('g', {class: 'axis'});
  for (const v of niceTicks(lo[0], hi[0], 6).filter((v) => v >= lo[0] && v <= hi[0])) {
    axis.append(s('line', {x1: tx(v), x2: tx(v), y1: M.t + ph, y2: M.t + ph + 4}),
      s('text', {x: tx(v), y: M.t + ph + 15, 'text-anchor': 'middle'}, fmtParam(v)));
  }
  for (const v of niceTicks(lo[1], hi[1], Math.max(3, Math.round(6 * ph / pw))).filter((v) => v >= lo[1] && v <= hi[1])) {
    axis.append(s('line', {x1: M.l - 4, x2: M.l, y1: ty(v), y2: ty(v)}),
      s('text', {x: M.l - 6, y: ty(v) + 3.5, 'text-anchor': 'end'}, fmtParam(v)));
  }
  svg.append(axis);
  const g = s('g', {'clip-path': `url(#${clip})`});
  for (const m of fn.minima || []) {
    g.append(s('text', {class: 'minimum', x: tx(m[0]), y: ty(m[1]) + 4, 'text-anchor': 'middle'}, '✕'));
  }
  for (const {path: p, run, color} of lines) {
    // A point that is not finite (a diverged run) breaks the line.
    let d = '', pen = false;
    p.x.forEach((x, i) => {
      const y = p.y[i];
      if (!isNum(x) || !isNum(y)) { pen = false; return; }
      d += (pen ? 'L' : 'M') + tx(x).toFixed(1) + ',' + ty(y).toFixed(1);
      pen = true;
    });
    if (!d) continue;
    const title = `run ${run.id}: ${runLabel(run)} (${run.status}), ${p.step.length} points`;
    g.append(s('path', {class: 'traj-line', d, stroke: color, dataset: {run: run.id}}, s('title', {}, title)));
    const first = p.x.findIndex((x, i) => isNum(x) && isNum(p.y[i]));
    const last = lastFinite(p.x, p.y);
    g.append(s('circle', {class: 'traj-start', cx: tx(p.x[first]), cy: ty(p.y[first]), r: 4, stroke: color}, s('title', {}, title + ': start')));
    if (last > first) g.append(s('circle', {class: 'traj-end', cx: tx(p.x[last]), cy: ty(p.y[last]), r: 3.2, fill: color}, s('title', {}, `${title}: step ${p.step[last]}`)));
  }
  svg.append(g);
  return svg;
}

// Filled contours are drawn on a canvas, pixel by pixel: the value is
// interpolated in the server's grid and coloured by the band between the
// server's levels it falls in, with a darker pixel where the band changes.
const contourCache = new Map(); // key -> data: URL

// contourColor returns the colour of band i of n (0: below the first
// level, around the minimum) as [r, g, b]: from near white to slate.
function contourColor(i, n) {
  const stops = [[252, 253, 254], [236, 241, 246], [218, 226, 236], [196, 208, 222], [170, 185, 204]];
  const t = n > 0 ? Math.min(1, i / n) * (stops.length - 1) : 0;
  const k = Math.min(stops.length - 2, Math.floor(t)), f = t - k;
  return stops[k].map((c, j) => Math.round(c + f * (stops[k + 1][j] - c)));
}

function contourImage(fn, w, hgt) {
  const key = `${fn.key}|${fn.lo}|${fn.hi}|${fn.levels}|${w}x${hgt}`;
  if (contourCache.has(key)) return contourCache.get(key);
  const nx = fn.x.length, ny = fn.y.length, levels = fn.levels;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = hgt;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, hgt);
  const zAt = (i, j) => { const v = fn.z[j][i]; return v === null ? Infinity : v; };
  const band = (v) => { // the number of levels at or below v
    let a = 0, b = levels.length;
    while (a < b) { const m = (a + b) >> 1; if (levels[m] <= v) a = m + 1; else b = m; }
    return a;
  };
  const bands = new Int16Array(w * hgt);
  for (let py = 0; py < hgt; py++) {
    const gy = (1 - (py + 0.5) / hgt) * (ny - 1); // row 0 of the grid is the lowest y
    const j = Math.min(ny - 2, Math.floor(gy)), fy = gy - j;
    for (let px = 0; px < w; px++) {
      const gx = ((px + 0.5) / w) * (nx - 1);
      const i = Math.min(nx - 2, Math.floor(gx)), fx = gx - i;
      const v = (1 - fy) * ((1 - fx) * zAt(i, j) + fx * zAt(i + 1, j)) + fy * ((1 - fx) * zAt(i, j + 1) + fx * zAt(i + 1, j + 1));
      bands[py * w + px] = isNaN(v) ? levels.length : band(v);
    }
  }
  const palette = [];
  for (let i = 0; i <= levels.length; i++) palette.push(contourColor(i, levels.length));
  for (let k = 0; k < w * hgt; k++) {
    const b = bands[k];
    let [r, g, bl] = palette[b];
    const px = k % w;
    if ((px > 0 && bands[k - 1] !== b) || (k >= w && bands[k - w] !== b)) { r *= 0.82; g *= 0.82; bl *= 0.82; } // a contour line
    img.data.set([r, g, bl, 255], 4 * k);
  }
  ctx.putImageData(img, 0, 0);
  const url = canvas.toDataURL('image/png');
  if (contourCache.size > 64) contourCache.clear();
  contourCache.set(key, url);
  return url;
}

// ---------- run table ----------

const METRIC_COLS = [
  {key: 'status', label: 'status', get: (r) => r.status, str: true},
  {key: 'epoch', label: 'epoch', get: (r) => r.final.epoch, fmt: (v, r) => v === null ? '–' : `${v}/${r.params.epochs}`},
  {key: 'test_acc', label: 'test acc', get: (r) => r.final.test_acc, fmt: fmtAcc, first: true},
  {key: 'val_acc', label: 'val acc', get: (r) => r.final.val_acc, fmt: fmtAcc},
  {key: 'train_acc', label: 'train acc', get: (r) => r.final.train_acc, fmt: fmtAcc},
  {key: 'train_loss', label: 'train loss', get: (r) => r.final.train_loss, fmt: fmtLoss},
  {key: 'best_test_acc', label: 'best test (epoch)', get: (r) => r.best.test_acc, fmt: (v, r) => isNum(v) ? `${fmtAcc(v)} (${r.best.test_epoch})` : '–', first: true},
  {key: 'best_val_acc', label: 'best val (epoch)', get: (r) => r.best.val_acc, fmt: (v, r) => isNum(v) ? `${fmtAcc(v)} (${r.best.val_epoch})` : '–'},
  {key: 'min_train_loss', label: 'min loss', get: (r) => r.best.min_train_loss, fmt: fmtLoss},
  {key: 'seconds', label: 'time', get: (r) => (r.train_seconds ?? 0) + (r.eval_seconds ?? 0), fmt: fmtSeconds},
];

// fields are what the filter and the sort see of a run.
function fields(r) {
  const f = {id: r.id, ...r.params};
  for (const c of METRIC_COLS) f[c.key] = c.get(r);
  return f;
}

// matches applies the filter: space-separated terms, all of which must
// hold: name=value, name!=value, name<n, name<=n, name>n, name>=n,
// name~text (contains), or plain text found anywhere in the row.
function matches(r, terms) {
  const f = fields(r);
  for (const t of terms) {
    const m = t.match(/^([a-z_0-9]+)(<=|>=|!=|=|<|>|~)(.*)$/i);
    if (m && m[1] in f) {
      const [, k, op, want] = m;
      const v = f[k];
      const sv = v === null || v === undefined ? '' : fmtParam(v);
      const nv = parseFloat(want);
      let ok;
      switch (op) {
        case '=': ok = sv === want || (isNum(v) && v === nv) || (typeof v === 'string' && v.toLowerCase() === want.toLowerCase()); break;
        case '!=': ok = !(sv === want || (isNum(v) && v === nv)); break;
        case '~': ok = sv.toLowerCase().includes(want.toLowerCase()); break;
        case '<': ok = isNum(v) && v < nv; break;
        case '<=': ok = isNum(v) && v <= nv; break;
        case '>': ok = isNum(v) && v > nv; break;
        case '>=': ok = isNum(v) && v >= nv; break;
      }
      if (!ok) return false;
    } else {
      const text = Object.entries(f).map(([k, v]) => `${k}=${fmtParam(v)}`).join(' ').toLowerCase();
      if (!text.includes(t.toLowerCase())) return false;
    }
  }
  return true;
}

function visibleRuns() {
  const terms = state.filter.trim().split(/\s+/).filter(Boolean);
  let runs = state.runs.filter((r) => matches(r, terms) && (!state.statusFilter || r.status === state.statusFilter) && runInBrushes(r));
  const {key, dir} = state.sort;
  const get = (r) => fields(r)[key];
  runs = runs.slice().sort((a, b) => {
    const va = get(a), vb = get(b);
    const na = va === null || va === undefined || (typeof va === 'number' && !isFinite(va));
    const nb = vb === null || vb === undefined || (typeof vb === 'number' && !isFinite(vb));
    if (na || nb) return na === nb ? a.id - b.id : (na ? 1 : -1); // missing values last
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb), undefined, {numeric: true});
    return c === 0 ? a.id - b.id : c * dir;
  });
  return runs;
}

function runsCard() {
  return h('div', {class: 'card', id: 'runs'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Runs'),
      h('span', {class: 'muted', id: 'runs-count'}),
      h('span', {class: 'spacer'}),
      h('input', {type: 'search', id: 'run-filter', placeholder: 'filter: optimizer=adam lr<0.01 test_acc>0.9',
        'aria-label': 'filter runs', oninput: (e) => { state.filter = e.target.value; renderRuns(); }}),
      h('select', {id: 'status-filter', 'aria-label': 'status', onchange: (e) => { state.statusFilter = e.target.value; renderRuns(); }}),
      h('button', {id: 'select-shown', onclick: () => selectRuns(visibleRuns().map((r) => r.id))}, 'select shown'),
      h('button', {id: 'select-none', onclick: () => selectRuns([])}, 'select none'),
      h('label', {class: 'control'}, h('input', {type: 'checkbox', id: 'varying-only',
        onchange: (e) => { state.varyingOnly = e.target.checked; renderRuns(); }}), 'varying columns only')),
    h('div', {class: 'card-body flush'}, h('div', {class: 'table-scroll'}, h('table', {id: 'run-table'}))));
}

async function selectRuns(ids) {
  state.autoSelect = false;
  state.selected = new Set(ids);
  await refreshSelection();
}

async function toggleRun(id, on) {
  state.autoSelect = false;
  if (on) state.selected.add(id); else state.selected.delete(id);
  await refreshSelection();
}

async function refreshSelection() {
  try {
    await Promise.all([loadEpochs(), loadPaths()]);
  } catch (e) {
    handleError(e);
  }
  renderPaths();
  renderCurves();
  renderRuns();
}

function renderRuns() {
  const statuses = [...new Set(state.runs.map((r) => r.status))].sort();
  const sf = $('#status-filter');
  sf.replaceChildren(h('option', {value: ''}, 'any status'), ...statuses.map((st) => h('option', {value: st, selected: st === state.statusFilter}, st)));
  $('#varying-only').checked = state.varyingOnly;

  // Every hyperparameter column some run has; constant ones greyed (or hidden).
  const present = state.columns.filter((c) => state.runs.some((r) => r.params[c] !== null && r.params[c] !== undefined));
  const cols = state.varyingOnly ? present.filter((c) => state.varying.includes(c)) : present;
  const colors = colorScale();
  const runs = visibleRuns();
  $('#runs-count').textContent = `${runs.length} of ${state.runs.length} shown · ${state.selected.size} selected`;

  const th = (key, label, cls) => h('th', {class: `sortable ${cls || ''} ${state.sort.key === key ? (state.sort.dir > 0 ? 'sorted-asc' : 'sorted-desc') : ''}`,
    dataset: {key}, onclick: () => {
      state.sort = state.sort.key === key ? {key, dir: -state.sort.dir} : {key, dir: ['id', ...cols].includes(key) || key === 'status' ? 1 : -1};
      renderRuns();
    }}, label);
  const allShown = runs.length > 0 && runs.every((r) => state.selected.has(r.id));
  const head = h('tr', {},
    h('th', {}, h('input', {type: 'checkbox', 'aria-label': 'select all shown', checked: allShown,
      onchange: (e) => selectRuns(e.target.checked ? [...state.selected, ...runs.map((r) => r.id)] : [...state.selected].filter((id) => !runs.some((r) => r.id === id)))})),
    th('id', 'run', 'num'),
    cols.map((c) => th(c, c, state.varying.includes(c) ? '' : 'const')),
    METRIC_COLS.map((m) => th(m.key, m.label, (m.str ? '' : 'num ') + 'metric' + (m.first ? ' first-metric' : ''))));
  const body = runs.map((r) => {
    const on = state.selected.has(r.id);
    const sw = h('span', {class: 'swatch'});
    if (on) sw.style.background = colors.get(colorKey(r));
    return h('tr', {class: on ? 'selected' : '', dataset: {run: r.id}},
      h('td', {}, h('input', {type: 'checkbox', class: 'sel', 'aria-label': 'select run ' + r.id, checked: on,
        onchange: (e) => toggleRun(r.id, e.target.checked)})),
      h('td', {class: 'num'}, sw, h('a', {href: `#/sweeps/${state.sweep.id}/runs/${r.id}`, title: 'full config'}, r.id)),
      cols.map((c) => {
        const v = r.params[c];
        const cls = v === null ? 'null' : (state.varying.includes(c) ? '' : 'const');
        return h('td', {class: (typeof v === 'number' ? 'num ' : '') + cls}, v === null ? '·' : fmtParam(v));
      }),
      METRIC_COLS.map((m) => {
        const v = m.get(r);
        return h('td', {class: (m.str ? '' : 'num ') + (m.first ? 'first-metric' : '')}, m.key === 'status' ? badge(v) : (m.fmt ? m.fmt(v, r) : v));
      }));
  });
  $('#run-table').replaceChildren(h('thead', {}, head), h('tbody', {}, body.length ? body :
    h('tr', {}, h('td', {colspan: cols.length + METRIC_COLS.length + 2, class: 'empty'}, 'No run matches the filter.'))));
}

// ---------- comparison ----------

function groupsCard() {
  const metrics = [['test_acc', 'test acc'], ['val_acc', 'val acc'], ['train_acc', 'train acc'], ['train_loss', 'train loss']];
  return h('div', {class: 'card', id: 'groups'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Configurations'),
      h('span', {class: 'muted'}, 'seeds pooled: mean ± sd over done runs, as runner compare'),
      h('span', {class: 'spacer'}),
      h('label', {class: 'control'}, 'metric', h('select', {id: 'group-metric', onchange: (e) => { state.groupMetric = e.target.value; state.groupMetricSet = true; reloadGroups(); }},
        metrics.map(([v, l]) => h('option', {value: v}, l)))),
      h('label', {class: 'control'}, 'of', h('select', {id: 'group-best', onchange: (e) => { state.groupBest = e.target.value === '1'; reloadGroups(); }},
        h('option', {value: '0'}, 'the last epoch'), h('option', {value: '1'}, 'the best epoch'))),
      h('label', {class: 'control'}, 'compare with', h('select', {id: 'group-vs', onchange: (e) => { state.groupVs = e.target.value; state.groupsNote = ''; compareMetric(); reloadGroups(); }}))),
    h('div', {class: 'card-body flush'}, h('div', {class: 'table-scroll', id: 'group-table'})),
    h('ul', {class: 'notes', id: 'group-notes', hidden: true}));
}

async function reloadGroups() {
  try { await loadGroups(); } catch (e) { handleError(e); }
  renderGroups();
}

function renderGroups() {
  const vs = $('#group-vs');
  const others = state.sweeps.filter((x) => x.id !== state.sweep.id)
    .sort((a, b) => (b.name === state.sweep.name) - (a.name === state.sweep.name) || b.id - a.id);
  vs.replaceChildren(h('option', {value: ''}, 'nothing'),
    ...others.map((x) => h('option', {value: String(x.id), selected: String(x.id) === state.groupVs}, `${x.name} #${x.id}`)));
  $('#group-metric').value = state.groupMetric;
  $('#group-best').value = state.groupBest ? '1' : '0';

  const box = $('#group-table');
  const notesEl = $('#group-notes');
  const g = state.groups;
  const vsNote = state.groupsNote ? h('li', {id: 'group-vs-gone'}, 'note: ', state.groupsNote) : null;
  if (!g) {
    box.replaceChildren(h('div', {class: 'empty'}, state.groupsError || 'No comparison.'));
    notesEl.replaceChildren(...(vsNote ? [vsNote] : []));
    notesEl.hidden = !vsNote;
    return;
  }
  const two = !!g.vs;
  // Footnotes: each distinct note gets a number, as runner compare prints them.
  const footnotes = [];
  const mark = (notes) => (notes || []).map((n) => {
    let i = footnotes.indexOf(n);
    if (i < 0) { footnotes.push(n); i = footnotes.length - 1; }
    return h('span', {class: 'sup'}, i + 1);
  });
  const cell = (c) => c && c.n > 0
    ? [h('td', {class: 'num'}, fmtMetric(g.metric, c.mean), c.n > 1 ? h('span', {class: 'muted'}, ' ± ' + fmtMetric(g.metric, c.sd)) : null, mark(c.notes)),
      h('td', {class: 'num muted'}, c.n)]
    : [h('td', {class: 'num muted'}, c ? '–' : '', c ? mark(c.notes) : null), h('td', {class: 'num muted'}, c ? c.n : '')];
  const higher = g.metric !== 'train_loss';
  const rows = g.rows.map((row, i) => {
    // The curves drawn are sweep A's (this page's): a row only in B has no run here.
    const ids = row.a?.run_ids || [];
    let delta = null;
    if (two) {
      if (!row.a) delta = h('td', {class: 'muted'}, 'only in B');
      else if (!row.b) delta = h('td', {class: 'muted'}, 'only in A');
      else if (!isNum(row.delta)) delta = h('td', {class: 'muted'}, '–', mark(row.notes));
      else {
        const better = (row.delta > 0) === higher;
        const p = isNum(row.p) ? `(p=${row.p.toFixed(3)})` : '';
        delta = row.significant
          ? h('td', {class: 'num ' + (better ? 'sig-up' : 'sig-down')}, (row.delta > 0 ? '+' : '') + fmtMetric(g.metric, row.delta), ' ', h('span', {class: 'muted'}, p))
          : h('td', {class: 'num muted'}, '~ ', p, mark(row.notes));
      }
    }
    const attrs = row.a
      ? {class: 'clickable', title: 'click to draw the curves of these runs', onclick: () => selectRuns(ids)}
      : {class: 'only-b', title: `only in sweep B (#${g.vs.id}): no run of this page to draw`};
    return h('tr', attrs,
      h('td', {class: 'star'}, i === g.best_row ? '★' : ''),
      g.columns.map((c) => h('td', {class: i === g.best_row ? 'best' : ''}, row.params[c])),
      g.columns.length === 0 ? h('td', {}, row.label) : null,
      cell(row.a), two ? cell(row.b) : null, delta);
  });
  const head = h('tr', {}, h('th', {}, ''), g.columns.map((c) => h('th', {}, c)), g.columns.length === 0 ? h('th', {}, 'configuration') : null,
    h('th', {class: 'num'}, two ? `A: #${g.sweep.id} ${g.metric}` : g.metric), h('th', {class: 'num'}, 'n'),
    two ? [h('th', {class: 'num'}, `B: #${g.vs.id} ${g.metric}`), h('th', {class: 'num'}, 'n'), h('th', {}, 'B − A')] : null);
  box.replaceChildren(h('table', {}, h('thead', {}, head), h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', {class: 'empty', colspan: 9}, 'No run yet.')))));
  const allNotes = [...footnotes.map((n, i) => h('li', {}, h('span', {class: 'sup'}, i + 1), ' ', n)), ...g.notes.map((n) => h('li', {}, 'note: ', n))];
  if (g.best_row >= 0) {
    allNotes.unshift(h('li', {}, h('span', {class: 'star'}, '★'), ` best${two ? ' in B' : ''}: ${g.rows[g.best_row].label} (${higher ? 'highest' : 'lowest'} mean ${g.metric}${g.best ? ', best epoch' : ''})`));
  }
  if (vsNote) allNotes.unshift(vsNote);
  notesEl.replaceChildren(...allNotes);
  notesEl.hidden = allNotes.length === 0;
}

// ---------- run drawer ----------

let drawerRun = null;

async function showDrawer(runId) {
  const d = $('#drawer');
  if (runId !== drawerRun) state.layerEpoch = null; // another run: its latest epoch
  drawerRun = runId;
  if (!runId) { d.hidden = true; d.replaceChildren(); return; }
  d.hidden = false;
  if (!d.firstChild) d.replaceChildren(h('div', {class: 'drawer-head'}, h('h2', {}, 'Run ' + runId), closeButton()), h('p', {class: 'empty'}, 'Loading…'));
  let run, epochs, layers;
  try {
    [run, epochs, layers] = await Promise.all([api('runs/' + runId), api('runs/' + runId + '/epochs'), api('runs/' + runId + '/layers')]);
  } catch (e) {
    d.replaceChildren(h('div', {class: 'drawer-head'}, h('h2', {}, 'Run ' + runId), closeButton()), h('p', {class: 'empty error-text'}, e.message));
    return;
  }
  if (drawerRun !== runId) return;
  const kv = (pairs) => h('dl', {class: 'kv'}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  d.replaceChildren(
    h('div', {class: 'drawer-head'}, h('h2', {}, `Run ${run.id}`), badge(run.status), h('span', {class: 'muted'}, state.runs.length ? runLabel(run) : ''), closeButton()),
    h('section', {}, kv([
      ['sweep', h('a', {href: `#/sweeps/${run.sweep_id}`}, `${run.sweep_name} #${run.sweep_id}`)],
      ['key', h('code', {}, run.key)], ['group', h('code', {}, run.group)],
      ['started', fmtWhen(run.started_at)], ['finished', run.finished_at ? fmtWhen(run.finished_at) : null],
      ['final epoch', run.final.epoch === null ? '–' : `${run.final.epoch} of ${run.params.epochs}`],
      ['final test / val / train acc', `${fmtAcc(run.final.test_acc)} / ${fmtAcc(run.final.val_acc)} / ${fmtAcc(run.final.train_acc)}`],
      ['final train loss', fmtLoss(run.final.train_loss)],
      ['best test acc', isNum(run.best.test_acc) ? `${fmtAcc(run.best.test_acc)} at epoch ${run.best.test_epoch}` : '–'],
      ['time', `${fmtSeconds(run.train_seconds)} training, ${fmtSeconds(run.eval_seconds)} evaluating`],
    ]), run.error ? h('p', {class: 'error-text'}, run.error) : null),
    layers.epochs.length ? h('section', {id: 'layers'}) : null,
    h('section', {}, h('h4', {}, 'Config'), jsonView(run.config)),
    h('section', {}, h('h4', {}, run.dataset === 'function' ? 'Steps' : 'Epochs'), epochTable(epochs, run.dataset === 'function')));
  if (layers.epochs.length) renderLayers(layers, run);
}

function closeButton() {
  return h('button', {class: 'close', 'aria-label': 'close', onclick: closeDrawer}, '✕');
}

function closeDrawer() {
  if (state.route && state.route.view === 'sweep') location.hash = '#/sweeps/' + state.route.id;
  else showDrawer(null);
}

// renderLayers draws the layer statistics of a run (the layers answer)
// into #layers: an epoch slider, then one row per hidden layer with the
// histogram of its activations and its statistics at the epoch
// state.layerEpoch (the latest when null).
function renderLayers(data, run) {
  const sec = $('#layers');
  if (!sec) return;
  const epochs = data.epochs;
  let k = epochs.findIndex((e) => e.epoch === state.layerEpoch);
  if (k < 0) k = epochs.length - 1;
  const rows = h('div', {id: 'layer-rows'});
  const label = h('b', {id: 'layer-epoch-label'});
  const show = (i) => {
    label.textContent = `epoch ${epochs[i].epoch}`;
    rows.replaceChildren(...layerRows(epochs[i]));
  };
  const slider = h('input', {type: 'range', id: 'layer-epoch', min: 0, max: epochs.length - 1, step: 1, value: k,
    'aria-label': 'epoch', disabled: epochs.length < 2,
    oninput: (e) => { state.layerEpoch = epochs[+e.target.value].epoch; show(+e.target.value); }});
  sec.replaceChildren(
    h('h4', {}, 'Layer activations'),
    h('div', {class: 'layer-head'},
      h('label', {class: 'control'}, 'epoch', slider), label,
      h('span', {class: 'muted'}, `of ${epochs[epochs.length - 1].epoch} · ${fmtParam(run.params.activation) || 'activation'} · over the probe batch, ${data.bins} bins`)),
    rows);
  show(k);
}

// layerRows returns the rows of the layers of one epoch: the bars of
// their histograms share one scale, so that the layers compare.
function layerRows(ep) {
  const pct = (v) => isNum(v) ? (100 * v).toFixed(1) + '%' : '–';
  let top = 1;
  for (const l of ep.layers) for (const c of l.hist || []) top = Math.max(top, c);
  return ep.layers.map((l) => h('div', {class: 'layer-row', dataset: {layer: l.layer}},
    h('div', {class: 'layer-name'}, 'layer ' + l.layer),
    histogram(l, top),
    h('dl', {class: 'layer-stats'},
      h('dt', {}, 'mean'), h('dd', {}, num3s(l.mean)), h('dt', {}, 'std'), h('dd', {}, num3s(l.std)),
      h('dt', {}, 'zeros'), h('dd', {}, pct(l.zeros)),
      h('dt', {title: 'in the flat ends of the activation (tanh |a| > 0.99, sigmoid a < 0.01 or > 0.99); none for ReLU, whose flat end is its zeros'}, 'saturated'),
      h('dd', {}, pct(l.saturated)),
      h('dt', {}, 'weights rms'), h('dd', {}, num3s(l.weight_rms)),
      h('dt', {title: 'RMS(last update) / RMS(weights)'}, 'update / w'), h('dd', {}, num3s(l.update_ratio)))));
}

// histogram draws the bins of one layer's activations as SVG bars,
// scaled so that top is the full height, with the counts below and above
// its range at its ends.
function histogram(l, top) {
  const W = 300, H = 74, M = {l: 4, r: 4, t: 4, b: 16};
  const svg = s('svg', {class: 'hist', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `activations of layer ${l.layer}`});
  if (!l.hist || !l.hist.length) {
    svg.append(s('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle'}, 'no histogram'));
    return svg;
  }
  const n = l.hist.length, bw = (W - M.l - M.r) / n, ph = H - M.t - M.b;
  l.hist.forEach((c, i) => {
    const bh = ph * c / top;
    svg.append(s('rect', {class: 'hist-bar', x: (M.l + i * bw + 0.5).toFixed(1), y: (M.t + ph - bh).toFixed(1), width: Math.max(bw - 1, 0.5).toFixed(1),
      height: bh.toFixed(1), dataset: {count: c}}, s('title', {}, `${c} in [${num3s(l.hist_lo + i * (l.hist_hi - l.hist_lo) / n)}, ${num3s(l.hist_lo + (i + 1) * (l.hist_hi - l.hist_lo) / n)}]`)));
  });
  svg.append(s('line', {class: 'hist-base', x1: M.l, x2: W - M.r, y1: M.t + ph, y2: M.t + ph}));
  svg.append(s('text', {x: M.l, y: H - 3}, (l.below ? `‹${l.below}  ` : '') + num3s(l.hist_lo)));
  svg.append(s('text', {x: W - M.r, y: H - 3, 'text-anchor': 'end'}, num3s(l.hist_hi) + (l.above ? `  ${l.above}›` : '')));
  return svg;
}

function num3s(v) { return isNum(v) ? fmtParam(+v.toPrecision(3)) : '–'; }

// jsonView pretty-prints a value as coloured JSON, built from text nodes,
// in a pre with the given id.
function jsonView(v, id = 'run-config') {
  const pre = h('pre', {class: 'json', id});
  const walk = (x, ind) => {
    if (x === null) return [h('span', {class: 'b'}, 'null')];
    if (Array.isArray(x)) {
      if (x.every((y) => typeof y !== 'object' || y === null)) return ['[', x.flatMap((y, i) => [i ? ', ' : '', ...walk(y, ind)]), ']'];
      return ['[\n', x.flatMap((y, i) => [ind + '  ', ...walk(y, ind + '  '), i < x.length - 1 ? ',\n' : '\n']), ind + ']'];
    }
    if (typeof x === 'object') {
      const e = Object.entries(x);
      return ['{\n', e.flatMap(([k, y], i) => [ind + '  ', h('span', {class: 'k'}, JSON.stringify(k)), ': ', ...walk(y, ind + '  '), i < e.length - 1 ? ',\n' : '\n']), ind + '}'];
    }
    if (typeof x === 'string') return [h('span', {class: 's'}, JSON.stringify(x))];
    if (typeof x === 'boolean') return [h('span', {class: 'b'}, String(x))];
    return [h('span', {class: 'n'}, String(x))];
  };
  append(pre, walk(v, ''));
  return pre;
}

function epochTable(e, onFunction) {
  const cols = onFunction
    ? [['epoch', (v) => v, 'step'], ['lr', fmtParam], ['train_loss', fmtLoss, 'f(x)'], ['distance', fmtLoss, 'distance to the minimum']]
    : [['epoch', (v) => v], ['lr', fmtParam], ['train_loss', fmtLoss], ['train_acc', fmtAcc], ['val_acc', fmtAcc], ['test_acc', fmtAcc], ['seconds', (v) => isNum(v) ? v.toFixed(3) : '–']];
  if (!e.epoch.length) return h('p', {class: 'muted'}, 'No epoch recorded yet.');
  return h('table', {id: 'run-epochs'},
    h('thead', {}, h('tr', {}, cols.map(([c, , label]) => h('th', {class: 'num'}, label || c)))),
    h('tbody', {}, e.epoch.map((_, i) => h('tr', {}, cols.map(([c, f]) => h('td', {class: 'num'}, f(e[c][i])))))));
}

// ---------- live updates ----------

let refreshTimer = null;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    if (!state.route) return;
    if (state.route.view === 'list') await loadList();
    else {
      await loadSweep(!state.sweep);
      if (state.route.run) showDrawer(state.route.run);
    }
  }, 250);
}

function connectEvents() {
  const live = $('#live');
  const text = $('#live-text');
  if (!window.EventSource) { text.textContent = 'no live updates'; return; }
  const es = new EventSource('/api/events');
  es.addEventListener('change', (ev) => {
    live.className = 'live on';
    text.textContent = 'live';
    const v = JSON.parse(ev.data).version;
    if (state.version && v !== state.version) scheduleRefresh();
    else if (state.unavailable) scheduleRefresh();
    state.unavailable = false;
    state.version = v;
  });
  es.addEventListener('unavailable', (ev) => {
    const data = JSON.parse(ev.data);
    live.className = 'live off';
    text.textContent = 'database unavailable';
    state.unavailable = true;
    state.version = data.version;
    showBanner(capitalize(data.error) + '. The page will update when it is back.');
  });
  es.onerror = () => { live.className = 'live off'; text.textContent = 'reconnecting…'; };
}

// ---------- start ----------

window.addEventListener('hashchange', onRoute);
window.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('#drawer').hidden) closeDrawer(); });
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (state.route && state.route.view === 'sweep' && state.sweep) { if (isLRFind()) renderLRFind(); else { renderCurves(); renderSearch(); } } }, 150);
});
api('status').then((st) => { $('#db-path').textContent = st.db; }).catch(() => {});
connectEvents();
onRoute();
