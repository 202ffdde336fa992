// runner dashboard: the page of a learning-rate range test (runner
// lr-find): what the test found, as runner compare prints it, and its loss
// and smoothed loss against the rate on a log axis, as runner plot draws
// it, the suggested rate and the lowest smoothed loss marked. Every number
// comes from the server (GET /api/sweeps/SWEEP/lrfind: internal/report's
// summary, train.AnalyzeLR's curve); this file only draws them.
//
// Loaded before app.js, whose helpers (h, s, api, $, state, …) it calls
// only once the page runs.
'use strict';

// lrfind is the range test shown: GET lrfind's answer, or null.
const lrfind = {data: null};

// isLRFind reports whether the sweep shown records a range test.
function isLRFind() {
  return !!(state.sweep && state.sweep.lrfind);
}

async function loadLRFind() {
  if (!isLRFind()) { lrfind.data = null; return; }
  lrfind.data = await api('sweeps/' + state.sweep.id + '/lrfind');
}

// fmtG formats a rate as Go's %.3g does: three significant digits, no
// trailing zeros, an exponent (1e-05) below 1e-4 and from 1000 up.
function fmtG(v) {
  if (!isNum(v)) return '–';
  if (v === 0) return '0';
  const [m, e] = v.toExponential(2).split('e');
  const exp = +e;
  const trim = (t) => t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
  if (exp < -4 || exp >= 3) return trim(m) + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return trim(v.toFixed(Math.max(0, 2 - exp)));
}

// The colours of the figure (internal/report's): the minibatch loss light,
// the smoothed loss dark, the suggestion red, the lowest point green (in
// app.js's PALETTE, which loads after this file).
const LR_COLORS = {raw: '#9ec5e2', smooth: '#4e79a7', suggest: '#e15759', min: '#59a14f', steep: '#f28e2b', stop: '#606060'};

function lrfindCard() {
  return h('div', {class: 'card', id: 'lrfind'},
    h('div', {class: 'card-head'},
      h('h2', {}, 'Learning-rate range test'),
      h('span', {class: 'muted', id: 'lrfind-summary'})),
    h('div', {class: 'lrfind-body'},
      h('div', {class: 'lrfind-facts-box'},
        h('h3', {class: 'sub'}, 'What the test found ', h('span', {class: 'muted'}, '· as runner compare prints it')),
        h('table', {id: 'lrfind-facts'}),
        h('p', {class: 'muted lrfind-rule', id: 'lrfind-rule'})),
      h('div', {class: 'chart-box'},
        h('h3', {}, 'Training loss against the learning rate ', h('span', {class: 'muted'}, '(log scale)')),
        h('div', {id: 'lrfind-chart'}),
        h('div', {class: 'legend', id: 'lrfind-legend'}))));
}

function lrRunCard() {
  return h('div', {class: 'card', id: 'lrfind-run'},
    h('div', {class: 'card-head'}, h('h2', {}, 'Run'), h('span', {class: 'muted', id: 'lrfind-run-head'})),
    h('div', {class: 'card-body', id: 'lrfind-config'}));
}

function renderLRFind() {
  const d = lrfind.data;
  if (!$('#lrfind') || !d) return;
  $('#lrfind-summary').textContent = 'of ' + d.summary;
  $('#lrfind-facts').replaceChildren(h('tbody', {}, d.facts.map((f) =>
    h('tr', {dataset: {fact: f.name}}, h('th', {}, f.name), h('td', {}, f.text)))));
  $('#lrfind-rule').textContent = `The smoothed loss is an exponential moving average of the minibatch losses (β = ${d.smoothing}, debiased); ` +
    `the test stops at the first step whose loss is not finite or whose smoothed loss exceeds ${d.divergence} × its lowest. ` +
    'The suggested rate is a tenth of the rate of the lowest smoothed loss.';
  drawLRFind($('#lrfind-chart'), d);
  const run = d.run;
  $('#lrfind-run-head').replaceChildren(h('a', {href: `#/sweeps/${state.sweep.id}/runs/${run.id}`}, 'run ' + run.id), ' ', badge(run.status),
    run.status === 'diverged' ? ' its usual end: the rate grew until the loss diverged' : '');
  $('#lrfind-config').replaceChildren(jsonView(run.config, 'lrfind-config-json'));
}

// drawLRFind draws the range test d into box: the minibatch loss and the
// smoothed loss against the rate on a log axis; a vertical line at the
// suggested rate and a dashed one at the rate of the lowest smoothed
// loss, with a dot on it; a dot at the steepest descent; a grey dashed
// line where the test stopped. As internal/report's figure, the y axis
// runs from the lowest loss to twice the first smoothed loss (the
// untrained network's), so that the diverging steps do not squash the
// rest; what lies above is clipped. The svg's data attributes give its
// scales: the plot's box (left, right, top, bottom) and the rates and
// losses at its edges (x0, x1, y0, y1).
function drawLRFind(box, d) {
  const c = d.curve;
  const n = c.lr.length;
  const W = Math.max(box.clientWidth || 700, 360), H = 360;
  const M = {l: 54, r: 14, t: 10, b: 40};
  let lo = Infinity, hi = -Infinity;
  for (const v of c.loss) if (isNum(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!isFinite(lo) || n < 2) {
    box.replaceChildren(h('div', {class: 'chart-empty'}, 'No finite loss to draw.'));
    return;
  }
  hi = Math.min(hi, 2 * c.smoothed[0]);
  const margin = Math.max((hi - lo) * 0.05, 1e-3);
  const x0 = c.lr[0], x1 = c.lr[n - 1], y0 = lo - margin, y1 = hi + margin;
  const left = M.l, right = W - M.r, top = M.t, bottom = H - M.b;
  const tx = (x) => left + (right - left) * (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0));
  const ty = (y) => top + (bottom - top) * (1 - (y - y0) / (y1 - y0));

  const grid = s('g', {class: 'grid'});
  const axis = s('g', {class: 'axis'});
  for (const v of niceTicks(y0, y1, 6).filter((v) => v >= y0 && v <= y1)) {
    const y = ty(v).toFixed(1);
    grid.append(s('line', {x1: left, x2: right, y1: y, y2: y}));
    axis.append(s('text', {x: left - 7, y: +y + 3.5, 'text-anchor': 'end'}, +v.toPrecision(6)));
  }
  for (let e = Math.ceil(Math.log10(x0) - 1e-9); e <= Math.floor(Math.log10(x1) + 1e-9); e++) {
    const v = Math.pow(10, e);
    const x = tx(v).toFixed(1);
    grid.append(s('line', {x1: x, x2: x, y1: top, y2: bottom}));
    axis.append(s('text', {x, y: bottom + 16, 'text-anchor': 'middle'}, fmtTick(v, true)));
  }
  axis.append(s('line', {x1: left, x2: right, y1: bottom, y2: bottom}));
  axis.append(s('text', {class: 'axis-label', x: (left + right) / 2, y: H - 6, 'text-anchor': 'middle'}, 'learning rate (log scale)'));
  axis.append(s('text', {class: 'axis-label', x: -(top + bottom) / 2, y: 13, transform: 'rotate(-90)', 'text-anchor': 'middle'}, 'training loss'));

  // A loss that is not finite breaks its line.
  const path = (ys) => {
    let p = '', pen = false;
    for (let i = 0; i < n; i++) {
      if (!isNum(ys[i])) { pen = false; continue; }
      p += (pen ? 'L' : 'M') + tx(c.lr[i]).toFixed(2) + ',' + ty(ys[i]).toFixed(2);
      pen = true;
    }
    return p;
  };
  const clip = 'lrfind-clip-' + (++clipSeq);
  const g = s('g', {'clip-path': `url(#${clip})`});
  const vline = (cls, x, color, dash, title) => s('line', {class: 'lr-mark ' + cls, x1: tx(x).toFixed(2), x2: tx(x).toFixed(2), y1: top, y2: bottom,
    stroke: color, 'stroke-dasharray': dash, dataset: {lr: x}}, s('title', {}, title));
  const dot = (cls, i, color, title) => isNum(c.smoothed[i])
    ? s('circle', {class: 'lr-dot ' + cls, cx: tx(c.lr[i]).toFixed(2), cy: ty(c.smoothed[i]).toFixed(2), r: 4.5, fill: color, dataset: {step: i}}, s('title', {}, title))
    : null;
  const suggested = `suggested: ${fmtG(d.suggested_lr)} (${d.clamped ? 'the start: the lowest is within a decade' : 'a tenth of the lowest'})`;
  const lowest = `lowest smoothed loss: ${fmtG(d.min_lr)}`;
  const steepest = `steepest descent: ${fmtG(d.steepest_lr)}`;
  const stopped = d.stop !== null ? `stopped, diverging: ${fmtG(c.lr[d.stop])}` : '';
  g.append(
    s('path', {class: 'lr-raw', d: path(c.loss), stroke: LR_COLORS.raw}, s('title', {}, 'minibatch loss')),
    s('path', {class: 'lr-smooth', d: path(c.smoothed), stroke: LR_COLORS.smooth}, s('title', {}, `smoothed loss (EMA, β = ${d.smoothing})`)),
    vline('lr-suggest', d.suggested_lr, LR_COLORS.suggest, null, suggested),
    vline('lr-min', d.min_lr, LR_COLORS.min, '6 4', lowest),
    d.stop !== null ? vline('lr-stop', c.lr[d.stop], LR_COLORS.stop, '2 3', stopped + ': ' + d.reason) : null,
    dot('lr-min-dot', d.min, LR_COLORS.min, `${lowest}, smoothed loss ${fmtLoss(c.smoothed[d.min])} at step ${c.step[d.min]}`),
    d.steepest !== d.min ? dot('lr-steep-dot', d.steepest, LR_COLORS.steep, `${steepest}, step ${c.step[d.steepest]}`) : null);
  const svg = s('svg', {class: 'chart lrfind', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'training loss by learning rate',
    dataset: {left, right, top, bottom, x0, x1, y0, y1}},
  s('defs', {}, s('clipPath', {id: clip}, s('rect', {x: left, y: top, width: right - left, height: bottom - top}))),
  grid, axis, g);
  box.replaceChildren(svg);

  const item = (key, label) => h('span', {class: 'item'}, key, label);
  const lineKey = (color, cls) => { const k = h('span', {class: 'key-line ' + (cls || '')}); k.style.borderTopColor = color; return k; };
  const dotKey = (color) => { const k = h('span', {class: 'key-dot'}); k.style.background = color; return k; };
  $('#lrfind-legend').replaceChildren(
    item(lineKey(LR_COLORS.raw), 'minibatch loss'),
    item(lineKey(LR_COLORS.smooth, 'thick'), `smoothed (EMA, β = ${d.smoothing})`),
    item(lineKey(LR_COLORS.suggest), suggested),
    item(lineKey(LR_COLORS.min, 'dashed'), lowest),
    d.steepest !== d.min ? item(dotKey(LR_COLORS.steep), steepest) : null,
    d.stop !== null ? item(lineKey(LR_COLORS.stop, 'dotted'), stopped) : null);
}
