#!/usr/bin/env bash
# Creates RocketMart's topics on every master of a RocketMQ cluster and waits
# until the name server routes each one. Runs in the apache/rocketmq image:
# as the rocketmq-topics job in docker compose, as a Job on Kubernetes.
#
# Why a job: rocketmq-client-go v2.1.2's push consumer refuses to start on a
# topic the name server has no route for, and Apache RocketMQ creates a topic
# only on its first send - so on a fresh broker every consuming service would
# fail to start (the order service too: it consumes ORDER_TIMEOUT).
#
# Environment:
#   NAMESRV_ADDR           name server list, "host:9876" or "a:9876;b:9876"
#   ROCKETMQ_TOPICS        topics separated by spaces (deploy's tests check
#                          the list against services/contracts)
#   ROCKETMQ_CLUSTER       cluster whose masters get the topic (DefaultCluster)
#   ROCKETMQ_TOPIC_QUEUES  read and write queues per broker (8)
#   ROCKETMQ_TOPIC_ATTEMPTS, ROCKETMQ_TOPIC_RETRY_SECONDS
#                          how long to wait for brokers to register (30 x 2 s)
# Re-running is safe: updateTopic creates or updates.
set -euo pipefail

: "${NAMESRV_ADDR:?set NAMESRV_ADDR to the name server list, e.g. rocketmq-namesrv:9876}"
: "${ROCKETMQ_TOPICS:?set ROCKETMQ_TOPICS to the topics to create, separated by spaces}"
cluster=${ROCKETMQ_CLUSTER:-DefaultCluster}
queues=${ROCKETMQ_TOPIC_QUEUES:-8}
attempts=${ROCKETMQ_TOPIC_ATTEMPTS:-30}
pause=${ROCKETMQ_TOPIC_RETRY_SECONDS:-2}
mqadmin=${ROCKETMQ_HOME:?ROCKETMQ_HOME is set by the apache/rocketmq image}/bin/mqadmin
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# routed TOPIC: the name server has a route with queues for TOPIC. mqadmin
# prints its errors and still exits 0, so success is read from the route
# itself (readQueueNums is a field of the route's JSON on the wire).
routed() {
  sh "$mqadmin" topicRoute -n "$NAMESRV_ADDR" -t "$1" >"$out" 2>&1 && grep -q '"readQueueNums"' "$out"
}

for topic in $ROCKETMQ_TOPICS; do
  attempt=1
  # Until the brokers have registered, updateTopic finds no master in the
  # cluster; retry rather than race the broker's start-up.
  until sh "$mqadmin" updateTopic -n "$NAMESRV_ADDR" -c "$cluster" -t "$topic" -r "$queues" -w "$queues" >"$out" 2>&1 &&
    routed "$topic"; do
    if ((attempt >= attempts)); then
      echo "create-topics: $topic has no route after $attempts attempts; last mqadmin output:" >&2
      cat "$out" >&2
      exit 1
    fi
    attempt=$((attempt + 1))
    sleep "$pause"
  done
  echo "create-topics: $topic ready on cluster $cluster ($queues queues per master)"
done
