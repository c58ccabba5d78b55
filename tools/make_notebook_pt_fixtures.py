#!/usr/bin/python3
"""Models trained the notebook's way in PyTorch and saved with torch.save, with PyTorch's next-character
log-probabilities, so that rnnlab can prove `rnnlab next` on them.

Run with Debian's torch from the repository root:  /usr/bin/python3 tools/make_notebook_pt_fixtures.py
Writes rnnlab-core/src/test/resources/org/rnnlab/notebook/<case>.pt (the state_dict) and <case>.npz with
  vocab        uint8   the vocabulary, sorted(set(text)), as UTF-8 bytes
  prompt<i>    uint8   prompt i as UTF-8 bytes
  logprobs<i>  float32 (V) log_softmax of the logits after prompt i, from a zero state (the notebook's predict_next)
  nonlinearity uint8   b"tanh" or b"relu"
Each model is the notebook's class shape (Embedding -> nn.RNN/LSTM/GRU -> Linear, attribute names embedding,
rnn/lstm/gru, fc), trained for a few hundred steps with Adam 0.005 on windows of 40 characters, batch 1.
"""
import os
import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab", "notebook")

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
# Unicode beyond the BMP and combining-free accents: one emoji is one character, as in Python.
UNICODE = LAB + "\nel niño comió 🍎 y bebió ☕ — ¡qué rico! 😀\nñandú, 𝄞 clef"


class Model(nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers, nonlinearity):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        if cell == "rnn":
            self.rnn = nn.RNN(embed, hidden, layers, nonlinearity=nonlinearity, batch_first=True)
        elif cell == "lstm":
            self.lstm = nn.LSTM(embed, hidden, layers, batch_first=True)
        else:
            self.gru = nn.GRU(embed, hidden, layers, batch_first=True)
        self.cell = cell
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = getattr(self, self.cell)(self.embedding(x))
        return self.fc(out)


CASES = [
    # name, cell, nonlinearity, embed, hidden, layers, text
    ("lstm_L1_notebook", "lstm", "tanh", 64, 128, 1, LAB),
    ("rnn_L1_notebook", "rnn", "tanh", 64, 128, 1, LAB),
    ("gru_L1_unicode", "gru", "tanh", 16, 24, 1, UNICODE),
    ("rnn_relu_L2_unicode", "rnn", "relu", 16, 24, 2, UNICODE),
    ("lstm_L2_unicode", "lstm", "tanh", 16, 24, 2, UNICODE),
    ("gru_L3_lab", "gru", "tanh", 12, 20, 3, LAB),
    ("lstm_L3_unicode", "lstm", "tanh", 12, 20, 3, UNICODE),
    ("rnn_L3_lab", "rnn", "tanh", 12, 20, 3, LAB),
]
PROMPTS = ["the cat", "while (x > 0) {", "t", "if (a == b) { return a; }\nwhile (true"]
UNICODE_PROMPTS = ["el niño comió 🍎", "😀", "ñandú, 𝄞"]


def train(model, text, c2i, steps, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    loss_fn = nn.CrossEntropyLoss()
    ids = torch.tensor([c2i[c] for c in text])
    for step in range(steps):
        i = int(torch.randint(0, len(ids) - 41, (1,)))
        x, y = ids[i:i + 40].view(1, -1), ids[i + 1:i + 41].view(1, -1)
        loss = loss_fn(model(x).view(-1, len(c2i)), y.view(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for k, (name, cell, nl, embed, hidden, layers, text) in enumerate(CASES):
        chars = sorted(set(text))
        c2i = {c: i for i, c in enumerate(chars)}
        torch.manual_seed(1000 + k)
        model = Model(cell, len(chars), embed, hidden, layers, nl)
        train(model, text, c2i, 300, 2000 + k)
        model.eval()
        torch.save(model.state_dict(), os.path.join(OUT, name + ".pt"))
        arrays = {"vocab": np.frombuffer("".join(chars).encode(), np.uint8),
                  "nonlinearity": np.frombuffer(nl.encode(), np.uint8)}
        prompts = PROMPTS + (UNICODE_PROMPTS if text is UNICODE else [])
        with torch.no_grad():
            for i, p in enumerate(prompts):
                x = torch.tensor([[c2i[c] for c in p]])
                arrays[f"prompt{i}"] = np.frombuffer(p.encode(), np.uint8)
                arrays[f"logprobs{i}"] = torch.log_softmax(model(x)[0, -1], -1).numpy()
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        print(name, "V", len(chars), "prompts", len(prompts))


if __name__ == "__main__":
    main()
