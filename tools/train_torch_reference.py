#!/usr/bin/python3
"""The same training run as `rnnlab train --mode stream`, in PyTorch, to compare validation figures.

Run with Debian's torch:
    /usr/bin/python3 tools/train_torch_reference.py --corpus /tmp/pycorpus.txt --steps 300 --eval-every 50

It reproduces what rnnlab does with the same options, so the two curves can be compared step for step:
  - the text is read as Python reads it (UTF-8, universal newlines); the vocabulary is sorted(set(text)) of all of it;
  - validation is the last round(N * val) characters (rnnlab's Splits; no test part here);
  - stream batching as rnnlab's Batcher.Stream: B streams of L = (n - 1) // B training tokens, batch c is chunk
    c mod (L // T) of every stream, the state carried (detached) and reset when the streams wrap;
  - each step: zero_grad, forward, CrossEntropyLoss (mean), backward, clip_grad_norm_ (if --clip), Adam step;
  - evaluation after every --eval-every steps (and at the end): the validation text as ONE stream from a zero
    state, chunks of 256 with the state carried, mean loss over its len - 1 predictions, bpc = loss / ln 2.
Only the initial weights differ (PyTorch's own initialisation from --seed): the figures agree within the noise
that different initial weights make. Prints one JSON line per evaluation.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers):
        super().__init__()
        self.cell = cell
        self.embedding = nn.Embedding(vocab, embed)
        module = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        setattr(self, cell, module(embed, hidden, layers, batch_first=True))
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        out, state = getattr(self, self.cell)(self.embedding(x), state)
        return self.fc(out), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


@torch.no_grad()
def evaluate(model, ids, vocab, chunk=256):
    model.eval()
    state = None
    total = 0.0
    correct = 0
    n = len(ids) - 1
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        x = ids[start:start + m].view(1, -1)
        y = ids[start + 1:start + m + 1].view(1, -1)
        logits, state = model(x, state)
        total += nn.functional.cross_entropy(logits.view(-1, vocab), y.view(-1), reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
    model.train()
    return total / n, correct / n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--val", type=float, default=0.05)
    p.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=0.0)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    with open(a.corpus, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    n_val = round(len(ids) * a.val)
    train, val = ids[:len(ids) - n_val], ids[len(ids) - n_val:]
    vocab = len(chars)

    model = Model(a.cell, vocab, a.embed, a.hidden, a.layers)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = nn.CrossEntropyLoss()
    length = (len(train) - 1) // a.batch
    chunks = length // a.seq
    state = None
    start = time.time()
    interval_loss, interval_steps, interval_seconds = 0.0, 0, 0.0
    for s in range(a.steps):
        t0 = time.perf_counter()
        c = s % chunks
        if c == 0:
            state = None
        offsets = [b * length + c * a.seq for b in range(a.batch)]
        x = torch.stack([train[o:o + a.seq] for o in offsets])
        y = torch.stack([train[o + 1:o + a.seq + 1] for o in offsets])
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        state = detach(state)
        interval_loss += loss.item()
        interval_steps += 1
        interval_seconds += time.perf_counter() - t0
        step = s + 1
        if step % a.eval_every == 0 or step == a.steps:
            val_loss, val_acc = evaluate(model, val, vocab)
            print(json.dumps({"step": step, "train_loss": interval_loss / interval_steps, "val_loss": val_loss,
                              "val_bpc": val_loss / math.log(2), "val_accuracy": val_acc,
                              "chars_per_second": interval_steps * a.batch * a.seq / interval_seconds,
                              "seconds": round(time.time() - start, 1)}), flush=True)
            interval_loss, interval_steps, interval_seconds = 0.0, 0, 0.0


if __name__ == "__main__":
    main()
