#!/usr/bin/env bash
# Runs rocketmq-client-go v2.1.2's own examples, unchanged, against minirmq on
# 127.0.0.1:9876 (the address they hard-code) and checks what arrived through
# minirmq's admin API. Usage: scripts/examples-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'kill "${broker_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

admin=127.0.0.1:19877
step() { printf '== %s\n' "$*"; }
fail() { printf 'examples-check: FAIL: %s (broker log: %s)\n' "$*" "$work/broker.log" >&2; tail -n 20 "$work/broker.log" >&2; exit 1; }

if (exec 3<>/dev/tcp/127.0.0.1/9876) 2>/dev/null; then
  echo "examples-check: 127.0.0.1:9876 is busy; the examples hard-code it. Stop what listens there." >&2
  exit 1
fi

step "building minirmq and the client's examples"
(cd services/minirmq &&
  go build -o "$work/minirmq" ./cmd/minirmq &&
  for ex in producer/simple consumer/simple producer/batch producer/transaction producer/delay; do
    go build -o "$work/${ex//\//_}" "github.com/apache/rocketmq-client-go/v2/examples/$ex"
  done)

"$work/minirmq" -data "$work/data" -admin "$admin" -tx-check-after 1s -tx-check-interval 1s -tx-check-max 3 \
  -delay-levels "1s 1s 1s" -log-level warn 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 50); do curl -sf "http://$admin/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://$admin/healthz" >/dev/null || fail "minirmq did not become healthy"

# count_messages TOPIC: messages stored in all queues of TOPIC.
count_messages() {
  curl -sf "http://$admin/api/v1/topics" | python3 -c '
import json, sys
t = [x for x in json.load(sys.stdin)["topics"] if x["topic"] == sys.argv[1]]
print(sum(q["maxOffset"] - q["minOffset"] for q in t[0]["queues"]) if t else 0)' "$1"
}
# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" && return 0; sleep 0.1; done
  fail "$what"
}

step "producer/simple → 10 messages on topic test"
timeout 30 "$work/producer_simple" >"$work/producer_simple.log" 2>&1 || fail "producer/simple exited with an error"
[ "$(grep -c 'send message success' "$work/producer_simple.log")" = 10 ] || fail "producer/simple did not send 10 messages"

step "consumer/simple receives them"
timeout 30 "$work/consumer_simple" >"$work/consumer_simple.log" 2>&1 &
consumer_pid=$!
received() { [ "$(grep -o 'subscribe callback' "$work/consumer_simple.log" | wc -l)" -ge 10 ]; }
wait_for "consumer/simple did not receive the 10 messages" 25 received
kill "$consumer_pid" 2>/dev/null || true

step "producer/batch → one batch of 10"
before=$(count_messages test)
timeout 30 "$work/producer_batch" >"$work/producer_batch.log" 2>&1 || fail "producer/batch exited with an error"
[ "$(count_messages test)" = $((before + 10)) ] || fail "the batch did not store 10 messages"

step "producer/delay → 10 delayed messages (level 3, shortened to 1s here)"
before=$(count_messages test)
timeout 30 "$work/producer_delay" >"$work/producer_delay.log" 2>&1 || fail "producer/delay exited with an error"
delivered() { [ "$(count_messages test)" -ge $((before + 10)) ]; }
wait_for "delayed messages were not delivered" 20 delivered

step "producer/transaction → check-backs decide every half (runs 25 s)"
timeout 25 "$work/producer_transaction" >"$work/producer_transaction.log" 2>&1 || true
tx_states() { curl -sf "http://$admin/api/v1/transactions" | python3 -c '
import collections, json, sys
print(" ".join(f"{k}={v}" for k, v in sorted(collections.Counter(t["state"] for t in json.load(sys.stdin)["transactions"]).items())))'; }
settled() { ! tx_states | grep -q pending; }
wait_for "half messages still pending: $(tx_states)" 20 settled
states=$(tx_states)
echo "   transactions: $states"
for s in committed rolled_back; do echo "$states" | grep -q "$s=" || fail "no $s transaction: $states"; done

echo "examples-check: 5 passed, 0 failed"
