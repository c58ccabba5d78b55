// rnnlab playground: picks a model, streams completions from POST /v1/complete (Server-Sent Events over fetch),
// and shows the next-character distribution at the cursor from POST /v1/next. Plain JavaScript, no dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { models: [], controller: null, nextTimer: null, nextSeq: 0 };

// Characters that would be invisible in a label get a visible stand-in.
function visible(ch) {
  switch (ch) {
    case "\n": return "⏎";
    case " ": return "␣";
    case "\t": return "⇥";
    case "\r": return "␍";
    default: return ch;
  }
}

function showError(message, unknown) {
  const box = $("error");
  box.textContent = "";
  box.append(document.createTextNode(message));
  if (unknown && unknown.length) {
    const p = document.createElement("div");
    p.append(document.createTextNode("Not in the vocabulary: "));
    for (const ch of unknown) {
      const m = document.createElement("mark");
      m.textContent = visible(ch);
      p.append(m, document.createTextNode(" "));
    }
    box.append(p);
  }
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

async function api(path, body, signal) {
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!res.ok) {
    let err = { message: res.status + " " + res.statusText };
    try { err = (await res.json()).error || err; } catch (e) { /* not JSON */ }
    const e = new Error(err.message);
    e.detail = err;
    throw e;
  }
  return res;
}

function currentModel() {
  return state.models.find((m) => m.name === $("model").value);
}

function renderFacts(m) {
  const facts = $("facts");
  facts.textContent = "";
  const rows = [
    ["cell", m.cell.toUpperCase()],
    ["layers × hidden", m.layers + " × " + m.hidden],
    ["embedding", m.embed],
    ["parameters", Number(m.parameters).toLocaleString("en")],
    ["vocabulary", m.vocab_size + " characters"],
  ];
  for (const [k, v] of Object.entries(m)) {
    if (["name", "cell", "layers", "hidden", "embed", "parameters", "vocab_size", "vocabulary"].includes(k)) continue;
    rows.push([k.replace(/_/g, " "), typeof v === "number" ? +v.toFixed(4) : typeof v === "object" ? JSON.stringify(v) : v]);
  }
  for (const [k, v] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    facts.append(dt, dd);
  }
  const dt = document.createElement("dt");
  dt.textContent = "characters";
  const dd = document.createElement("dd");
  dd.className = "vocab";
  dd.textContent = Array.from(m.vocabulary).map(visible).join("");
  facts.append(dt, dd);
}

async function loadModels() {
  const res = await api("/v1/models");
  state.models = (await res.json()).models;
  const select = $("model");
  select.textContent = "";
  for (const m of state.models) {
    const o = document.createElement("option");
    o.value = m.name;
    o.textContent = m.name + " (" + m.cell + ")";
    select.append(o);
  }
  renderFacts(state.models[0]);
  scheduleNext();
}

function renderBars(chars, logprobs) {
  const order = logprobs.map((lp, i) => [lp, i]).sort((a, b) => b[0] - a[0]).slice(0, 12);
  const bars = $("bars");
  bars.textContent = "";
  const top = Math.exp(order[0][0]);
  let shown = 0;
  for (const [lp, i] of order) {
    const p = Math.exp(lp);
    shown += p;
    const ch = document.createElement("span");
    ch.className = "ch";
    ch.textContent = visible(chars[i]);
    ch.title = JSON.stringify(chars[i]);
    const track = document.createElement("div");
    track.className = "track";
    const fill = document.createElement("div");
    fill.className = "fill";
    fill.style.width = (100 * p / top).toFixed(1) + "%";
    track.append(fill);
    const pct = document.createElement("span");
    pct.className = "p";
    pct.textContent = (100 * p).toFixed(p < 0.1 ? 1 : 0) + "%";
    bars.append(ch, track, pct);
  }
  $("bars-note").textContent = chars.length > order.length
    ? "Top " + order.length + " of " + chars.length + " characters (" + (100 * shown).toFixed(0) + "% of the probability)."
    : "";
}

// The distribution after the text left of the cursor, debounced while typing.
function scheduleNext() {
  clearTimeout(state.nextTimer);
  state.nextTimer = setTimeout(updateNext, 120);
}

async function updateNext() {
  const ta = $("prompt");
  const before = ta.value.slice(0, ta.selectionStart);
  const seq = ++state.nextSeq;
  if (!before) {
    $("bars").textContent = "";
    $("bars-note").textContent = "Place the cursor after some text.";
    return;
  }
  try {
    const res = await api("/v1/next", { model: $("model").value, prompt: before });
    const body = await res.json();
    if (seq === state.nextSeq) {
      renderBars(body.chars, body.logprobs);
      clearError();
    }
  } catch (e) {
    if (seq === state.nextSeq) {
      $("bars").textContent = "";
      $("bars-note").textContent = "";
      showError(e.message, e.detail && e.detail.unknown);
    }
  }
}

function request() {
  return {
    model: $("model").value,
    prompt: $("prompt").value,
    length: Number($("length").value),
    temperature: Number($("temperature").value),
    top_k: Number($("top_k").value),
    top_p: Number($("top_p").value),
    seed: Number($("seed").value),
    greedy: $("greedy").checked,
    stream: true,
  };
}

async function generate() {
  if (state.controller) return;
  clearError();
  const body = request();
  const out = $("output");
  out.textContent = "";
  const promptSpan = document.createElement("span");
  promptSpan.className = "prompt";
  promptSpan.textContent = body.prompt;
  const gen = document.createElement("span");
  gen.className = "gen";
  gen.id = "generated";
  const caret = document.createElement("span");
  caret.className = "caret";
  caret.textContent = " ";
  out.append(promptSpan, gen, caret);
  state.controller = new AbortController();
  $("generate").disabled = true;
  $("stop").disabled = false;
  $("status").textContent = "Generating…";
  const started = performance.now();
  let count = 0;
  try {
    const res = await api("/v1/complete", body, state.controller.signal);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (!data) continue;
        const msg = JSON.parse(data);
        if (event === "token") {
          gen.textContent += msg.text;
          count += Array.from(msg.text).length;
        } else if (event === "done") {
          const secs = (performance.now() - started) / 1000;
          $("status").textContent = count + " characters in " + secs.toFixed(2) + " s · " + msg.finish_reason + " · seed " + msg.seed;
        } else if (event === "error") {
          showError(msg.error.message, msg.error.unknown);
        }
      }
    }
  } catch (e) {
    if (e.name === "AbortError") {
      $("status").textContent = "Stopped after " + count + " characters.";
    } else {
      $("status").textContent = "";
      showError(e.message, e.detail && e.detail.unknown);
    }
  } finally {
    caret.remove();
    state.controller = null;
    $("generate").disabled = false;
    $("stop").disabled = true;
  }
}

// The explorer's page for a text, from POST /v1/explore, shown in a sandboxed frame (its own script only).
async function explore() {
  const box = $("explore-error");
  box.hidden = true;
  let text = $("explore-text").value;
  if (!text) text = $("output").querySelector(".prompt") ? $("output").textContent : $("prompt").value;
  const status = $("explore-status");
  status.textContent = "Reading " + Array.from(text).length + " characters…";
  $("explore").disabled = true;
  const started = performance.now();
  try {
    const res = await api("/v1/explore", { model: $("model").value, text });
    const html = await res.text();
    const frame = $("explore-view");
    frame.srcdoc = html;
    frame.hidden = false;
    status.textContent = Array.from(text).length + " characters read in " + ((performance.now() - started) / 1000).toFixed(2)
      + " s · page " + (html.length / 1e6).toFixed(2) + " MB";
  } catch (e) {
    status.textContent = "";
    box.textContent = e.message;
    box.hidden = false;
  } finally {
    $("explore").disabled = false;
  }
}

function stop() {
  if (state.controller) state.controller.abort();
}

document.addEventListener("DOMContentLoaded", () => {
  $("generate").addEventListener("click", generate);
  $("stop").addEventListener("click", stop);
  $("explore").addEventListener("click", explore);
  $("model").addEventListener("change", () => { renderFacts(currentModel()); scheduleNext(); });
  const ta = $("prompt");
  for (const ev of ["input", "click", "keyup", "select"]) ta.addEventListener(ev, scheduleNext);
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); generate(); }
    if (e.key === "Escape") stop();
  });
  loadModels().catch((e) => showError("Could not load the models: " + e.message));
});
