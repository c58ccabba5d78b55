#!/usr/bin/python3
"""PyTorch's own completions from the notebook-trained test models, so that rnnlab can prove `rnnlab complete`.

Run with Debian's torch from the repository root, after make_notebook_pt_fixtures.py:
    /usr/bin/python3 tools/make_completion_fixtures.py
Reads rnnlab-core/src/test/resources/org/rnnlab/notebook/<case>.pt and .npz (the vocabulary) and writes <case>.completions.json:
a list of {"prompt", "mode", "window", "beam", "length", "stop", "unknown", "completion"}.

Every case is deterministic (no torch.multinomial: its random numbers cannot be rnnlab's), and every model call
runs the whole sequence from a zero state, as the notebook does, so the fixtures check rnnlab's carried state
against PyTorch's recomputation:
  - "notebook": the notebook's complete_prompt, line for line, with argmax in place of the multinomial draw:
    prompt.lower() called with max_len = vocab_size, characters outside the vocabulary silently dropped, the
    model fed the last seq_len = 40 characters of the result each step (the dropped ones still take a place).
    The first step feeds the whole prompt; the cases keep prompts shorter than 40, where the two agree.
  - "window": rnnlab's --window N --greedy: every step, including the first, sees the last N characters; with
    --unknown skip, the characters outside the vocabulary keep their place in the window, as in the notebook.
  - "greedy": argmax with the whole text so far as context (rnnlab's carried state), with an optional stop string.
  - "beam": beam search as rnnlab documents it (see beam() below), scores in float64.
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_notebook_pt_fixtures import Model  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab",
                    "notebook")
NOTEBOOK_PROMPTS = ["if (a == b) {", "while (x < 10) {", "for (i = 0; i < n; i++) {", "The cat"]
SHOUTED = "the dog BARKED at the MOON."  # capitals are not in the lab vocabulary: skipped, yet in the window
LONG = "if (user.is_logged_in()) { show_dashboard(); }\nthe dog barked"  # 61 characters, longer than a window


def load(name):
    arrays = np.load(os.path.join(HERE, name + ".npz"))
    chars = list(bytes(arrays["vocab"]).decode())
    nl = bytes(arrays["nonlinearity"]).decode()
    sd = torch.load(os.path.join(HERE, name + ".pt"))
    cell = next(k.split(".")[0] for k in sd if k.split(".")[0] in ("rnn", "lstm", "gru"))
    vocab, embed = sd["embedding.weight"].shape
    hidden = sd["fc.weight"].shape[1]
    layers = sum(1 for k in sd if k.startswith(cell + ".weight_ih_l"))
    model = Model(cell, vocab, embed, hidden, layers, nl)
    model.load_state_dict(sd)
    model.eval()
    return model, chars


def logits_after(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids]))[0, -1]


def notebook(model, chars, prompt):
    """complete_prompt(model, prompt.lower(), char2idx, idx2char, vocab_size), argmax for the draw."""
    char2idx = {c: i for i, c in enumerate(chars)}
    idx2char = dict(enumerate(chars))
    seq_len = 40
    prompt = prompt.lower()
    result = list(prompt)
    input_idx = torch.tensor([[char2idx[c] for c in prompt if c in char2idx]])
    with torch.no_grad():
        for _ in range(len(chars)):
            output = model(input_idx)
            pred = output[:, -1, :]
            next_idx = int(torch.argmax(pred.squeeze()))
            result.append(idx2char[next_idx])
            input_idx = torch.tensor([[char2idx[c] for c in result[-seq_len:] if c in char2idx]])
    return "".join(result)[len(prompt):]


def window(model, chars, prompt, n, length):
    """Characters outside the vocabulary keep their place in the window, as in the notebook."""
    c2i = {c: i for i, c in enumerate(chars)}
    text = list(prompt)
    out = []
    for _ in range(length):
        nxt = int(torch.argmax(logits_after(model, [c2i[c] for c in text[-n:] if c in c2i])))
        text.append(chars[nxt])
        out.append(chars[nxt])
    return "".join(out)


def greedy(model, chars, prompt, length, stop):
    c2i = {c: i for i, c in enumerate(chars)}
    ids = [c2i[c] for c in prompt]
    out = ""
    for _ in range(length):
        nxt = int(torch.argmax(logits_after(model, ids)))
        ids.append(nxt)
        out += chars[nxt]
        if stop and out.endswith(stop):
            break
    return out


def beam(model, chars, prompt, k, length, stop):
    """rnnlab's beam search. Each step extends every live beam by every character and keeps the k best
    extensions by total log-probability (ties: earlier beam, then lower character index). An extension whose
    completion ends with the stop string is finished and set aside; the others are the next step's beams. After
    `length` characters the live beams are finished too. The answer is the finished hypothesis with the highest
    total log-probability divided by its number of characters (ties: the earliest finished). The search also ends
    once no live beam can beat the best finished one: a live beam's score can at best become logP / length."""
    c2i = {c: i for i, c in enumerate(chars)}
    prefix = [c2i[c] for c in prompt]
    live = [([], 0.0)]
    finished = []  # (score, tokens)
    for t in range(length):
        cands = []
        for b, (toks, lp) in enumerate(live):
            logp = torch.log_softmax(logits_after(model, prefix + toks).double(), -1)
            for v in range(len(chars)):
                cands.append((lp + float(logp[v]), b, v))
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        nxt = []
        for lp, b, v in cands[:k]:
            toks = live[b][0] + [v]
            text = "".join(chars[i] for i in toks)
            if (stop and text.endswith(stop)) or t == length - 1:
                finished.append((lp / len(toks), toks))
            else:
                nxt.append((toks, lp))
        live = nxt
        if not live:
            break
        best = max(s for s, _ in finished) if finished else -math.inf
        if best >= max(lp / length for _, lp in live):
            break
    best = max(range(len(finished)), key=lambda i: (finished[i][0], -i))
    return "".join(chars[i] for i in finished[best][1])


def main():
    torch.set_num_threads(1)
    for name in ["lstm_L1_notebook", "rnn_L1_notebook", "gru_L3_lab", "lstm_L2_unicode"]:
        model, chars = load(name)
        cases = []

        def add(prompt, mode, completion, window=0, beam_width=0, length=0, stop="", unknown="error"):
            cases.append({"prompt": prompt, "mode": mode, "window": window, "beam": beam_width, "length": length,
                          "stop": stop, "unknown": unknown, "completion": completion})

        lab_prompts = ["the cat", "if (a == b) {", "for (i = 0; i < n; i++) {", "while (x > 0) {"]
        if name.endswith("_lab") or name.endswith("_notebook"):
            for p in NOTEBOOK_PROMPTS:
                add(p.lower(), "notebook", notebook(model, chars, p), window=40, length=len(chars), unknown="skip")
            add(LONG, "window", window(model, chars, LONG, 40, 60), window=40, length=60)
            add(LONG, "window", window(model, chars, LONG, 7, 30), window=7, length=30)
            for n in (3, 5, 8):
                add(SHOUTED, "window", window(model, chars, SHOUTED, n, 30), window=n, length=30, unknown="skip")
        else:
            lab_prompts = ["el niño comió 🍎", "😀", "the cat"]
        for p in lab_prompts:
            add(p, "greedy", greedy(model, chars, p, 150, ""), length=150)
            add(p, "greedy", greedy(model, chars, p, 150, "\n"), length=150, stop="\n")
            add(p, "beam", beam(model, chars, p, 1, 40, "\n"), beam_width=1, length=40, stop="\n")
            add(p, "beam", beam(model, chars, p, 3, 40, ""), beam_width=3, length=40)
            add(p, "beam", beam(model, chars, p, 4, 60, ";"), beam_width=4, length=60, stop=";")
            add(p, "beam", beam(model, chars, p, 5, 60, "\n"), beam_width=5, length=60, stop="\n")
        with open(os.path.join(HERE, name + ".completions.json"), "w", encoding="utf-8") as f:
            json.dump(cases, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(name, len(cases), "cases")


if __name__ == "__main__":
    main()
