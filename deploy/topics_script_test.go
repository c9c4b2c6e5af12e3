package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMQAdmin stands in for RocketMQ's mqadmin the way the script uses it.
// Like the real one it exits 0 on errors. updateTopic fails until it has
// been called $FAKE_REGISTER_AFTER times (the broker has not registered yet);
// topicRoute prints a route for the topics created so far.
const fakeMQAdmin = `#!/bin/sh
state=$FAKE_STATE
echo "$*" >>"$state/calls"
case $1 in
updateTopic)
  n=$(($(cat "$state/updates" 2>/dev/null || echo 0) + 1))
  echo $n >"$state/updates"
  if [ "$n" -le "${FAKE_REGISTER_AFTER:-0}" ]; then
    echo "[error] Make sure the specified clusterName exists or the name server connected to is correct."
    exit 0
  fi
  while [ $# -gt 0 ]; do
    case $1 in -t) topic=$2 ;; -w) queues=$2 ;; esac
    shift
  done
  echo "$queues" >"$state/topic-$topic"
  echo "create topic to rocketmq-broker:10911 success."
  ;;
topicRoute)
  topic=$5
  if [ -f "$state/topic-$topic" ]; then
    echo "{\"brokerDatas\":[{\"brokerName\":\"broker-a\"}],\"queueDatas\":[{\"brokerName\":\"broker-a\",\"readQueueNums\":$(cat "$state/topic-$topic"),\"perm\":6}]}"
  else
    echo "org.apache.rocketmq.tools.command.SubCommandException: TopicRouteSubCommand command failed"
  fi
  ;;
esac
`

func runCreateTopics(t *testing.T, env ...string) (state, stdout, stderr string, err error) {
	t.Helper()
	bash, lookErr := exec.LookPath("bash")
	if lookErr != nil {
		t.Fatalf("create-topics.sh runs under bash, and there is none here: %v", lookErr)
	}
	home := t.TempDir()
	state = t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "bin", "mqadmin"), []byte(fakeMQAdmin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bash, repoPath("deploy/rocketmq/create-topics.sh"))
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "ROCKETMQ_HOME=" + home, "FAKE_STATE=" + state,
		"ROCKETMQ_TOPIC_RETRY_SECONDS=0"}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return state, out.String(), errOut.String(), err
}

func TestCreateTopicsWaitsForTheBroker(t *testing.T) {
	state, stdout, stderr, err := runCreateTopics(t, "NAMESRV_ADDR=ns-0:9876;ns-1:9876",
		"ROCKETMQ_TOPICS=ORDER_PAID ORDER_TIMEOUT", "ROCKETMQ_TOPIC_QUEUES=4", "FAKE_REGISTER_AFTER=2")
	if err != nil {
		t.Fatalf("create-topics.sh: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	for _, topic := range []string{"ORDER_PAID", "ORDER_TIMEOUT"} {
		b, err := os.ReadFile(filepath.Join(state, "topic-"+topic))
		if err != nil || strings.TrimSpace(string(b)) != "4" {
			t.Errorf("%s: created with %q write queues (%v), want 4", topic, b, err)
		}
		if !strings.Contains(stdout, "create-topics: "+topic+" ready") {
			t.Errorf("stdout does not report %s ready:\n%s", topic, stdout)
		}
	}
	calls, _ := os.ReadFile(filepath.Join(state, "calls"))
	want := "updateTopic -n ns-0:9876;ns-1:9876 -c DefaultCluster -t ORDER_PAID -r 4 -w 4"
	if got := strings.Count(string(calls), want); got != 3 {
		t.Errorf("%q called %d times, want 3 (two before the broker registered):\n%s", want, got, calls)
	}
}

func TestCreateTopicsGivesUp(t *testing.T) {
	_, stdout, stderr, err := runCreateTopics(t, "NAMESRV_ADDR=ns:9876", "ROCKETMQ_TOPICS=ORDER_PAID",
		"ROCKETMQ_TOPIC_ATTEMPTS=3", "FAKE_REGISTER_AFTER=1000")
	if err == nil {
		t.Fatalf("create-topics.sh succeeded without a broker:\n%s", stdout)
	}
	for _, want := range []string{"ORDER_PAID has no route after 3 attempts", "SubCommandException"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

func TestCreateTopicsNeedsItsSettings(t *testing.T) {
	for _, missing := range []string{"NAMESRV_ADDR", "ROCKETMQ_TOPICS"} {
		env := map[string]string{"NAMESRV_ADDR": "ns:9876", "ROCKETMQ_TOPICS": "ORDER_PAID"}
		delete(env, missing)
		var list []string
		for k, v := range env {
			list = append(list, k+"="+v)
		}
		state, _, stderr, err := runCreateTopics(t, list...)
		if err == nil || !strings.Contains(stderr, missing) {
			t.Errorf("without %s: err %v, stderr %q; want a failure naming it", missing, err, stderr)
		}
		if _, err := os.Stat(filepath.Join(state, "calls")); err == nil {
			t.Errorf("without %s, mqadmin was called anyway", missing)
		}
	}
}
