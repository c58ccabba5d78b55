#!/usr/bin/env bash
# Runs an rnnlab command and reports its peak memory, read from /proc/PID/status every half second: the peak
# resident set (VmHWM), and the largest anonymous (heap and other private memory) and file-backed (mapped files,
# such as a large corpus's token file) parts seen. Linux only.
#
#   tools/measure_memory.sh bin/rnnlab train --corpus /tmp/big.txt --out /tmp/bigrun --steps 200
#
# Prints the command's own output, then one line: wall seconds, peak RSS, peak RssAnon, peak RssFile (MB).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
start=$(date +%s.%N)
"$@" &
pid=$!
hwm=0 anon=0 file=0
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status" 2>/dev/null || true; }
while kill -0 "$pid" 2>/dev/null; do
  # bin/rnnlab execs java, so the PID is the JVM's once it has started.
  h=$(kb VmHWM "$pid"); a=$(kb RssAnon "$pid"); f=$(kb RssFile "$pid")
  [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
  [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
  [ -n "$f" ] && [ "$f" -gt "$file" ] && file=$f
  sleep 0.5
done
set +e
wait "$pid"
rc=$?
set -e
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v h="$hwm" -v a="$anon" -v f="$file" -v rc="$rc" 'BEGIN {
  printf "measure: exit %d, %.1f s, peak RSS %.0f MB (anonymous %.0f MB, file-backed %.0f MB)\n", rc, e - s, h / 1024, a / 1024, f / 1024 }' >&2
exit "$rc"
