#!/usr/bin/python3
"""PyTorch parity fixtures for rnnlab's training loop (org.rnnlab.train.Trainer) in stream mode.

Run with Debian's torch from any directory:  /usr/bin/python3 tools/make_train_fixtures.py
Writes rnnlab-core/src/test/resources/org/rnnlab/train/trainloop_<case>.npz, each holding (float32 unless said)
  init.<name>   the state_dict the training starts from (PyTorch's default initialisation, seeded per case)
  final.<name>  the state_dict after the last step
  losses        float64 (S)  the mean cross-entropy of every step, loss.item()
  tokens        int64 (N)    the lab text encoded with sorted(set(text)), to prove both sides train on the same ids

The loop is char-rnn's stream mode exactly as rnnlab's Batcher.Stream cuts it, with no shuffling, so it is
deterministic: the N tokens make B streams of L = (N - 1) // B tokens (stream b starts at token b * L); step s takes
chunk c = s mod (L // T) of every stream, inputs ids[b*L + c*T + t], targets the token after each; the recurrent
state is carried (detached) from step to step and restarts from zero at c = 0. Each step: zero_grad, forward,
CrossEntropyLoss (mean over B*T), backward, clipping (clip_grad_norm_ or clip_grad_value_), optimizer step.
Dropout is 0 (PyTorch's masks cannot be reproduced). CASES below and TrainerParityTest list the same settings.

It also writes eval_<model>.npz for three of the notebook-trained PyTorch models in ../notebook/ (made by
make_notebook_pt_fixtures.py): PyTorch's one-stream evaluation of the lab text, as rnnlab's Evaluator does it
(zero state, chunks of 256 with the state carried, cross-entropy summed over the len - 1 predictions):
  loss      float64 ()  mean cross-entropy per predicted character
  correct   int64 ()    predictions whose argmax is the next character
  chars     int64 ()    len(text) - 1
"""
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources",
                                    "org", "rnnlab", "train"))

LAB_LINES = [
    "if (a == b) { return a; }",
    "while (true) { break; }",
    "for (i = 0; i < n; i++) { sum += i; }",
    "def add(x, y): return x + y",
    "while (x > 0) { x--; }",
    "if (user.is_logged_in()) { show_dashboard(); }",
    "try { risky_operation(); } catch (e) { handle_error(); }",
    "The cat sat on the mat.",
    "The dog barked at the moon.",
    "The rain in Spain falls mainly on the plain.",
]
LAB = "\n".join(LAB_LINES).lower()

# name: cell, nonlinearity, E, H, L, B, T, steps, optimizer, lr, clip norm, clip value, seed
CASES = {
    "lstm_sgd_clipnorm": ("lstm", "tanh", 8, 16, 1, 4, 10, 20, "sgd", 0.5, 1.0, 0.0, 11),
    "gru_adam_clipnorm": ("gru", "tanh", 8, 16, 2, 3, 12, 20, "adam", 0.01, 0.5, 0.0, 12),
    "rnn_tanh_adam_clipvalue": ("rnn", "tanh", 6, 12, 1, 2, 16, 20, "adam", 0.01, 0.0, 0.1, 13),
    "lstm_h64_adam": ("lstm", "tanh", 32, 64, 1, 4, 20, 10, "adam", 0.005, 0.0, 0.0, 14),
}


class Model(nn.Module):
    """The lab notebook's model, returning the final state so the loop can carry it."""

    def __init__(self, cell, nonlinearity, vocab, embed, hidden, layers):
        super().__init__()
        self.cell = cell
        self.embedding = nn.Embedding(vocab, embed)
        if cell == "rnn":
            self.rnn = nn.RNN(embed, hidden, layers, nonlinearity=nonlinearity, batch_first=True)
        elif cell == "lstm":
            self.lstm = nn.LSTM(embed, hidden, layers, batch_first=True)
        else:
            self.gru = nn.GRU(embed, hidden, layers, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        out, state = getattr(self, self.cell)(self.embedding(x), state)
        return self.fc(out), state


def detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def run(name, cell, nonlinearity, embed, hidden, layers, batch, seq, steps, optimizer, lr, clip_norm, clip_value,
        seed):
    chars = sorted(set(LAB))
    ids = torch.tensor([chars.index(c) for c in LAB], dtype=torch.long)
    vocab = len(chars)
    torch.manual_seed(seed)
    model = Model(cell, nonlinearity, vocab, embed, hidden, layers)
    init = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    length = (len(ids) - 1) // batch
    chunks = length // seq
    state = None
    losses = []
    for s in range(steps):
        c = s % chunks
        if c == 0:
            state = None  # the streams wrapped: a fresh zero state, as rnnlab's batcher says
        x = torch.stack([ids[b * length + c * seq: b * length + c * seq + seq] for b in range(batch)])
        y = torch.stack([ids[b * length + c * seq + 1: b * length + c * seq + seq + 1] for b in range(batch)])
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        if clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        if clip_value > 0:
            torch.nn.utils.clip_grad_value_(model.parameters(), clip_value)
        opt.step()
        state = detach(state)
        losses.append(loss.item())
    arrays = {"init." + k: v for k, v in init.items()}
    arrays.update({"final." + k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
    arrays["losses"] = np.array(losses, dtype=np.float64)
    arrays["tokens"] = ids.numpy().astype(np.int64)
    np.savez(os.path.join(OUT, f"trainloop_{name}.npz"), **arrays)
    return losses


NOTEBOOK = os.path.join(os.path.dirname(OUT), "notebook")
# model file, module attribute, nonlinearity, E, H, L
EVAL_CASES = {
    "lstm_L1_notebook": ("lstm", "tanh", 64, 128, 1),
    "rnn_L1_notebook": ("rnn", "tanh", 64, 128, 1),
    "gru_L3_lab": ("gru", "tanh", 12, 20, 3),
}


@torch.no_grad()
def evaluate(name, cell, nonlinearity, embed, hidden, layers, chunk=256):
    chars = sorted(set(LAB))
    ids = torch.tensor([chars.index(c) for c in LAB], dtype=torch.long)
    model = Model(cell, nonlinearity, len(chars), embed, hidden, layers)
    model.load_state_dict(torch.load(os.path.join(NOTEBOOK, name + ".pt")))
    model.eval()
    state, total, correct, n = None, 0.0, 0, len(ids) - 1
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        x, y = ids[start:start + m].view(1, -1), ids[start + 1:start + m + 1].view(1, -1)
        logits, state = model(x, state)
        total += nn.functional.cross_entropy(logits.view(-1, len(chars)), y.view(-1), reduction="sum").double().item()
        correct += int((logits.argmax(-1) == y).sum())
    np.savez(os.path.join(OUT, f"eval_{name}.npz"), loss=np.array(total / n), correct=np.array(correct, dtype=np.int64),
             chars=np.array(n, dtype=np.int64))
    return total / n, correct / n


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for name, case in CASES.items():
        losses = run(name, *case)
        print(f"{name}: loss {losses[0]:.4f} -> {losses[-1]:.4f} over {len(losses)} steps")
    for name, case in EVAL_CASES.items():
        loss, accuracy = evaluate(name, *case)
        print(f"eval {name}: loss {loss:.6f}, accuracy {accuracy:.4f} on the lab text")
    print(f"{len(CASES)} training-loop fixtures written to {OUT} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
