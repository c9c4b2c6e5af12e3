#!/usr/bin/env bash
# Runs the whole shop on the embedded default: minirmq and every service as
# separate local processes, each service on its own SQLite file under
# $DATA (default data/). Ctrl-C stops everything. Logs: $DATA/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin}
DATA=${DATA:-data}
SERVICES=(inventory payment cart order)
declare -A PORT=([order]=8081 [payment]=8082 [inventory]=8083 [cart]=8086)
export ADMIN_TOKEN=${ADMIN_TOKEN:-rocketmart-admin}
export ROCKETMQ_NAMESERVER=${ROCKETMQ_NAMESERVER:-127.0.0.1:9876}
export ORDER_URL=http://127.0.0.1:8081 PAYMENT_URL=http://127.0.0.1:8082
export INVENTORY_URL=http://127.0.0.1:8083 CART_URL=http://127.0.0.1:8086

mkdir -p "$DATA/logs"
pids=()
# stop [CODE]: stop every process, newest first, and exit.
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
  exit "${1:-0}"
}
trap 'stop 0' INT TERM
trap 'stop 1' EXIT

# wait_ready NAME URL: poll until the URL answers 200, or give up with the log.
wait_ready() {
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$1 did not become ready; last log lines:" >&2
  tail -n 20 "$DATA/logs/$1.log" >&2
  exit 1
}

echo "starting minirmq (name server and broker on 127.0.0.1:9876, admin on 127.0.0.1:9877)"
"$BIN/minirmq" -data "$DATA/minirmq" -tx-check-after 2s -tx-check-interval 5s >"$DATA/logs/minirmq.log" 2>&1 &
pids+=($!)
wait_ready minirmq http://127.0.0.1:9877/healthz

for svc in "${SERVICES[@]}"; do
  upper=${svc^^}
  echo "starting $svc on :${PORT[$svc]}"
  env "${upper}_ADDR=:${PORT[$svc]}" "${upper}_DB=sqlite:$DATA/$svc.db" "$BIN/$svc" >"$DATA/logs/$svc.log" 2>&1 &
  pids+=($!)
  wait_ready "$svc" "http://127.0.0.1:${PORT[$svc]}/readyz"
done

cat <<MSG

RocketMart is running (logs in $DATA/logs/, data in $DATA/).
  Swagger UIs: order     http://127.0.0.1:8081/swagger/index.html
               payment   http://127.0.0.1:8082/swagger/index.html
               inventory http://127.0.0.1:8083/swagger/index.html
               cart      http://127.0.0.1:8086/swagger/index.html
  Broker admin: http://127.0.0.1:9877/api/v1/topics
  Demo users (X-User-ID): alice (rich), bob, carol (poor). Admin token: $ADMIN_TOKEN
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
echo "a process exited unexpectedly; see $DATA/logs/" >&2
stop 1
