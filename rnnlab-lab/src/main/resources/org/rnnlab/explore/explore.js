// rnnlab explore: the text coloured by one cell, the next characters on hover, the cells of a selected span.
// Everything comes from the JSON in #ex-data (written by org.rnnlab.explore.ExplorePage); nothing is fetched.
// Only the lines on screen are in the document: a text of 100,000 characters scrolls like one of 100.
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('ex-data').textContent);
  const $ = id => document.getElementById(id);
  const chars = Array.from(D.text); // code points, as the model read them
  const T = chars.length, H = D.hidden, S = D.states.length, K = D.topK;

  function bytes(b64) {
    const s = atob(b64), u = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    return u;
  }
  // Activations: one signed byte per cell and character, unit-major, scaled per cell (value = q / 127 * scale).
  const states = D.states.map(s => ({ label: s.label, kind: s.kind, scale: s.scale, limit: s.limit,
    q: new Int8Array(bytes(s.data).buffer) }));
  const corr = new Int8Array(bytes(D.corr).buffer); // [feature][state][cell] r in hundredths, -128 undefined
  const topIndex = new DataView(bytes(D.topIndex).buffer), topProb = new DataView(bytes(D.topProb).buffer);
  const value = (s, j, t) => states[s].q[j * T + t] / 127 * states[s].scale[j];
  // The |value| drawn darkest (ExplorePage.colourLimits): 1 for a tanh h, a cell's own range for c.
  const limit = (s, j) => states[s].limit[j];

  // ColorBrewer's RdBu, the report's heat-map scale (org.rnnlab.report.Palette), in 255 steps over [-1, 1].
  const RDBU = [[5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
    [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]];
  const STYLE = [];
  for (let i = 0; i < 255; i++) {
    const u = i / 254 * (RDBU.length - 1), k = Math.min(RDBU.length - 2, Math.floor(u)), f = u - k;
    const c = [0, 1, 2].map(n => Math.round(RDBU[k][n] + (RDBU[k + 1][n] - RDBU[k][n]) * f));
    const dark = Math.abs(i / 127 - 1) > 0.62;
    STYLE.push('background:rgb(' + c.join(',') + ');color:' + (dark ? '#fff' : '#111'));
  }

  const cur = { state: D.initial.state, unit: D.initial.unit, span: null, marks: null };
  let colour = new Uint8Array(T); // STYLE index of every character for the chosen cell

  // ---- layout: visual rows of at most `cols` characters, broken after each newline ----
  const box = $('ex-text'), spacer = $('ex-spacer'), rowsEl = $('ex-rows');
  const LH = 20;
  let rowStart = new Int32Array([0, T]), rows = 1;

  function layout() {
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
    probe.textContent = 'M'.repeat(64);
    box.appendChild(probe);
    const w = probe.getBoundingClientRect().width / 64 || 8.4;
    probe.remove();
    const cols = Math.max(16, Math.floor((box.clientWidth - 28) / w));
    const starts = [0];
    for (let t = 0, col = 0; t < T; t++) {
      col++;
      if ((chars[t] === '\n' || col >= cols) && t + 1 < T) {
        starts.push(t + 1);
        col = 0;
      }
    }
    starts.push(T);
    rowStart = Int32Array.from(starts);
    rows = starts.length - 1;
    spacer.style.height = rows * LH + 'px';
  }

  function rowOf(t) { // the row holding character t (binary search)
    let lo = 0, hi = rows - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (rowStart[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function visible(ch) { // a character as drawn, whitespace and controls made visible, and its class
    if (ch === '\n') return ['↵', 'nl'];
    if (ch === '\t') return ['⇥', 'tab'];
    const c = ch.codePointAt(0);
    if (c < 32 || c === 127) return [String.fromCodePoint(c === 127 ? 0x2421 : 0x2400 + c), 'tab'];
    return [ch, ''];
  }
  const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  function render() {
    const first = Math.max(0, Math.floor(box.scrollTop / LH) - 8);
    const last = Math.min(rows, Math.ceil((box.scrollTop + box.clientHeight) / LH) + 8);
    const out = [];
    const span = cur.span, marks = cur.marks;
    for (let r = first; r < last; r++) {
      out.push('<div class="ex-row" style="top:' + r * LH + 'px">');
      for (let t = rowStart[r]; t < rowStart[r + 1]; t++) {
        const [g, cls0] = visible(chars[t]);
        let cls = cls0;
        if (marks && marks[t]) cls += ' m';
        if (span && t >= span[0] && t <= span[1]) cls += ' s';
        out.push('<span data-t="' + t + '"' + (cls ? ' class="' + cls.trim() + '"' : '') + ' style="' + STYLE[colour[t]] + '">' + esc(g) + '</span>');
      }
      out.push('</div>');
    }
    rowsEl.innerHTML = out.join('');
  }

  let pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }
  box.addEventListener('scroll', soon);
  window.addEventListener('resize', () => { layout(); render(); });

  // ---- the chosen cell ----
  const stateSelect = $('ex-state'), unitInput = $('ex-unit');
  D.states.forEach((s, i) => stateSelect.add(new Option(s.label, String(i))));

  const cellLabel = (s, j) => states[s].label + ' ' + j;
  const fmt = (v, d) => (v < 0 ? '−' : '+') + Math.abs(v).toFixed(d);

  function choose(s, j) {
    const stateChanged = s !== cur.state;
    cur.state = s;
    cur.unit = j;
    stateSelect.value = String(s);
    unitInput.value = String(j);
    const k = states[s].scale[j] / limit(s, j), q = states[s].q, base = j * T;
    for (let t = 0; t < T; t++) colour[t] = Math.max(0, Math.min(254, Math.round((q[base + t] / 127 * k + 1) * 127)));
    const lim = limit(s, j);
    $('ex-lo').textContent = fmt(-lim, lim >= 10 ? 0 : 2);
    $('ex-hi').textContent = fmt(lim, lim >= 10 ? 0 : 2);
    let best = -1, bestR = 0;
    for (let f = 0; f < D.features.length; f++) {
      const r = corr[(f * S + s) * H + j];
      if (r !== -128 && Math.abs(r) > Math.abs(bestR)) { best = f; bestR = r; }
    }
    $('ex-cell-info').textContent = cellLabel(s, j) + (best < 0 ? '' : ' · follows ' + D.features[best].name + ' best (r = '
      + fmt(bestR / 100, 2) + ')');
    document.querySelectorAll('.ex-pick').forEach(b => b.classList.toggle('on', +b.dataset.state === s && +b.dataset.unit === j));
    if (stateChanged && cur.span) analyse();
    render();
  }

  stateSelect.addEventListener('change', () => choose(+stateSelect.value, cur.unit));
  unitInput.addEventListener('change', () => {
    const j = Math.max(0, Math.min(H - 1, Math.round(+unitInput.value || 0)));
    choose(cur.state, j);
  });
  document.querySelectorAll('.ex-pick').forEach(b => b.addEventListener('click', () => choose(+b.dataset.state, +b.dataset.unit)));

  // ---- hover: the model's likeliest next characters after this one ----
  const tip = $('ex-tip');
  let tipAt = -1;
  const pct = p => p >= 0.1 ? (100 * p).toFixed(1) + '%' : p >= 0.0001 ? (100 * p).toPrecision(2) + '%' : '<0.01%';
  const describe = ch => ch === '\n' ? 'newline' : ch === ' ' ? 'space' : ch === '\t' ? 'tab' : '‘' + esc(visible(ch)[0]) + '’';

  function showTip(t, x, y) {
    if (tipAt !== t) {
      tipAt = t;
      const out = ['<div>after ' + describe(chars[t]) + ' <span class="ex-r">(character ' + t + ')</span> · '
        + cellLabel(cur.state, cur.unit) + ' = ' + value(cur.state, cur.unit, t).toFixed(3) + '</div><ol id="ex-top5">'];
      for (let i = 0; i < K; i++) {
        const idx = topIndex.getUint16((t * K + i) * 2, true), p = topProb.getUint16((t * K + i) * 2, true) / 65535;
        out.push('<li><code>' + esc(D.vocab[idx] === ' ' ? '␣' : visible(D.vocab[idx])[0]) + '</code><span class="bar" style="width:' + (100 * p).toFixed(1)
          + '%"></span><span class="p">' + pct(p) + '</span></li>');
      }
      tip.innerHTML = out.join('') + '</ol>';
    }
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, innerWidth - w - 8)) + 'px';
    tip.style.top = (y + 18 + h > innerHeight ? Math.max(4, y - h - 10) : y + 18) + 'px';
  }
  box.addEventListener('mousemove', ev => {
    const el = ev.target.closest && ev.target.closest('span[data-t]');
    if (el) showTip(+el.dataset.t, ev.clientX, ev.clientY); else tip.hidden = true;
  });
  box.addEventListener('mouseleave', () => { tip.hidden = true; });

  // ---- a selected span: the cells on across it and off around it, and where they fire together ----
  function at(node, offset, end) { // the character at one end of a selection
    let el = node.nodeType === 3 ? node.parentElement : node;
    if (el.closest && el.closest('span[data-t]')) return +el.closest('span[data-t]').dataset.t;
    // an end between spans (in a row's padding): the span next to it
    const kids = el.childNodes;
    const k = kids[Math.min(kids.length - 1, end ? offset - 1 : offset)];
    const s = k && k.nodeType === 1 && (k.matches('span[data-t]') ? k : k.querySelector && k.querySelector(end ? 'span[data-t]:last-child' : 'span[data-t]'));
    return s ? +s.dataset.t : null;
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const r = sel.getRangeAt(0);
    if (!box.contains(r.startContainer) || !box.contains(r.endContainer)) return;
    let a = at(r.startContainer, r.startOffset, false), b = at(r.endContainer, r.endOffset, true);
    if (a === null || b === null) return;
    // a selection that ends at the very start of a character does not take it
    if (r.endContainer.nodeType === 3 && r.endOffset === 0 && b > a) b--;
    if (a > b) [a, b] = [b, a];
    cur.span = [a, b];
    analyse();
    render();
  }
  box.addEventListener('mouseup', () => setTimeout(readSelection, 0));
  box.addEventListener('keyup', ev => { if (ev.shiftKey) readSelection(); });

  function analyse() {
    const [a, b] = cur.span, s = cur.state;
    const th = +$('ex-threshold').value, m = Math.max(0, Math.round(+$('ex-around').value || 0));
    $('ex-threshold-value').textContent = th.toFixed(2);
    // on the cell's own scale (value / its colour limit), so that one threshold fits h in [-1, 1] and c alike
    const on = [];
    for (let j = 0; j < H; j++) {
      let ok = true, sum = 0;
      const lim = limit(s, j);
      for (let t = a; t <= b && ok; t++) {
        const v = value(s, j, t) / lim;
        if (v > th) sum += v; else ok = false;
      }
      for (let t = Math.max(0, a - m); t < a && ok; t++) if (value(s, j, t) / lim > th) ok = false;
      for (let t = b + 1; t <= Math.min(T - 1, b + m) && ok; t++) if (value(s, j, t) / lim > th) ok = false;
      if (ok) on.push([j, sum / (b - a + 1)]);
    }
    on.sort((x, y) => y[1] - x[1]);
    const text = chars.slice(a, b + 1).map(c => visible(c)[0]).join('');
    $('ex-span-note').textContent = '“' + (text.length > 40 ? text.slice(0, 40) + '…' : text) + '” (characters ' + a + '–' + b
      + '): ' + on.length + ' cell' + (on.length === 1 ? '' : 's') + ' of ' + states[s].label + ' above ' + th.toFixed(2)
      + ' (of its range) across it' + (m ? ' and below it for ' + m + ' character' + (m === 1 ? '' : 's') + ' around it' : '')
      + (on.length ? ', by mean activation:' : '. Lower the threshold, select a shorter span or choose another state.');
    const list = $('ex-span-cells');
    list.innerHTML = on.map(([j, mean]) => '<li><button type="button" data-unit="' + j + '" title="mean ' + mean.toFixed(2)
      + ' across the span">' + cellLabel(s, j) + '</button></li>').join('');
    list.querySelectorAll('button').forEach(btn => btn.addEventListener('click', () => choose(s, +btn.dataset.unit)));

    const marks = new Uint8Array(T), runs = [];
    if (on.length) {
      for (let t = 0; t < T; t++) {
        let all = true;
        for (let i = 0; i < on.length && all; i++) all = value(s, on[i][0], t) / limit(s, on[i][0]) > th;
        if (all) {
          marks[t] = 1;
          if (runs.length && runs[runs.length - 1][1] === t - 1) runs[runs.length - 1][1] = t; else runs.push([t, t]);
        }
      }
    }
    cur.marks = on.length ? marks : null;
    const count = runs.reduce((n, r) => n + r[1] - r[0] + 1, 0);
    $('ex-matches-note').textContent = on.length ? 'Together they fire at ' + runs.length + ' place' + (runs.length === 1 ? '' : 's')
      + ' (' + count + ' characters, underlined in the text)' + (runs.length > 100 ? '; the first 100:' : ':') : '';
    const piece = (from, to) => esc(chars.slice(Math.max(0, from), Math.max(0, to)).map(c => visible(c)[0]).join(''));
    const ml = $('ex-matches');
    ml.innerHTML = runs.slice(0, 100).map(([x, y]) => '<li><button type="button" data-t="' + x + '">' + piece(x - 12, x)
      + '<mark>' + piece(x, Math.min(y + 1, x + 40)) + '</mark>' + piece(y + 1, y + 13) + '</button></li>').join('');
    ml.querySelectorAll('button').forEach(btn => btn.addEventListener('click', () => reveal(+btn.dataset.t)));
  }
  ['ex-threshold', 'ex-around'].forEach(id => $(id).addEventListener('input', () => {
    $('ex-threshold-value').textContent = (+$('ex-threshold').value).toFixed(2);
    if (cur.span) { analyse(); render(); }
  }));

  function reveal(t) { // scrolls character t into the middle of the view and flashes it
    box.scrollTop = Math.max(0, rowOf(t) * LH - box.clientHeight / 3);
    render();
    const el = rowsEl.querySelector('span[data-t="' + t + '"]');
    if (el) el.classList.add('flash');
  }

  layout();
  choose(cur.state, cur.unit);
})();
