#!/usr/bin/python3
"""Character models saved by PyTorch code other than the notebook's, with PyTorch's next-character
log-probabilities, so that rnnlab can prove it reads them by structure rather than by attribute names.

Run with Debian's torch from the repository root:  /usr/bin/python3 tools/make_layout_pt_fixtures.py
Writes rnnlab-core/src/test/resources/org/rnnlab/layouts/<case>.pt (the state_dict as the code saves it) and <case>.npz with
  vocab        uint8   the vocabulary, sorted(set(text)), as UTF-8 bytes
  prompt<i>    uint8   prompt i as UTF-8 bytes
  logprobs<i>  float32 (V) log_softmax of the logits after prompt i, from a zero state
  nonlinearity uint8   b"tanh" or b"relu"
The cases:
  wlm_lstm_L2        PyTorch's examples/word_language_model RNNModel (drop, encoder, rnn = nn.LSTM, decoder)
  wlm_gru_tied       the same with a GRU and --tied (decoder.weight is encoder.weight; E = H)
  wlm_rnn_relu_L2    the same with RNN_RELU (nn.RNN named rnn, nonlinearity relu)
  dataparallel_lstm  the notebook's LSTMModel wrapped in nn.DataParallel (every key starts with module.)
  nobias_gru         attribute names embed, gru, out, with nn.GRU(bias=False) and nn.Linear(bias=False)
  compiled_rnn       the notebook's SimpleRNN under torch.compile's key prefix _orig_mod. (torch 2 saves that
                     from a compiled module; this torch is 1.13, so the prefix is added to the saved names)
"""
import os
import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab", "layouts")

TEXT = "\n".join([
    "if (a == b) { return a; }",
    "while (true) { break; }",
    "for (i = 0; i < n; i++) { sum += i; }",
    "def add(x, y): return x + y",
    "The cat sat on the mat.",
    "The rain in Spain falls mainly on the plain.",
    "el niño comió 🍎 y bebió ☕",
]).lower()
PROMPTS = ["the cat", "while (true) {", "t", "el niño comió 🍎"]


class RNNModel(nn.Module):
    """examples/word_language_model/model.py's RNNModel, as written there (forward returns log-probabilities)."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ["LSTM", "GRU"]:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input):  # (T, B), sequence first as in the example
        emb = self.drop(self.encoder(input))
        output, _ = self.rnn(emb)
        output = self.drop(output)
        return torch.log_softmax(self.decoder(output), dim=-1)


class Notebook(nn.Module):
    """The notebook's LSTMModel (attribute lstm) or SimpleRNN (attribute rnn)."""

    def __init__(self, cell, vocab, embed, hidden):
        super().__init__()
        self.cell = cell
        self.embedding = nn.Embedding(vocab, embed)
        setattr(self, cell, {"lstm": nn.LSTM, "rnn": nn.RNN}[cell](embed, hidden, batch_first=True))
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x):  # (B, T)
        out, _ = getattr(self, self.cell)(self.embedding(x))
        return torch.log_softmax(self.fc(out), dim=-1)


class NoBiasGRU(nn.Module):
    def __init__(self, vocab, embed, hidden, layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.gru = nn.GRU(embed, hidden, layers, bias=False, batch_first=True)
        self.out = nn.Linear(hidden, vocab, bias=False)

    def forward(self, x):
        out, _ = self.gru(self.embed(x))
        return torch.log_softmax(self.out(out), dim=-1)


def train(model, batch_first, ids, steps, seed):
    """A few Adam steps on windows of 32, so that the weights are not just the initialisation."""
    torch.manual_seed(seed)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    for _ in range(steps):
        i = int(torch.randint(0, len(ids) - 33, (1,)))
        x, y = ids[i:i + 32].view(1, -1), ids[i + 1:i + 33].view(1, -1)
        if not batch_first:
            x, y = x.t(), y.t()
        logp = model(x)
        loss = nn.functional.nll_loss(logp.reshape(-1, logp.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    chars = sorted(set(TEXT))
    c2i = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([c2i[c] for c in TEXT])
    V = len(chars)
    cases = [
        # name, make, batch_first, nonlinearity, save (model -> state_dict)
        ("wlm_lstm_L2", lambda: RNNModel("LSTM", V, 16, 24, 2, dropout=0.2), False, "tanh", None),
        ("wlm_gru_tied", lambda: RNNModel("GRU", V, 20, 20, 1, dropout=0.2, tie_weights=True), False, "tanh", None),
        ("wlm_rnn_relu_L2", lambda: RNNModel("RNN_RELU", V, 12, 18, 2, dropout=0.1), False, "relu", None),
        ("dataparallel_lstm", lambda: Notebook("lstm", V, 16, 24), True, "tanh",
         lambda m: nn.DataParallel(m).state_dict()),
        ("nobias_gru", lambda: NoBiasGRU(V, 12, 20, 2), True, "tanh", None),
        ("compiled_rnn", lambda: Notebook("rnn", V, 12, 20), True, "tanh",
         lambda m: {"_orig_mod." + k: v for k, v in m.state_dict().items()}),
    ]
    for k, (name, make, batch_first, nl, save) in enumerate(cases):
        torch.manual_seed(3000 + k)
        model = make()
        train(model, batch_first, ids, 150, 4000 + k)
        state = save(model) if save else model.state_dict()
        torch.save(state, os.path.join(OUT, name + ".pt"))
        arrays = {"vocab": np.frombuffer("".join(chars).encode(), np.uint8),
                  "nonlinearity": np.frombuffer(nl.encode(), np.uint8)}
        with torch.no_grad():
            for i, p in enumerate(PROMPTS):
                x = torch.tensor([[c2i[c] for c in p]])
                logp = model(x if batch_first else x.t())
                last = logp[0, -1] if batch_first else logp[-1, 0]
                arrays[f"prompt{i}"] = np.frombuffer(p.encode(), np.uint8)
                arrays[f"logprobs{i}"] = last.numpy().astype(np.float32)
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        print(name, "V", V, "keys", list(state.keys()))


if __name__ == "__main__":
    main()
