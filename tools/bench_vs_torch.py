#!/usr/bin/env python3
"""rnnlab against PyTorch, side by side on this machine: the README's performance table is this script's output.

For each of issue 7's configurations it runs, back to back and ROUNDS times over, `bin/rnnlab bench --json` (every
core) and the peer script tools/torch_bench.py (PEER) with --threads 1 and --threads 2 (PyTorch's best setting
differs by configuration: its batch-1 runs are fastest on one thread), each process under /usr/bin/time for its
peak resident memory. A machine shared with other jobs only ever slows a run down, so each figure is the best of its
rounds; the ratio compares rnnlab's best with PyTorch's best over both thread settings.

    /usr/bin/python3 tools/bench_vs_torch.py [--rounds N] [--json-out FILE] [CONFIG ...]

CONFIG is lab-lstm, lab-rnn, medium-lstm, medium-gru, large-lstm (default: all five). Needs Debian's python3-torch
for /usr/bin/python3 (the peer) and /usr/bin/time. The ~1 MB corpus of medium and large is the peer's own
--build-pycorpus output, made once at CORPUS (default /tmp/pycorpus.txt).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.environ.get("PEER", os.path.join(ROOT, "tools", "torch_bench.py"))
CORPUS = os.environ.get("CORPUS", "/tmp/pycorpus.txt")

# name: (peer flags, step count for both) - the issue's table; Adam 0.005 is both tools' default.
CONFIGS = {
    "lab-lstm": ("--cell lstm --embed 64 --hidden 128 --layers 1 --batch 1 --seq 40 --mode windows", 200),
    "lab-rnn": ("--cell rnn --embed 64 --hidden 128 --layers 1 --batch 1 --seq 40 --mode windows", 200),
    "medium-lstm": ("--cell lstm --embed 64 --hidden 256 --layers 2 --batch 32 --seq 64 --mode stream", 30),
    "medium-gru": ("--cell gru --embed 64 --hidden 256 --layers 2 --batch 32 --seq 64 --mode stream", 30),
    "large-lstm": ("--cell lstm --embed 128 --hidden 512 --layers 2 --batch 64 --seq 100 --mode stream", 10),
}
LABELS = {"lab-lstm": "lab LSTM", "lab-rnn": "lab RNN", "medium-lstm": "medium LSTM", "medium-gru": "medium GRU",
          "large-lstm": "large LSTM"}


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns its last JSON line and its peak RSS in MB."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, cwd=ROOT, capture_output=True,
                           text=True)
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
        result = json.loads(p.stdout.strip().splitlines()[-1])
        result["peak_rss_mb_measured"] = int(t.read().strip().splitlines()[-1]) / 1024
        return result


def run_config(name, rounds):
    flags, steps = CONFIGS[name]
    corpus = [] if name.startswith("lab") else ["--corpus", CORPUS]
    gen = ["--naive-chars", "200"] if name.startswith("large") else []
    ours, theirs = [], {1: [], 2: []}
    for r in range(rounds):
        ours.append(timed([os.path.join(ROOT, "bin", "rnnlab"), "bench", *flags.split(), *corpus,
                           "--steps", str(steps), *gen, "--json"]))
        for threads in (1, 2):
            theirs[threads].append(timed(["/usr/bin/python3", PEER, *flags.split(), *corpus, "--steps", str(steps),
                                          *gen, "--threads", str(threads)]))
        print(f"  {name} round {r + 1}: rnnlab {ours[-1]['train_tokens_per_s']:,.0f} tokens/s, PyTorch "
              f"{theirs[1][-1]['train_tokens_per_s']:,.0f} (1 thread) {theirs[2][-1]['train_tokens_per_s']:,.0f} "
              f"(2 threads)", file=sys.stderr)
    return {"name": name, "rnnlab": ours, "torch_t1": theirs[1], "torch_t2": theirs[2]}


def best(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return max(values) if values else None


def least(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return min(values) if values else None


def table(results):
    f = lambda x: "-" if x is None else f"{x:,.0f}"
    lines = ["| configuration | rnnlab train tokens/s | PyTorch 1 thread | PyTorch 2 threads | ratio "
             "| rnnlab gen chars/s | PyTorch gen chars/s | ratio | peak RSS rnnlab / PyTorch |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        tr = best(r["rnnlab"], "train_tokens_per_s")
        t1, t2 = best(r["torch_t1"], "train_tokens_per_s"), best(r["torch_t2"], "train_tokens_per_s")
        gr = best(r["rnnlab"], "gen_carried_cps")
        gt = best(r["torch_t1"] + r["torch_t2"], "gen_carried_cps")
        mr = least(r["rnnlab"], "peak_rss_mb_measured")
        mt = least(r["torch_t1"] + r["torch_t2"], "peak_rss_mb_measured")
        lines.append(f"| {LABELS[r['name']]} | {f(tr)} | {f(t1)} | {f(t2)} | {tr / max(t1, t2):.1f}x | {f(gr)} | "
                     f"{f(gt)} | {gr / gt:.1f}x | {mr:,.0f} / {mt:,.0f} MB |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("configs", nargs="*", metavar="CONFIG", help=", ".join(CONFIGS) + " (default: all)")
    p.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    p.add_argument("--json-out", help="also write every run's JSON here")
    a = p.parse_args()
    a.configs = a.configs or list(CONFIGS)
    for c in a.configs:
        if c not in CONFIGS:
            p.error(f"unknown configuration {c!r}: use {', '.join(CONFIGS)}")
    if any(not c.startswith("lab") for c in a.configs) and not os.path.exists(CORPUS):
        subprocess.run(["/usr/bin/python3", PEER, "--build-pycorpus", CORPUS], check=True, capture_output=True)
    results = [run_config(c, a.rounds) for c in a.configs]
    if a.json_out:
        with open(a.json_out, "w") as out:
            json.dump(results, out, indent=1)
    print(table(results))


if __name__ == "__main__":
    main()
