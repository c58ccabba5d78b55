#!/usr/bin/python3
"""PyTorch's side of rnnlab's speed comparison: training and generation throughput of a character language model.

The model is the lab notebook's: Embedding(V, E) -> nn.RNN / nn.LSTM / nn.GRU(E, H, num_layers=L, batch_first=True)
-> Linear(H, V), CrossEntropyLoss, Adam (lr 0.005 by default). It measures what `bin/rnnlab bench --json` measures
and prints its figures under the same JSON keys (tools/bench_vs_torch.py runs both and tabulates them):

  training    one step is zero_grad, forward, loss, backward, clip_grad_norm_ when --clip NORM > 0, optimizer.step.
              --warmup steps untimed, then --steps timed ones: train_tokens_per_s (tokens in the timed steps over
              their wall time), step_ms_median/min/max, CPU time, loss_first (the first step's loss) and loss_last.
                --mode windows  every slice of seq+1 characters is one example, as the notebook's CharDataset;
                                a batch is B of them in a random order (reshuffled every epoch, the last batch of
                                an epoch smaller, as a shuffling DataLoader), each from a fresh zero state.
                --mode stream   the text cut into B contiguous streams, truncated BPTT over seq steps with the
                                hidden state carried (detached) from batch to batch; zero again when they wrap.
  generation  at batch 1, temperature sampling with torch.multinomial, under torch.no_grad(), after
              --gen-warmup untimed characters; the prompt is the corpus's first --context characters.
                gen_carried_cps  the prompt read once, then one step per character with the state carried.
                gen_naive_cps    the notebook's complete_prompt: every character re-runs the last --context
                                 characters from a zero state.

Without --corpus the text is the notebook's ten lines, lowercased. One JSON line goes to stdout, nothing else.

    /usr/bin/python3 tools/torch_bench.py --cell lstm --embed 64 --hidden 128 --layers 1 --batch 1 --seq 40 \\
        --mode windows --steps 200 --threads 1
    /usr/bin/python3 tools/torch_bench.py --build-pycorpus /tmp/pycorpus.txt
    /usr/bin/python3 tools/torch_bench.py --cell gru --embed 64 --hidden 256 --layers 2 --batch 32 --seq 64 \\
        --mode stream --corpus /tmp/pycorpus.txt --steps 30 --threads 2

Run it with Debian's interpreter and its python3-torch (apt-get install python3-torch python3-numpy
libopenblas0-pthread). Other entry points, each printing one JSON line too:
  --build-pycorpus FILE  write the ~1 MB corpus of the medium and large configurations and exit: the sorted *.py
                         files of the running interpreter's standard library, concatenated, cut at --corpus-chars.
  --lab-notebook         time the notebook's whole training cell: --epochs over its windows, DataLoader batch 1
                         shuffled, the RNN and the LSTM trained side by side.

Threads: --threads T sets torch.set_num_threads(T) and, since Debian's torch does its matrix products in the
pthread OpenBLAS, whose pool ignores torch.set_num_threads, OpenBLAS's pool too (OPENBLAS_NUM_THREADS before torch
loads, then openblas_set_num_threads). --blas-threads N sizes OpenBLAS's pool apart (0: leave it at its default,
every core).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import sysconfig
import time

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
LAB_TEXT = "\n".join(LAB_LINES).lower()  # the notebook's text: 339 characters

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cell", choices=sorted(GATES), default="lstm")
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=40)
    p.add_argument("--mode", choices=["windows", "stream"], default="windows")
    p.add_argument("--corpus", metavar="FILE", help="UTF-8 text to train on (default: the notebook's lines)")
    p.add_argument("--steps", type=int, default=200, help="timed training steps (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=10, help="untimed training steps first (default: %(default)s)")
    p.add_argument("--lr", type=float, default=0.005)
    p.add_argument("--clip", type=float, default=0.0, metavar="NORM",
                   help="clip the gradients' global L2 norm to NORM (default: 0, no clipping)")
    p.add_argument("--gen-chars", type=int, default=2000, help="characters timed, carried state (default: %(default)s)")
    p.add_argument("--naive-chars", type=int, default=2000,
                   help="characters timed, the notebook's way (default: %(default)s)")
    p.add_argument("--gen-warmup", type=int, default=50, help="untimed characters before each (default: %(default)s)")
    p.add_argument("--context", type=int, default=40,
                   help="prompt length, and the window of the notebook's way (default: %(default)s)")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--name", default="custom", help="a label for the JSON's name key (default: %(default)s)")
    p.add_argument("--threads", type=int, default=1, help="torch (and OpenBLAS) threads (default: %(default)s)")
    p.add_argument("--blas-threads", type=int, default=-1,
                   help="OpenBLAS threads: -1 as --threads (default), 0 leave OpenBLAS at its default")
    p.add_argument("--build-pycorpus", metavar="FILE", help="write the stdlib corpus to FILE and exit")
    p.add_argument("--corpus-chars", type=int, default=1_000_000, help="length of --build-pycorpus's corpus")
    p.add_argument("--lab-notebook", action="store_true", help="time the notebook's training cell instead")
    p.add_argument("--epochs", type=int, default=5, help="epochs of --lab-notebook (default: %(default)s)")
    p.add_argument("--sgemm", action="store_true",
                   help="time torch.mm (OpenBLAS) instead: square A @ B.T of 256 to 2048, best GFLOP/s, as "
                        "rnnlab bench --sgemm")
    p.add_argument("--min-seconds", type=float, default=2.0, help="--sgemm's total time (default: %(default)s)")
    a = p.parse_args()
    for flag in ("embed", "hidden", "layers", "batch", "seq", "steps", "context", "threads", "epochs"):
        if getattr(a, flag) < 1:
            p.error(f"--{flag} must be at least 1")
    for flag in ("warmup", "gen_chars", "naive_chars", "gen_warmup", "clip"):
        if getattr(a, flag) < 0:
            p.error(f"--{flag.replace('_', '-')} must be >= 0")
    if a.temperature <= 0:
        p.error("--temperature must be positive")
    return a


def emit(obj):
    print(json.dumps(obj), flush=True)


def build_pycorpus(out, limit):
    """The sorted *.py files of this interpreter's standard library, concatenated, first `limit` characters."""
    stdlib = sysconfig.get_paths()["stdlib"]
    parts, used, n = [], [], 0
    for name in sorted(f for f in os.listdir(stdlib) if f.endswith(".py")):
        with open(os.path.join(stdlib, name), encoding="utf-8", errors="replace") as fh:
            s = fh.read()
        parts.append(s)
        used.append(name)
        n += len(s)
        if n >= limit:
            break
    text = "".join(parts)[:limit]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    return {"kind": "pycorpus", "corpus": out, "stdlib": stdlib, "chars": len(text),
            "bytes": len(text.encode("utf-8")), "vocab": len(set(text)), "files": len(used),
            "first": used[0], "last": used[-1]}


def size_thread_pools(threads, blas_threads):
    """Exports the pools' sizes; must run before torch loads OpenBLAS and libgomp. Returns OpenBLAS's (0: default)."""
    blas = threads if blas_threads < 0 else blas_threads
    if blas > 0:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        os.environ["MKL_NUM_THREADS"] = str(threads)
        os.environ["OPENBLAS_NUM_THREADS"] = str(blas)
    return blas


def openblas(blas_threads):
    """The OpenBLAS torch uses (Debian's libblas.so.3 is a wrapper of it), its pool resized; None if not found."""
    import ctypes
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
    except OSError:
        return None
    lib.openblas_get_config.restype = ctypes.c_char_p
    lib.openblas_get_corename.restype = ctypes.c_char_p
    if blas_threads > 0:
        lib.openblas_set_num_threads(blas_threads)
    return lib


def env_info(torch, blas):
    info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "python": sys.version.split()[0],
            "cpus": os.cpu_count()}
    if blas is not None:
        info["openblas_threads"] = blas.openblas_get_num_threads()
        info["openblas_config"] = blas.openblas_get_config().decode()
        info["openblas_core"] = blas.openblas_get_corename().decode()
    return info


def sgemm(a, torch, blas):
    """The best GFLOP/s of torch.mm(A, B.T) on square float32 matrices of 256..2048, as rnnlab bench --sgemm."""
    torch.manual_seed(1)
    w = torch.randn(256, 256)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < min(1.5, a.min_seconds):
        torch.mm(w, w.t())
    by_n, best, best_n = {}, 0.0, 0
    for n in (256, 512, 1024, 2048):
        x, y = torch.randn(n, n), torch.randn(n, n)
        flops, size_best, t0 = 2.0 * n ** 3, 0.0, time.perf_counter()
        while True:
            s = time.perf_counter()
            torch.mm(x, y.t())
            size_best = max(size_best, flops / (time.perf_counter() - s) / 1e9)
            if time.perf_counter() - t0 >= a.min_seconds / 4:
                break
        by_n[str(n)] = round(size_best, 1)
        if size_best > best:
            best, best_n = size_best, n
    return {"kind": "sgemm", "gflops": best, "n": best_n, "gflops_by_n": by_n, "threads": torch.get_num_threads(),
            **env_info(torch, blas)}


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux counts kilobytes


def read_corpus(path):
    """As rnnlab reads a file: UTF-8, line breaks normalised to LF (Python's default), a byte-order mark dropped."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    return text[1:] if text.startswith("\ufeff") else text


def make_model(nn, cell, vocab, embed, hidden, layers):
    """The notebook's model, its parameters created in the notebook's order and named as there."""
    rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    return nn.ModuleDict({"embedding": nn.Embedding(vocab, embed),
                          "rnn": rnn(embed, hidden, num_layers=layers, batch_first=True),
                          "fc": nn.Linear(hidden, vocab)})


def forward(model, x, state=None):
    """(B, T) character ids and a state (None: zeros) -> (B, T, V) logits and the final state."""
    out, state = model["rnn"](model["embedding"](x), state)
    return model["fc"](out), state


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def fwd_flops_per_token(cell, embed, hidden, layers, vocab):
    """rnnlab's and the peer's count: 2 FLOPs per multiply-add of the forward's matrix products, one token."""
    f = sum(2 * GATES[cell] * hidden * ((embed if l == 0 else hidden) + hidden) for l in range(layers))
    return f + 2 * hidden * vocab


class Windows:
    """Every slice of seq+1 characters, B at a time in a fresh random order each epoch; each from a zero state."""

    def __init__(self, torch, data, batch, seq, seed):
        self.windows = data.unfold(0, seq + 1, 1)  # (N - seq, seq + 1), views into data
        self.batch = batch
        self.torch = torch
        self.generator = torch.Generator().manual_seed(seed)
        self.order, self.taken = None, len(self.windows)

    def info(self):
        return {"examples": len(self.windows), "batches_per_epoch": -(-len(self.windows) // self.batch)}

    def next(self, state):
        if self.taken == len(self.windows):
            self.order, self.taken = self.torch.randperm(len(self.windows), generator=self.generator), 0
        w = self.windows[self.order[self.taken:self.taken + self.batch]]
        self.taken += len(w)
        return w[:, :-1], w[:, 1:], None


class Streams:
    """B contiguous streams, seq steps of each per batch; the state carried, detached, and zero again at the wrap."""

    def __init__(self, data, batch, seq):
        self.length = (len(data) - 1) // batch
        self.inputs = data[:batch * self.length].view(batch, self.length)
        self.targets = data[1:batch * self.length + 1].view(batch, self.length)
        self.seq = seq
        self.chunks = self.length // seq
        self.chunk = 0

    def info(self):
        return {"stream_len": self.length, "chunks_per_epoch": self.chunks}

    def next(self, state):
        if self.chunk == self.chunks:
            self.chunk, state = 0, None
        s = self.chunk * self.seq
        self.chunk += 1
        return (self.inputs[:, s:s + self.seq].contiguous(), self.targets[:, s:s + self.seq].contiguous(),
                detach(state))


def fit_batch(mode, n, batch, seq):
    """As rnnlab's Batchers.fit: a text too short for B sequences shrinks the batch (with a warning)."""
    fits = n - seq if mode == "windows" else (n - 1) // seq
    if fits < 1:
        sys.exit(f"the text has {n} characters, too few for one sequence of {seq} steps (lower --seq)")
    if batch > fits:
        print(f"warning: the text holds only {fits} sequences of {seq} steps; batch shrinks from {batch} to {fits}",
              file=sys.stderr)
    return min(batch, fits)


class CarriedGenerator:
    """Reads the prompt once, then one step per character from the carried state."""

    def __init__(self, torch, F, model, prompt_ids, temperature):
        self.torch, self.F, self.model, self.temperature = torch, F, model, temperature
        logits, self.state = forward(model, torch.tensor([prompt_ids]))
        self.logits = logits[0, -1]

    def next(self):
        probs = self.F.softmax(self.logits / self.temperature, dim=-1)
        idx = self.torch.multinomial(probs, num_samples=1).item()
        logits, self.state = forward(self.model, self.torch.tensor([[idx]]), self.state)
        self.logits = logits[0, -1]
        return idx


class NaiveGenerator:
    """The notebook's complete_prompt: every character re-encodes and re-runs the last `context` ones from zero."""

    def __init__(self, torch, F, model, prompt, chars, c2i, context, temperature):
        self.torch, self.F, self.model = torch, F, model
        self.chars, self.c2i, self.context, self.temperature = chars, c2i, context, temperature
        self.result = list(prompt)

    def next(self):
        x = self.torch.tensor([[self.c2i[c] for c in self.result[-self.context:] if c in self.c2i]])
        logits, _ = forward(self.model, x)
        probs = self.F.softmax(logits[0, -1] / self.temperature, dim=-1)
        idx = self.torch.multinomial(probs, num_samples=1).item()
        self.result.append(self.chars[idx])
        return idx


def time_generation(gen, warmup, chars):
    """Seconds for `chars` characters after `warmup` untimed ones (0 when chars is 0)."""
    if chars == 0:
        return 0.0
    for _ in range(warmup):
        gen.next()
    t0 = time.perf_counter()
    for _ in range(chars):
        gen.next()
    return time.perf_counter() - t0


def bench(a, torch, blas):
    import torch.nn as nn
    import torch.nn.functional as F

    text = read_corpus(a.corpus) if a.corpus else LAB_TEXT
    chars = sorted(set(text))
    c2i = {c: i for i, c in enumerate(chars)}
    V = len(chars)
    data = torch.tensor([c2i[c] for c in text], dtype=torch.long)
    batch = fit_batch(a.mode, len(text), a.batch, a.seq)

    torch.manual_seed(a.seed)
    model = make_model(nn, a.cell, V, a.embed, a.hidden, a.layers)
    params = list(model.parameters())
    criterion = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(params, lr=a.lr)
    batches = Windows(torch, data, batch, a.seq, a.seed) if a.mode == "windows" else Streams(data, batch, a.seq)

    def train_step(state):
        x, y, state = batches.next(state)
        opt.zero_grad()
        logits, state = forward(model, x, state)
        loss = criterion(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(params, a.clip)
        opt.step()
        return loss.item(), state, x.numel()

    # ---- training
    model.train()
    state, loss_first = None, None
    for _ in range(a.warmup):
        loss, state, _ = train_step(state)
        loss_first = loss if loss_first is None else loss_first
    step_s, tokens = [], 0
    u0, s0 = cpu_seconds()
    t_all = time.perf_counter()
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss, state, n = train_step(state)
        step_s.append(time.perf_counter() - t0)
        tokens += n
        loss_first = loss if loss_first is None else loss_first
    wall = time.perf_counter() - t_all
    u1, s1 = cpu_seconds()
    train_tps = tokens / wall
    step_s.sort()
    median = step_s[len(step_s) // 2]  # as rnnlab: the upper middle of an even count
    tokens_per_step = batch * a.seq

    # ---- generation
    model.eval()
    prompt = text[:a.context]
    with torch.no_grad():
        carried = CarriedGenerator(torch, F, model, [c2i[c] for c in prompt], a.temperature)
        t_carried = time_generation(carried, a.gen_warmup, a.gen_chars)
        naive = NaiveGenerator(torch, F, model, prompt, chars, c2i, a.context, a.temperature)
        t_naive = time_generation(naive, min(a.gen_warmup, a.naive_chars), a.naive_chars)

    fwd = fwd_flops_per_token(a.cell, a.embed, a.hidden, a.layers, V)
    return {"kind": "train", "name": a.name, "cell": a.cell, "embed": a.embed, "hidden": a.hidden,
            "layers": a.layers, "batch": batch, "seq": a.seq, "mode": a.mode,
            "corpus": a.corpus or "lab10", "corpus_chars": len(text), "vocab": V,
            "params": sum(p.numel() for p in params), "steps": a.steps, "warmup": a.warmup, "clip": a.clip,
            "lr": a.lr, "threads": torch.get_num_threads(), **env_info(torch, blas), **batches.info(),
            "tokens_per_step": tokens_per_step,
            "train_tokens_per_s": train_tps,
            "train_tokens_per_s_median_step": tokens_per_step / median,
            "step_ms_median": 1e3 * median, "step_ms_min": 1e3 * step_s[0], "step_ms_max": 1e3 * step_s[-1],
            "train_wall_s": wall, "train_cpu_s": (u1 - u0) + (s1 - s0),
            "train_cpu_user_s": u1 - u0, "train_cpu_sys_s": s1 - s0,
            "train_cpu_util": ((u1 - u0) + (s1 - s0)) / wall,
            "fwd_flops_per_token": fwd, "train_flops_per_token": 3 * fwd,
            "train_gflops": 3 * fwd * train_tps / 1e9,
            "loss_first": loss_first, "loss_last": loss,
            "gen_carried_cps": a.gen_chars / t_carried if a.gen_chars else None,
            "gen_naive_cps": a.naive_chars / t_naive if a.naive_chars else None,
            "gen_chars": a.gen_chars, "naive_chars": a.naive_chars,
            "gen_carried_s": t_carried, "gen_naive_s": t_naive,
            "gen_temperature": a.temperature, "naive_context": a.context,
            "peak_rss_mb": peak_rss_mb(), "argv": sys.argv[1:]}


def lab_notebook(a, torch, blas):
    """The notebook's training cell, timed: both models, one window at a time from a shuffling DataLoader."""
    import torch.nn as nn
    from torch.utils.data import DataLoader, Dataset

    seq = 40

    class CharDataset(Dataset):
        def __init__(self, text):
            self.c2i = {c: i for i, c in enumerate(sorted(set(text)))}
            self.data = [text[i:i + seq + 1] for i in range(len(text) - seq)]

        def __len__(self):
            return len(self.data)

        def __getitem__(self, i):
            chunk = self.data[i]
            return (torch.tensor([self.c2i[c] for c in chunk[:-1]]),
                    torch.tensor([self.c2i[c] for c in chunk[1:]]))

    torch.manual_seed(a.seed)
    dataset = CharDataset(LAB_TEXT)
    V = len(dataset.c2i)
    loader = DataLoader(dataset, batch_size=1, shuffle=True)
    models = [make_model(nn, cell, V, 64, 128, 1) for cell in ("rnn", "lstm")]
    optimizers = [torch.optim.Adam(m.parameters(), lr=0.005) for m in models]
    criterion = nn.CrossEntropyLoss()

    model_s = [0.0, 0.0]
    losses = []
    u0, s0 = cpu_seconds()
    t_start = time.perf_counter()
    for _ in range(a.epochs):
        epoch_loss = [0.0, 0.0]
        for x, y in loader:
            for k, (model, opt) in enumerate(zip(models, optimizers)):
                t0 = time.perf_counter()
                logits, _ = forward(model, x)
                loss = criterion(logits.view(-1, V), y.view(-1))
                opt.zero_grad()
                loss.backward()
                opt.step()
                epoch_loss[k] += loss.item()
                model_s[k] += time.perf_counter() - t0
        losses.append([round(v, 4) for v in epoch_loss])
    total = time.perf_counter() - t_start
    u1, s1 = cpu_seconds()
    return {"kind": "lab_notebook", **env_info(torch, blas), "epochs": a.epochs, "windows": len(dataset),
            "vocab": V, "chars": len(LAB_TEXT), "total_s": total, "rnn_s": model_s[0], "lstm_s": model_s[1],
            "loader_and_loop_s": total - sum(model_s), "cpu_user_s": u1 - u0, "cpu_sys_s": s1 - s0,
            "epoch_losses_rnn_lstm": losses, "peak_rss_mb": peak_rss_mb()}


def main():
    a = parse_args()
    if a.build_pycorpus:
        emit(build_pycorpus(a.build_pycorpus, a.corpus_chars))
        return
    blas_threads = size_thread_pools(a.threads, a.blas_threads)
    import torch  # only now: OpenBLAS and libgomp size their pools as they load
    torch.set_num_threads(a.threads)
    blas = openblas(blas_threads)
    if a.sgemm:
        emit(sgemm(a, torch, blas))
        return
    emit(lab_notebook(a, torch, blas) if a.lab_notebook else bench(a, torch, blas))


if __name__ == "__main__":
    main()
