#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the Spark that Maven fetched for rnnlab-spark: a master and N
# workers of one core each, every socket on 127.0.0.1, for trying `--spark` and measuring scaling. Not for
# production: a real cluster runs Spark's own sbin/start-master.sh and start-worker.sh (docs/spark.md).
#
#   tools/spark_cluster.sh start 2        # prints the master URL: spark://127.0.0.1:7177
#   bin/rnnlab train --spark spark://127.0.0.1:7177 ...
#   tools/spark_cluster.sh stop
#
# Logs and work folders go to target/spark-cluster/.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
state="$root/target/spark-cluster"
port="${SPARK_MASTER_PORT:-7177}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

case "${1:-}" in
start)
  n="${2:-2}"
  [ -f "$root/rnnlab-spark/target/spark-home-classpath.txt" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl rnnlab-spark -am package)
  cp="$root/rnnlab-spark/target/rnnlab-spark.jar:$(cat "$root/rnnlab-spark/target/spark-classpath.txt")"
  # A SPARK_HOME whose jars/ are Maven's Spark (links): what a worker gives its executors. rnnlab's own classes
  # reach them as an application's do, in the jar the driver sends (spark.jars).
  rm -rf "$state/home"
  mkdir -p "$state/home/jars" "$state/home/conf"
  echo "Spark from Maven, for rnnlab" > "$state/home/RELEASE"
  tr ':' '\n' < "$root/rnnlab-spark/target/spark-home-classpath.txt" | while read -r j; do ln -sf "$j" "$state/home/jars/"; done
  export SPARK_HOME="$state/home" SPARK_CONF_DIR="$state/home/conf" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
  nohup "$java" -Xmx512m -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
    --webui-port $((port + 1)) > "$state/master.log" 2>&1 &
  echo $! > "$state/master.pid"
  for _ in $(seq 100); do grep -q "I have been elected leader" "$state/master.log" 2>/dev/null && break; sleep 0.2; done
  for i in $(seq "$n"); do
    mkdir -p "$state/work$i"
    nohup "$java" -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 2g \
      --webui-port $((port + 1 + i)) --work-dir "$state/work$i" "spark://127.0.0.1:$port" > "$state/worker$i.log" 2>&1 &
    echo $! > "$state/worker$i.pid"
  done
  for i in $(seq "$n"); do
    for _ in $(seq 300); do grep -q "Successfully registered with master" "$state/worker$i.log" 2>/dev/null && break; sleep 0.2; done
  done
  echo "spark://127.0.0.1:$port"
  ;;
stop)
  for f in "$state"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    pkill -KILL -P "$pid" 2>/dev/null || true # the executors a worker launched
    kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  ;;
*)
  echo "usage: $0 start [WORKERS] | stop" >&2
  exit 2
  ;;
esac
