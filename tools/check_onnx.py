#!/usr/bin/python3
"""Checks ONNX files written by `rnnlab convert --out FILE.onnx` with ONNX's own tools, independently of the
runtime the Java tests use (ONNX Runtime).

Run with Debian's python3-onnx (ONNX 1.12, opset 17) and numpy, from any directory:

  /usr/bin/python3 tools/check_onnx.py FILE.onnx...
      onnx.checker.check_model(model, full_check=True) on each file (the schema of every operator, its attributes,
      the graph's wiring, and strict shape inference over the whole graph), then what rnnlab promises beyond that:
      opset 17, IR version 8, inputs tokens (T, B) int64 and h_0 [c_0] (L, B, H), outputs logits, log_probs (T, B, V)
      and h_n [c_n], T and B dynamic, and the metadata: vocabulary (V characters), vocabulary_code_points, config.

  /usr/bin/python3 tools/check_onnx.py --complete PROMPT [--length N] FILE.onnx
      also greedy-completes PROMPT by running the graph with the numpy evaluator below (ONNX's operators written
      from their specification, in float64), carrying h_n [c_n] into the next step's h_0 [c_0]: the text should be
      `rnnlab complete --greedy`'s.

  /usr/bin/python3 tools/check_onnx.py --readme docs/commands.md FILE.onnx
      runs the Python example under the README's "Export to ONNX" as it is printed, on FILE.onnx (which the
      example opens as lab.onnx), and prints what it prints. The example is written for onnxruntime; where that
      cannot be imported (Debian does not package it) the numpy evaluator stands in for onnxruntime.InferenceSession,
      with the same calls (get_modelmeta().custom_metadata_map, get_inputs(), run(output_names, feeds)).

Python is never needed by rnnlab or its tests; this script is for checking by hand.
"""
import argparse
import json
import os
import re
import sys
import tempfile
import types

import numpy as np
import onnx
from onnx import numpy_helper


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == 8, model.ir_version
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)], model.opset_import
    meta = {p.key: p.value for p in model.metadata_props}
    config = json.loads(meta["config"])
    vocab = meta["vocabulary"]
    assert len(vocab) == config["vocab"], (len(vocab), config)
    assert [int(c) for c in meta["vocabulary_code_points"].split()] == [ord(c) for c in vocab]
    L, H, V = config["layers"], config["hidden"], config["vocab"]
    lstm = config["cell"] == "lstm"

    def shape(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    state = ["h_0", "c_0"] if lstm else ["h_0"]
    inputs = {v.name: shape(v) for v in model.graph.input}
    outputs = {v.name: shape(v) for v in model.graph.output}
    assert inputs == {"tokens": ["T", "B"], **{s: [L, "B", H] for s in state}}, inputs
    assert outputs == {"logits": ["T", "B", V], "log_probs": ["T", "B", V],
                       **{s.replace("_0", "_n"): [L, "B", H] for s in state}}, outputs
    ops = [n.op_type for n in model.graph.node]
    cell_op = {"rnn_tanh": "RNN", "rnn_relu": "RNN", "lstm": "LSTM", "gru": "GRU"}[config["cell"]]
    assert ops.count(cell_op) == L, ops
    print(f"ok {path}: check_model(full_check=True) passed; {config['cell']} V {V} E {config['embed']} H {H} L {L}, "
          f"{len(model.graph.node)} nodes ({', '.join(sorted(set(ops)))}), opset 17, IR 8, {os.path.getsize(path)} bytes")
    return model


# ---- a numpy evaluator of the operators rnnlab's graphs use, from ONNX's operator specification (opset 17) ----

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {"Tanh": np.tanh, "Relu": lambda x: np.maximum(x, 0), "Sigmoid": sigmoid}


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def recurrent(node, x, w, r, b, h0, c0=None):
    """RNN, LSTM and GRU, forward direction, no sequence_lens: Y (T, 1, B, H), Y_h (1, B, H) [, Y_c]."""
    a = attrs(node)
    H = a["hidden_size"]
    w, r, b = w[0], r[0], b[0]
    wb, rb = b[:len(b) // 2], b[len(b) // 2:]
    h = h0[0]
    c = None if c0 is None else c0[0]
    ys = []
    for xt in x:
        if node.op_type == "RNN":
            f = ACTIVATIONS[a.get("activations", [b"Tanh"])[0].decode()]
            h = f(xt @ w.T + h @ r.T + wb + rb)
        elif node.op_type == "LSTM":     # gates i o f c
            g = xt @ w.T + h @ r.T + wb + rb
            i, o, f, cc = (g[:, k * H:(k + 1) * H] for k in range(4))
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
            h = sigmoid(o) * np.tanh(c)
        else:                            # GRU, gates z r h
            gx, gh = xt @ w.T + wb, h @ r.T + rb
            z = sigmoid(gx[:, :H] + gh[:, :H])
            rr = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
            if a.get("linear_before_reset", 0):
                n = np.tanh(gx[:, 2 * H:] + rr * gh[:, 2 * H:])
            else:
                n = np.tanh(gx[:, 2 * H:] + (rr * h) @ r[2 * H:].T + rb[2 * H:])
            h = (1 - z) * n + z * h
        ys.append(h)
    out = [np.stack(ys)[:, None], h[None]]
    return out + ([c[None]] if c0 is not None else [])


def evaluate(model, feeds):
    values = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == onnx.TensorProto.FLOAT
              else numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update({k: (v.astype(np.float64) if v.dtype == np.float32 else v) for k, v in feeds.items()})
    for node in model.graph.node:
        x = [values[i] if i else None for i in node.input]
        a = attrs(node)
        op = node.op_type
        if op == "Gather":
            out = [np.take(x[0], x[1], axis=a.get("axis", 0))]
        elif op == "Split":
            out = np.split(x[0], len(node.output), axis=a.get("axis", 0))
        elif op in ("RNN", "LSTM", "GRU"):
            assert x[4] is None, "sequence_lens is not used"
            out = recurrent(node, x[0], x[1], x[2], x[3], x[5], x[6] if len(x) > 6 else None)
        elif op == "Squeeze":
            out = [np.squeeze(x[0], axis=tuple(x[1]))]
        elif op == "Concat":
            out = [np.concatenate(x, axis=a["axis"])]
        elif op == "MatMul":
            out = [x[0] @ x[1]]
        elif op == "Add":
            out = [x[0] + x[1]]
        elif op == "LogSoftmax":
            m = x[0].max(axis=a.get("axis", -1), keepdims=True)
            out = [x[0] - m - np.log(np.exp(x[0] - m).sum(axis=a.get("axis", -1), keepdims=True))]
        else:
            raise SystemExit(f"check_onnx: the numpy evaluator has no {op}")
        values.update(zip(node.output, out))
    return {v.name: values[v.name].astype(np.float32) for v in model.graph.output}


class NumpySession:
    """The few calls of onnxruntime.InferenceSession that the README's example makes, on the numpy evaluator."""

    def __init__(self, path):
        self.model = onnx.load(path)

    def get_modelmeta(self):
        return types.SimpleNamespace(custom_metadata_map={p.key: p.value for p in self.model.metadata_props})

    def get_inputs(self):
        return [types.SimpleNamespace(name=v.name, shape=[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
                for v in self.model.graph.input]

    def run(self, output_names, feeds):
        out = evaluate(self.model, feeds)
        return [out[n] for n in (output_names or [v.name for v in self.model.graph.output])]


def complete(model, prompt, length):
    meta = {p.key: p.value for p in model.metadata_props}
    vocab = meta["vocabulary"]
    config = json.loads(meta["config"])
    shape = (config["layers"], 1, config["hidden"])
    state = {"h_0": np.zeros(shape, np.float32)}
    if config["cell"] == "lstm":
        state["c_0"] = np.zeros(shape, np.float32)
    tokens, text = [vocab.index(c) for c in prompt], ""
    for _ in range(length):
        out = evaluate(model, {"tokens": np.array(tokens, np.int64).reshape(-1, 1), **state})
        tokens = [int(out["log_probs"][-1, 0].argmax())]
        text += vocab[tokens[0]]
        state = {k: out[k.replace("_0", "_n")] for k in state}
    return text


def run_readme(readme, path):
    text = open(readme, encoding="utf-8").read()
    section = text[text.index("### Export to ONNX"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    try:
        import onnxruntime  # noqa: F401
        runtime = "onnxruntime"
    except ImportError:
        sys.modules["onnxruntime"] = types.SimpleNamespace(InferenceSession=NumpySession)
        runtime = "the numpy evaluator standing in for onnxruntime"
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.abspath(path), os.path.join(tmp, "lab.onnx"))
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            print(f"README example on {path}, with {runtime}:")
            exec(compile(code, readme + " (Export to ONNX)", "exec"), {"__name__": "__main__"})
        finally:
            os.chdir(cwd)


def main():
    p = argparse.ArgumentParser(description="Checks ONNX files that rnnlab wrote.")
    p.add_argument("files", nargs="+")
    p.add_argument("--complete", metavar="PROMPT", help="greedy-complete PROMPT with the numpy evaluator")
    p.add_argument("--length", type=int, default=60)
    p.add_argument("--readme", metavar="DOC.md", help="run the Python example of the doc's 'Export to ONNX' part on the file")
    args = p.parse_args()
    for path in args.files:
        model = check(path)
        if args.complete is not None:
            print(repr(args.complete + complete(model, args.complete, args.length)))
        if args.readme:
            run_readme(args.readme, path)


if __name__ == "__main__":
    main()
