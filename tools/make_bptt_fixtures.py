#!/usr/bin/python3
"""Fixtures for the lab's first exercise (BPTT by hand), made with numpy as the notebook makes them.

Run with Debian's numpy from the repository root:  /usr/bin/python3 tools/make_bptt_fixtures.py
Writes
  rnnlab-lab/src/test/resources/org/rnnlab/lab/bptt_<name>.npz : final Wxh, Whh, Why, bh, by and the per-epoch losses
  rnnlab-core/src/test/resources/org/rnnlab/io/numpy_*.npy|npz  : arrays saved by numpy itself, to pin the file format
The training loop is the notebook's cell, verbatim apart from the hyper-parameters being arguments.
"""
import os
import numpy as np

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ROOT = os.path.join(REPO, "rnnlab-core", "src", "test", "resources", "org", "rnnlab")


def notebook_bptt(hidden_size=4, learning_rate=0.1, epochs=160, seed=0):
    toy_vocab = list("abcdefghijklmnopqrstuvwxyz")
    toy_char2idx = {ch: i for i, ch in enumerate(toy_vocab)}

    def one_hot(indices, vocab_size):
        return np.eye(vocab_size)[indices]

    def softmax(x):
        e_x = np.exp(x - np.max(x))
        return e_x / e_x.sum(axis=0)

    input_size = output_size = len(toy_vocab)
    np.random.seed(seed)
    Wxh = np.random.randn(hidden_size, input_size) * 0.1
    Whh = np.random.randn(hidden_size, hidden_size) * 0.1
    Why = np.random.randn(output_size, hidden_size) * 0.1
    bh = np.zeros((hidden_size, 1))
    by = np.zeros((output_size, 1))
    examples = [(toy_vocab[i:i+3], toy_vocab[i+1:i+4]) for i in range(len(toy_vocab) - 3)]
    losses = []
    for epoch in range(epochs):
        total_loss = 0
        for input_seq, target_seq in examples:
            X = one_hot([toy_char2idx[ch] for ch in input_seq], input_size)
            Y = [toy_char2idx[ch] for ch in target_seq]
            xs, hs, ys, ps = {}, {}, {}, {}
            hs[-1] = np.zeros((hidden_size, 1))
            loss = 0
            for t in range(len(X)):
                xs[t] = X[t].reshape(-1, 1)
                hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t-1]) + bh)
                ys[t] = np.dot(Why, hs[t]) + by
                ps[t] = softmax(ys[t])
                loss -= np.log(ps[t][Y[t], 0])
            total_loss += loss
            dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
            dbh, dby = np.zeros_like(bh), np.zeros_like(by)
            dh_next = np.zeros_like(hs[0])
            for t in reversed(range(len(X))):
                dy = ps[t].copy()
                dy[Y[t]] -= 1
                dWhy += np.dot(dy, hs[t].T)
                dby += dy
                dh = np.dot(Why.T, dy) + dh_next
                dh_raw = (1 - hs[t]**2) * dh
                dbh += dh_raw
                dWxh += np.dot(dh_raw, xs[t].T)
                dWhh += np.dot(dh_raw, hs[t-1].T)
                dh_next = np.dot(Whh.T, dh_raw)
            for param, dparam in zip([Wxh, Whh, Why, bh, by], [dWxh, dWhh, dWhy, dbh, dby]):
                param -= learning_rate * dparam
        losses.append(total_loss)
    return dict(Wxh=Wxh, Whh=Whh, Why=Why, bh=bh, by=by, losses=np.array(losses))


def main():
    lab = os.path.join(REPO, "rnnlab-lab", "src", "test", "resources", "org", "rnnlab", "lab")
    io = os.path.join(ROOT, "io")
    os.makedirs(lab, exist_ok=True)
    os.makedirs(io, exist_ok=True)
    np.savez(os.path.join(lab, "bptt_notebook.npz"), **notebook_bptt())
    np.savez(os.path.join(lab, "bptt_h7_lr005_e40_seed3.npz"),
             **notebook_bptt(hidden_size=7, learning_rate=0.05, epochs=40, seed=3))
    np.save(os.path.join(io, "numpy_f8_2x3.npy"), np.arange(6, dtype="<f8").reshape(2, 3) / 7)
    np.save(os.path.join(io, "numpy_f4_5.npy"), (np.arange(5, dtype="<f4") - 2) / 3)
    np.save(os.path.join(io, "numpy_i8_scalar.npy"), np.array(-42, dtype="<i8"))
    np.savez(os.path.join(io, "numpy_mixed.npz"), a=np.arange(4, dtype="<i4").reshape(2, 2),
             b=np.linspace(-1, 1, 3, dtype="<f4"))
    np.savez_compressed(os.path.join(io, "numpy_compressed.npz"), c=np.eye(3))
    print("fixtures written under", os.path.normpath(ROOT))


if __name__ == "__main__":
    main()
