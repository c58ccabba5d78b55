#!/usr/bin/env bash
# Measures rnnlab against the PyTorch peer (../shared/peers/torch_bench.py) on the issue's configurations, side by
# side in one run, and prints a Markdown table (the README's performance table is this script's output).
#   tools/bench_vs_torch.sh [lab|medium|large|all]      (default: all)
# Needs Debian's python3-torch at /usr/bin/python3. Each configuration runs rnnlab then PyTorch right after, with the
# same model, optimizer (Adam 0.005), data, batch and sequence length, both free to use every core (PyTorch with
# its best thread setting here, --threads 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer="${PEER:-$root/../shared/peers/torch_bench.py}"
corpus="${CORPUS:-/tmp/pycorpus.txt}"
which="${1:-all}"
[ -f "$corpus" ] || /usr/bin/python3 "$peer" --build-pycorpus "$corpus" >/dev/null

run() { # name, rnnlab flags, peer flags
  local name="$1" ours="$2" theirs="$3"
  local r t
  r=$("$root/bin/rnnlab" bench $ours --json 2>/dev/null | tail -1)
  t=$(/usr/bin/python3 "$peer" $theirs 2>/dev/null | tail -1)
  /usr/bin/python3 - "$name" "$r" "$t" <<'PY'
import json, sys
name, r, t = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
def f(x): return "-" if x is None else f"{x:,.0f}"
tr, tt = r["train_tokens_per_s"], t["train_tokens_per_s"]
gr, gt = r.get("gen_carried_cps"), t.get("gen_carried_cps")
print(f"| {name} | {f(tr)} | {f(tt)} | {tr/tt:.2f}x | {f(gr)} | {f(gt)} | {gr/gt:.2f}x | {r['peak_rss_mb']:.0f} MB |")
PY
}

echo "| configuration | rnnlab train tokens/s | PyTorch train tokens/s | ratio | rnnlab gen chars/s | PyTorch gen chars/s | ratio | rnnlab peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
common_lab="--embed 64 --hidden 128 --layers 1 --batch 1 --seq 40 --mode windows"
if [ "$which" = lab ] || [ "$which" = all ]; then
  run "lab LSTM" "--config lab-lstm" "--cell lstm $common_lab --threads 2"
  run "lab RNN" "--config lab-rnn" "--cell rnn $common_lab --threads 2"
fi
common_medium="--embed 64 --hidden 256 --layers 2 --batch 32 --seq 64 --mode stream --corpus $corpus"
if [ "$which" = medium ] || [ "$which" = all ]; then
  run "medium LSTM" "--config medium-lstm --corpus $corpus" "--cell lstm $common_medium --steps 30 --naive-chars 200 --threads 2"
  run "medium GRU" "--config medium-gru --corpus $corpus" "--cell gru $common_medium --steps 30 --naive-chars 200 --threads 2"
fi
if [ "$which" = large ] || [ "$which" = all ]; then
  run "large LSTM" "--config large-lstm --corpus $corpus" "--cell lstm --embed 128 --hidden 512 --layers 2 --batch 64 --seq 100 --mode stream --corpus $corpus --steps 10 --naive-chars 200 --threads 2"
fi
