#!/usr/bin/python3
"""PyTorch parity fixtures for rnnlab's recurrent engine (forward, loss and backprop through time).

Run with Debian's python3-torch and python3-numpy, from any directory:

    /usr/bin/python3 tools/make_parity_fixtures.py            # write every fixture, then verify them
    /usr/bin/python3 tools/make_parity_fixtures.py --check    # only verify the fixtures already written

Writes rnnlab-core/src/test/resources/org/rnnlab/parity/<case>.npz, one per case in CASES, named like
lstm_L2_V7_E5_H6_B3_T4. Each holds the lab notebook's model (Embedding -> nn.RNN|nn.LSTM|nn.GRU ->
Linear, dropout 0, batch_first) with its state_dict under PyTorch's own names, an input batch and a
random initial state, and what PyTorch computes from them in float32: logits, the cross-entropy loss,
the top layer's output sequence, the final state, and the gradients of

    J = loss + (h_n * dh_n).sum()  [+ (c_n * dc_n).sum() for lstm]

with respect to every parameter and the initial state (dh_n, dc_n are random, stored too), so the
fixtures also test backprop through time with an upstream gradient on the final state, as truncated
BPTT needs. The format is spelled out in the README.md written beside the fixtures (README_TEXT below).

Verification reloads every file with np.load and (1) recomputes it with PyTorch in float32, which must
agree bit for bit, (2) recomputes the forward pass with an independent numpy float64 implementation of
the documented equations, and (3) recomputes the gradients with PyTorch in float64; (2) and (3) must
agree to float32 rounding. The archives are written with fixed zip timestamps, so regenerating on the
same PyTorch build reproduces the files byte for byte.
"""
import argparse
import io
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test",
                                        "resources", "org", "rnnlab", "parity"))
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
MAX_TOTAL_BYTES = 3 * 1024 * 1024

# (cell, L, V, E, H, B, T, seed). Sizes are pairwise different so that a transposed matrix cannot pass.
CASES = [
    ("rnn_tanh", 1, 7, 5, 6, 3, 4, 101),
    ("rnn_tanh", 2, 7, 5, 6, 3, 4, 102),
    ("rnn_relu", 1, 7, 5, 6, 3, 4, 103),
    ("rnn_relu", 2, 7, 5, 6, 3, 4, 104),
    ("lstm", 1, 7, 5, 6, 3, 4, 105),
    ("lstm", 2, 7, 5, 6, 3, 4, 106),
    ("gru", 1, 7, 5, 6, 3, 4, 107),
    ("gru", 2, 7, 5, 6, 3, 4, 108),
    ("lstm", 3, 11, 4, 9, 2, 5, 109),
    ("gru", 3, 11, 4, 9, 2, 5, 110),
    ("lstm", 1, 7, 5, 6, 1, 1, 111),
    ("gru", 1, 7, 5, 6, 1, 1, 112),
    ("lstm", 1, 29, 64, 128, 2, 40, 113),  # the notebook's own size
    ("rnn_tanh", 1, 29, 64, 128, 2, 40, 114),
]


def module_name(cell):
    """The notebook's attribute name for the recurrent module: rnn (tanh and relu), lstm or gru."""
    return cell if cell in ("lstm", "gru") else "rnn"


def case_name(cell, L, V, E, H, B, T):
    return f"{cell}_L{L}_V{V}_E{E}_H{H}_B{B}_T{T}"


# ---------------------------------------------------------------------------------------------- the model

class CharModel(nn.Module):
    """The lab notebook's model; attribute names match the notebook so state_dict names do too."""

    def __init__(self, cell, V, E, H, L):
        super().__init__()
        self.cell = cell
        self.embedding = nn.Embedding(V, E)
        if cell in ("rnn_tanh", "rnn_relu"):
            self.rnn = nn.RNN(E, H, num_layers=L, nonlinearity=cell[4:], batch_first=True, dropout=0.0)
        elif cell == "lstm":
            self.lstm = nn.LSTM(E, H, num_layers=L, batch_first=True, dropout=0.0)
        elif cell == "gru":
            self.gru = nn.GRU(E, H, num_layers=L, batch_first=True, dropout=0.0)
        else:
            raise ValueError(f"unknown cell {cell!r}; expected one of {CELLS}")
        self.fc = nn.Linear(H, V)

    def recurrent(self):
        return getattr(self, module_name(self.cell))

    def forward(self, x, state):
        """x (B, T) int64; state h0 or (h0, c0). Returns logits (B, T, V), output (B, T, H), final state."""
        output, final = self.recurrent()(self.embedding(x), state)
        return self.fc(output), output, final


def objective(logits, target, final, dfinal):
    """loss (mean cross-entropy over B*T) and J = loss + sum(final * dfinal) over h_n (and c_n)."""
    V = logits.shape[-1]
    loss = nn.CrossEntropyLoss()(logits.reshape(-1, V), target.reshape(-1))
    J = loss
    for s, ds in zip(final, dfinal):
        J = J + (s * ds).sum()
    return loss, J


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


# ------------------------------------------------------------------------------------------------ inputs

def make_tokens(V, B, T, gen):
    """input and target (B, T): consecutive slices of a stream of random permutations of 0..V-1, so the
    input holds every id when B*T >= V, and input and target together do when 2*B*T >= V."""
    n = 2 * B * T
    perms = [torch.randperm(V, generator=gen) for _ in range(-(-n // V))]
    stream = torch.cat(perms)[:n]
    return stream[:B * T].reshape(B, T).clone(), stream[B * T:].reshape(B, T).clone()


def make_case(cell, L, V, E, H, B, T, seed):
    """Builds the model (PyTorch's default init, seeded) and draws inputs, initial state and the
    upstream gradient of the final state; runs forward and backward in float32; returns the arrays."""
    torch.manual_seed(seed)
    model = CharModel(cell, V, E, H, L).float()
    gen = torch.Generator().manual_seed(seed)
    inp, target = make_tokens(V, B, T, gen)
    n_state = 2 if cell == "lstm" else 1
    init = [(0.5 * torch.randn(L, B, H, generator=gen)).requires_grad_() for _ in range(n_state)]
    dfinal = [torch.randn(L, B, H, generator=gen) for _ in range(n_state)]

    state = tuple(init) if cell == "lstm" else init[0]
    logits, output, final = model(inp, state)
    loss, J = objective(logits, target, as_tuple(final), dfinal)
    model.zero_grad()
    J.backward()

    npf = lambda t: t.detach().numpy().astype("<f4")
    arrays = {
        "cell": np.frombuffer(cell.encode("ascii"), np.uint8),
        "dims": np.array([V, E, H, L, B, T], dtype="<i8"),
    }
    for name, p in model.state_dict().items():
        arrays[name] = npf(p)
    arrays["input"] = inp.numpy().astype("<i8")
    arrays["target"] = target.numpy().astype("<i8")
    state_names = ("h", "c")[:n_state]
    for s, t in zip(state_names, init):
        arrays[s + "0"] = npf(t)
    arrays["logits"] = npf(logits)
    arrays["loss"] = npf(loss)
    arrays["output"] = npf(output)
    for s, t in zip(state_names, as_tuple(final)):
        arrays[s + "_n"] = npf(t)
    for s, t in zip(state_names, dfinal):
        arrays["d" + s + "_n"] = npf(t)
    for name, p in model.named_parameters():
        arrays["grad." + name] = npf(p.grad)
    for s, t in zip(state_names, init):
        arrays["grad." + s + "0"] = npf(t.grad)
    return arrays


# ------------------------------------------------------------------------------------------------ writing

def write_npz(path, arrays):
    """An uncompressed .npz like np.savez, but with fixed timestamps (reproducible bytes), written to a
    temporary file and renamed."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
        for name, a in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(a, order="C"),  # ascontiguousarray would make () into (1,)
                                     version=(1, 0), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())
    os.replace(tmp, path)


README_TEXT = """\
# PyTorch parity fixtures

Made by `tools/make_parity_fixtures.py` with PyTorch {torch_version} (float32, CPU, one thread).
Regenerate (from any directory; it rewrites every file here, then verifies them):

    /usr/bin/python3 tools/make_parity_fixtures.py

`--check` only verifies the existing files. Regenerating on the same PyTorch build gives identical bytes.
This README is written by the script too: edit `README_TEXT` there, not this file.

## The model

The lab notebook's character model, in float32:

    Embedding(V, E) -> nn.RNN(nonlinearity=tanh|relu) | nn.LSTM | nn.GRU (E, H, num_layers=L,
                       batch_first=True, dropout=0) -> Linear(H, V)
    loss = nn.CrossEntropyLoss()(logits.view(-1, V), target.view(-1))      # mean over B*T

Module names are the notebook's: `embedding`, then `rnn` (both tanh and relu), `lstm` or `gru`, then `fc`.
Weights are PyTorch's default initialisation (biases non-zero), seeded per case with `torch.manual_seed`.

## Cases

{case_list}
## Arrays in each `<case>.npz`

Plain uncompressed numpy `.npz`, C order, little-endian. Dtypes: `<f4` (float32) unless stated.

| name | dtype | shape | meaning |
|---|---|---|---|
| `cell` | `\\|u1` | (len,) | ASCII bytes of the cell kind: `rnn_tanh`, `rnn_relu`, `lstm` or `gru` |
| `dims` | `<i8` | (6,) | `[V, E, H, L, B, T]` |
| `embedding.weight` | | (V, E) | |
| `<m>.weight_ih_l<k>` | | (G*H, E) for k=0, (G*H, H) above | `<m>` is `rnn`, `lstm` or `gru`; G = 1, 4, 3 |
| `<m>.weight_hh_l<k>` | | (G*H, H) | |
| `<m>.bias_ih_l<k>`, `<m>.bias_hh_l<k>` | | (G*H,) | two biases per layer, as PyTorch keeps them |
| `fc.weight` | | (V, H) | |
| `fc.bias` | | (V,) | |
| `input`, `target` | `<i8` | (B, T) | token ids in 0..V-1 |
| `h0` | | (L, B, H) | random non-zero initial hidden state |
| `c0` | | (L, B, H) | lstm only: initial cell state |
| `logits` | | (B, T, V) | |
| `loss` | | () | the CrossEntropyLoss value |
| `output` | | (B, T, H) | the top layer's hidden state at every step |
| `h_n` | | (L, B, H) | final hidden state of every layer |
| `c_n` | | (L, B, H) | lstm only: final cell state |
| `dh_n` | | (L, B, H) | random upstream gradient of `h_n` |
| `dc_n` | | (L, B, H) | lstm only: random upstream gradient of `c_n` |
| `grad.<param>` | | as `<param>` | dJ/d`<param>` for every parameter above, e.g. `grad.lstm.weight_hh_l1` |
| `grad.h0`, `grad.c0` | | (L, B, H) | dJ/d`h0` (and dJ/d`c0` for lstm) |

The gradients are those of

    J = loss + (h_n * dh_n).sum()   [+ (c_n * dc_n).sum() for lstm]

so they test backprop through time with an upstream gradient on the final state (truncated BPTT).
`grad.embedding.weight` rows of ids absent from `input` are zero (every id is present when B*T >= V).

## Equations (PyTorch's; gate blocks are consecutive row blocks of H in `weight_*` and `bias_*`)

Per layer k and step t, with x the layer's input (the embedding for k=0, layer k-1's h below) and h, c
the layer's previous state (`h0[k]`, `c0[k]` at t=0):

- rnn:  h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu
- lstm: rows `i f g o`: i, f, o = sigmoid(...), g = tanh(...) of (W_ih x + b_ih + W_hh h + b_hh);
        c' = f * c + i * g;  h' = o * tanh(c')
- gru:  rows `r z n`: r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn));  h' = (1 - z) * n + z * h

## Tolerances

The numbers are PyTorch's float32 results, not exact values. The script checks them against a float64
recomputation (numpy forward, PyTorch float64 backward). The largest differences it found, relative to
each array's largest magnitude, were:

    {worst}

A float32 engine summing in another order should agree with the fixtures to about 1e-5 of each array's
largest magnitude; the T=40 cases accumulate more rounding than the small ones.
"""


def write_readme(rows, worst):
    case_list = "".join(f"- `{name}.npz` ({size} bytes)\n" for name, size in rows)
    text = README_TEXT.format(torch_version=torch.__version__, case_list=case_list, worst=worst)
    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write(text)


# ----------------------------------------------------------------------------------------- verification

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_forward(f):
    """Independent float64 forward pass from the stored arrays, following the README's equations."""
    cell = bytes(f["cell"]).decode("ascii")
    V, E, H, L, B, T = (int(d) for d in f["dims"])
    m = module_name(cell)
    g = lambda name: f[name].astype(np.float64)
    x = g("embedding.weight")[f["input"]]  # (B, T, E)
    h_n, c_n = [], []
    for k in range(L):
        W_ih, W_hh = g(f"{m}.weight_ih_l{k}"), g(f"{m}.weight_hh_l{k}")
        b_ih, b_hh = g(f"{m}.bias_ih_l{k}"), g(f"{m}.bias_hh_l{k}")
        h = g("h0")[k]
        c = g("c0")[k] if cell == "lstm" else None
        ys = []
        for t in range(T):
            gi = x[:, t] @ W_ih.T + b_ih  # (B, G*H)
            gh = h @ W_hh.T + b_hh
            if cell == "rnn_tanh":
                h = np.tanh(gi + gh)
            elif cell == "rnn_relu":
                h = np.maximum(gi + gh, 0.0)
            elif cell == "lstm":
                a = gi + gh
                i, fg, gg, o = (a[:, j * H:(j + 1) * H] for j in range(4))
                c = sigmoid(fg) * c + sigmoid(i) * np.tanh(gg)
                h = sigmoid(o) * np.tanh(c)
            else:
                r = sigmoid(gi[:, :H] + gh[:, :H])
                z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
                n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
                h = (1 - z) * n + z * h
            ys.append(h)
        x = np.stack(ys, axis=1)  # (B, T, H): the next layer's input
        h_n.append(h)
        c_n.append(c)
    logits = x @ g("fc.weight").T + g("fc.bias")
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    loss = -np.take_along_axis(logp, f["target"][..., None], axis=-1).mean()
    out = {"logits": logits, "loss": np.float64(loss), "output": x, "h_n": np.stack(h_n)}
    if cell == "lstm":
        out["c_n"] = np.stack(c_n)
    return out


def torch_recompute(f, dtype):
    """Rebuilds the model from the stored arrays and reruns forward and backward in `dtype`."""
    cell = bytes(f["cell"]).decode("ascii")
    V, E, H, L, B, T = (int(d) for d in f["dims"])
    model = CharModel(cell, V, E, H, L).to(dtype)
    model.load_state_dict({k: torch.from_numpy(f[k]).to(dtype) for k in model.state_dict()})
    names = ("h", "c") if cell == "lstm" else ("h",)
    init = [torch.from_numpy(f[s + "0"]).to(dtype).requires_grad_() for s in names]
    dfinal = [torch.from_numpy(f["d" + s + "_n"]).to(dtype) for s in names]
    state = tuple(init) if cell == "lstm" else init[0]
    logits, output, final = model(torch.from_numpy(f["input"]), state)
    loss, J = objective(logits, torch.from_numpy(f["target"]), as_tuple(final), dfinal)
    J.backward()
    out = {"logits": logits, "loss": loss, "output": output}
    for s, t in zip(names, as_tuple(final)):
        out[s + "_n"] = t
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad
    for s, t in zip(names, init):
        out["grad." + s + "0"] = t.grad
    return {k: v.detach().numpy() for k, v in out.items()}


def expected_keys(cell, L):
    m = module_name(cell)
    params = ["embedding.weight"]
    for k in range(L):
        params += [f"{m}.weight_ih_l{k}", f"{m}.weight_hh_l{k}", f"{m}.bias_ih_l{k}", f"{m}.bias_hh_l{k}"]
    params += ["fc.weight", "fc.bias"]
    states = ["h", "c"] if cell == "lstm" else ["h"]
    keys = ["cell", "dims"] + params + ["input", "target"] + [s + "0" for s in states]
    keys += ["logits", "loss", "output"] + [s + "_n" for s in states] + ["d" + s + "_n" for s in states]
    keys += ["grad." + p for p in params] + ["grad." + s + "0" for s in states]
    return keys


def scaled_error(a, b):
    """max |a - b| relative to the largest magnitude of b (a float32 array is as good as its largest entry)."""
    b = np.asarray(b, np.float64)
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / max(np.max(np.abs(b)), 1e-30))


def verify(path, cell, L, V, E, H, B, T):
    """Checks one fixture file; returns the worst float64 disagreement (forward, gradients)."""
    with np.load(path, allow_pickle=False) as npz:
        f = {k: npz[k] for k in npz.files}
    name = os.path.basename(path)
    assert list(f) == expected_keys(cell, L), f"{name}: keys {list(f)}"
    assert bytes(f["cell"]).decode("ascii") == cell and f["cell"].dtype.str == "|u1"
    assert f["dims"].dtype.str == "<i8" and list(f["dims"]) == [V, E, H, L, B, T]
    for k in ("input", "target"):
        assert f[k].dtype.str == "<i8" and f[k].shape == (B, T) and f[k].min() >= 0 and f[k].max() < V
    ids = set(f["input"].ravel()) | set(f["target"].ravel())
    assert len(ids) == min(V, 2 * B * T), f"{name}: input and target cover only {len(ids)} of {V} ids"
    assert len(set(f["input"].ravel())) == min(V, B * T)
    for k, a in f.items():
        if k not in ("cell", "dims", "input", "target"):
            assert a.dtype.str == "<f4", f"{name}: {k} is {a.dtype.str}"
            assert np.all(np.isfinite(a)), f"{name}: {k} not finite"
    G = {"lstm": 4, "gru": 3}.get(cell, 1)
    shapes = {"logits": (B, T, V), "loss": (), "output": (B, T, H), "h0": (L, B, H), "h_n": (L, B, H),
              "dh_n": (L, B, H), "grad.h0": (L, B, H), "embedding.weight": (V, E), "fc.weight": (V, H),
              "fc.bias": (V,)}
    m = module_name(cell)
    for k in range(L):
        shapes[f"{m}.weight_ih_l{k}"] = (G * H, E if k == 0 else H)
        shapes[f"{m}.weight_hh_l{k}"] = (G * H, H)
        shapes[f"{m}.bias_ih_l{k}"] = shapes[f"{m}.bias_hh_l{k}"] = (G * H,)
    for k, s in list(shapes.items()):
        assert f[k].shape == s, f"{name}: {k} has shape {f[k].shape}, expected {s}"
        if not k.startswith("grad.") and k not in ("logits", "loss", "output", "h_n", "h0", "dh_n"):
            assert f["grad." + k].shape == s, f"{name}: grad.{k} has shape {f['grad.' + k].shape}"
        if k in ("h0", "h_n", "dh_n", "grad.h0") and cell == "lstm":
            assert f[k.replace("h", "c", 1)].shape == s
    assert np.all(f["h0"] != 0) and np.all(f["dh_n"] != 0)
    assert np.allclose(f["output"][:, -1], f["h_n"][-1], rtol=0, atol=0), f"{name}: output[:, -1] != h_n[-1]"

    # (1) PyTorch float32 again, from the reloaded arrays: must be bit for bit the same.
    again = torch_recompute(f, torch.float32)
    for k, v in again.items():
        assert np.array_equal(v, f[k]), f"{name}: {k} differs on float32 recomputation"

    # (2) independent numpy float64 forward, (3) PyTorch float64 gradients.
    fwd = numpy_forward(f)
    worst_fwd = max(scaled_error(f[k], v) for k, v in fwd.items())
    ref = torch_recompute(f, torch.float64)
    for k, v in ref.items():
        if not k.startswith("grad."):
            assert scaled_error(v, fwd[k]) < 1e-12, f"{name}: numpy and PyTorch float64 disagree on {k}"
    worst_grad = max(scaled_error(f[k], v) for k, v in ref.items() if k.startswith("grad."))
    tol = 1e-4 if T >= 40 else 2e-5
    assert worst_fwd < tol and worst_grad < tol, f"{name}: float64 disagreement {worst_fwd:.2e} {worst_grad:.2e}"
    return worst_fwd, worst_grad


# ------------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the fixtures already written")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    os.makedirs(OUT_DIR, exist_ok=True)

    if not args.check:
        for cell, L, V, E, H, B, T, seed in CASES:
            write_npz(os.path.join(OUT_DIR, case_name(cell, L, V, E, H, B, T) + ".npz"),
                      make_case(cell, L, V, E, H, B, T, seed))

    rows, total, worst_fwd, worst_grad = [], 0, 0.0, 0.0
    for cell, L, V, E, H, B, T, seed in CASES:
        name = case_name(cell, L, V, E, H, B, T)
        path = os.path.join(OUT_DIR, name + ".npz")
        fe, ge = verify(path, cell, L, V, E, H, B, T)
        size = os.path.getsize(path)
        rows.append((name, size))
        total += size
        worst_fwd, worst_grad = max(worst_fwd, fe), max(worst_grad, ge)
        print(f"ok  {name + '.npz':40s} {size:8d} bytes  float64 gap: forward {fe:.1e}, gradients {ge:.1e}")
    expected = {n + ".npz" for n, _ in rows} | {"README.md"}
    stray = sorted(set(os.listdir(OUT_DIR)) - expected)
    assert not stray, f"unexpected files in {OUT_DIR}: {stray}"
    assert total < MAX_TOTAL_BYTES, f"fixtures total {total} bytes, over {MAX_TOTAL_BYTES}"
    if not args.check:
        write_readme(rows, f"forward arrays {worst_fwd:.1e}, gradients {worst_grad:.1e}")
    print(f"{len(rows)} fixtures, {total} bytes in total, in {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
