#!/usr/bin/env python3
"""rnnlab against PyTorch, side by side on this machine: the README's performance table is this script's output.

For each of issue 7's configurations it runs, back to back and ROUNDS times over, `bin/rnnlab bench --json` (every
core) and the peer script tools/torch_bench.py (PEER) with --threads 1 and --threads 2 (PyTorch's best setting
differs by configuration: its batch-1 runs are fastest on one thread), each process under /usr/bin/time for its
peak resident memory. A machine shared with other jobs only ever slows a run down, so each figure is the best of its
rounds; the ratio compares rnnlab's best with PyTorch's best over both thread settings.

    /usr/bin/python3 tools/bench_vs_torch.py [--rounds N] [--contention off|on|both] [--shards P] [--json-out FILE]
        [CONFIG ...]

First the host's matrix-product rate (`rnnlab bench --sgemm` and the peer's `--sgemm`, OpenBLAS, 1 and 2
threads): the table gives each training figure in GFLOP/s and as a share of the best sgemm measured on the host.
With --contention on, every run (both sides) shares the machine with a busy loop pinned to the last processor;
with both, the quiet rounds first and then the contended ones, side by side in one table. The first line printed
names the date, the CPU, rnnlab's kernel (vector width, blocks, threads) and PyTorch's OpenBLAS.

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
import time

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


def run_config(name, rounds, label="", shards=0):
    flags, steps = CONFIGS[name]
    corpus = [] if name.startswith("lab") else ["--corpus", CORPUS]
    gen = ["--naive-chars", "200"] if name.startswith("large") else []
    ours, theirs = [], {1: [], 2: []}
    batched = int(flags.split("--batch ")[1].split()[0]) > 1
    for r in range(rounds):
        default = timed([os.path.join(ROOT, "bin", "rnnlab"), "bench", *flags.split(), *corpus,
                         "--steps", str(steps), *gen, "--json"])
        ours.append(default)
        if shards and batched:  # rnnlab's other thread split: whole shards of the batch per thread
            sharded = timed([os.path.join(ROOT, "bin", "rnnlab"), "bench", *flags.split(), *corpus,
                             "--steps", str(steps), "--gen-chars", "0", "--naive-chars", "0", "--json",
                             "--shards", str(shards)])
            sharded["shards"] = shards
            print(f"  {name}{label} round {r + 1}: rnnlab --shards {shards} {sharded['train_tokens_per_s']:,.0f} "
                  f"tokens/s", file=sys.stderr)
            ours.append(sharded)
        for threads in (1, 2):
            theirs[threads].append(timed(["/usr/bin/python3", PEER, *flags.split(), *corpus, "--steps", str(steps),
                                          *gen, "--threads", str(threads)]))
        print(f"  {name}{label} round {r + 1}: rnnlab {default['train_tokens_per_s']:,.0f} tokens/s "
              f"({default.get('threads_now', '')}), PyTorch {theirs[1][-1]['train_tokens_per_s']:,.0f} (1 thread) "
              f"{theirs[2][-1]['train_tokens_per_s']:,.0f} (2 threads)", file=sys.stderr)
    return {"name": name, "rnnlab": ours, "torch_t1": theirs[1], "torch_t2": theirs[2]}


def run_sgemm(rounds):
    """The host's matrix-product rate: rnnlab's kernel and PyTorch's OpenBLAS, 1 and 2 threads, best of rounds."""
    runs = {"rnnlab": [], "torch_t1": [], "torch_t2": []}
    for _ in range(rounds):
        runs["rnnlab"].append(timed([os.path.join(ROOT, "bin", "rnnlab"), "bench", "--sgemm", "--json"]))
        for threads in (1, 2):
            runs[f"torch_t{threads}"].append(timed(["/usr/bin/python3", PEER, "--sgemm", "--threads", str(threads)]))
    best_of = {k: best(v, "gflops") for k, v in runs.items()}
    print(f"  sgemm: rnnlab {best_of['rnnlab']:.1f} GFLOP/s, OpenBLAS {best_of['torch_t1']:.1f} (1 thread) "
          f"{best_of['torch_t2']:.1f} (2 threads)", file=sys.stderr)
    return {"runs": runs, "best": best_of, "host": max(best_of.values())}


class Busy:
    """A busy loop pinned to the last processor, for the contended rounds: the same for both sides."""

    def __init__(self):
        self.cpu = (os.cpu_count() or 1) - 1
        self.p = None

    def __enter__(self):
        self.p = subprocess.Popen(["taskset", "-c", str(self.cpu), "/bin/sh", "-c", "while :; do :; done"])
        return self

    def __exit__(self, *exc):
        self.p.kill()
        self.p.wait()


def best(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return max(values) if values else None


def least(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return min(values) if values else None


def host_line(results, sgemm, contention):
    some = next(iter(results.values()))[0]["rnnlab"][0]
    cpu = some.get("host", "?")
    kernel = some.get("kernel_description", some.get("kernel", "?"))
    some_torch = next(iter(results.values()))[0]["torch_t1"][0]
    line = (f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {cpu}; rnnlab {kernel}, "
            f"Java {some.get('java', '?')}; PyTorch {some_torch.get('torch', '?')} with OpenBLAS "
            f"{some_torch.get('openblas_config', '?')}")
    if sgemm:
        line += (f". Best sgemm on this host: rnnlab {sgemm['best']['rnnlab']:.0f} GFLOP/s, OpenBLAS "
                 f"{max(sgemm['best']['torch_t1'], sgemm['best']['torch_t2']):.0f} GFLOP/s")
    if contention:
        line += (". Contended: a busy loop pinned to processor " + str((os.cpu_count() or 1) - 1) +
                 " for both sides")
    return line + "."


def best_train(runs):
    """rnnlab's best training figure over its thread splits, and the split's label ("" or " (--shards P)")."""
    top = max((r for r in runs if r.get("train_tokens_per_s") is not None), key=lambda r: r["train_tokens_per_s"])
    return top["train_tokens_per_s"], top["train_gflops"], f" (--shards {top['shards']})" if top.get("shards") else ""


def table(results, sgemm):
    f = lambda x: "-" if x is None else f"{x:,.0f}"
    contended = "busy" in results
    head = "| configuration | rnnlab train tokens/s | PyTorch 1 / 2 threads | ratio | GFLOP/s (% of sgemm) "
    rule = "|---|---:|---:|---:|---:"
    if contended:
        head += "| contended: rnnlab | PyTorch 1 / 2 threads | ratio "
        rule += "|---:|---:|---:"
    head += "| rnnlab gen chars/s | PyTorch gen chars/s | ratio | peak RSS rnnlab / PyTorch |"
    rule += "|---:|---:|---:|---:|"
    lines = [head, rule]
    quiet = results.get("quiet") or results["busy"]
    for i, r in enumerate(quiet):
        tr, gf, how = best_train(r["rnnlab"])
        t1, t2 = best(r["torch_t1"], "train_tokens_per_s"), best(r["torch_t2"], "train_tokens_per_s")
        pct = f" ({100 * gf / sgemm['host']:.0f}%)" if sgemm else ""
        gr = best(r["rnnlab"], "gen_carried_cps")
        gt = best(r["torch_t1"] + r["torch_t2"], "gen_carried_cps")
        mr = least(r["rnnlab"], "peak_rss_mb_measured")
        mt = least(r["torch_t1"] + r["torch_t2"], "peak_rss_mb_measured")
        row = f"| {LABELS[r['name']]} | {f(tr)}{how} | {f(t1)} / {f(t2)} | {tr / max(t1, t2):.1f}x | {gf:.0f}{pct} "
        if contended and "quiet" in results:
            b = results["busy"][i]
            br, _, bhow = best_train(b["rnnlab"])
            b1, b2 = best(b["torch_t1"], "train_tokens_per_s"), best(b["torch_t2"], "train_tokens_per_s")
            row += f"| {f(br)}{bhow} | {f(b1)} / {f(b2)} | {br / max(b1, b2):.1f}x "
        row += f"| {f(gr)} | {f(gt)} | {gr / gt:.1f}x | {mr:,.0f} / {mt:,.0f} MB |"
        lines.append(row)
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("configs", nargs="*", metavar="CONFIG", help=", ".join(CONFIGS) + " (default: all)")
    p.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "3")))
    p.add_argument("--json-out", help="also write every run's JSON here")
    p.add_argument("--contention", choices=("off", "on", "both"), default="off",
                   help="run under a busy loop pinned to the last processor (on), or quiet and then so (both)")
    p.add_argument("--no-sgemm", action="store_true", help="skip the host's sgemm rate")
    p.add_argument("--shards", type=int, default=0, metavar="P",
                   help="also time rnnlab's batched configurations with --shards P (its other thread split); the "
                        "table takes rnnlab's better split and names it")
    a = p.parse_args()
    a.configs = a.configs or list(CONFIGS)
    for c in a.configs:
        if c not in CONFIGS:
            p.error(f"unknown configuration {c!r}: use {', '.join(CONFIGS)}")
    if any(not c.startswith("lab") for c in a.configs) and not os.path.exists(CORPUS):
        subprocess.run(["/usr/bin/python3", PEER, "--build-pycorpus", CORPUS], check=True, capture_output=True)
    sgemm = None if a.no_sgemm else run_sgemm(a.rounds)
    results = {}
    if a.contention in ("off", "both"):
        results["quiet"] = [run_config(c, a.rounds, shards=a.shards) for c in a.configs]
    if a.contention in ("on", "both"):
        with Busy():
            results["busy"] = [run_config(c, a.rounds, " (contended)", a.shards) for c in a.configs]
    if a.json_out:
        with open(a.json_out, "w") as out:
            json.dump({"sgemm": sgemm, **results}, out, indent=1)
    print(host_line(results, sgemm, a.contention != "off"))
    print()
    print(table(results, sgemm))


if __name__ == "__main__":
    main()
