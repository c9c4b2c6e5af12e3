package deploy_test

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// brokerConf reads deploy/rocketmq/broker.conf (Java properties, key=value).
func brokerConf(t *testing.T) map[string]string {
	t.Helper()
	props := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(readFile(t, "deploy/rocketmq/broker.conf")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("broker.conf:%d: %q is not key=value", n, line)
		}
		k = strings.TrimSpace(k)
		if _, dup := props[k]; dup {
			t.Errorf("broker.conf:%d: %s is set twice; the last one wins silently", n, k)
		}
		props[k] = strings.TrimSpace(v)
	}
	return props
}

func TestBrokerConf(t *testing.T) {
	props := brokerConf(t)
	p := composeProject(t)
	broker := p.Services[svcBroker]

	// The compose broker runs this file.
	conf := mount(broker, "/etc/rocketmq/broker.conf")
	if conf == nil || conf.Source != repoPath("deploy/rocketmq/broker.conf") || !conf.ReadOnly {
		t.Errorf("rocketmq-broker does not mount deploy/rocketmq/broker.conf read-only at /etc/rocketmq/broker.conf: %+v", conf)
	}
	if cmd := strings.Join(broker.Command, " "); !strings.Contains(cmd, "-c /etc/rocketmq/broker.conf") {
		t.Errorf("rocketmq-broker command %q does not load /etc/rocketmq/broker.conf", cmd)
	}

	// brokerIP1 is what clients dial: in compose, the broker's service name,
	// on the port the broker listens on and publishes.
	if ip := props["brokerIP1"]; ip != svcBroker {
		t.Errorf("brokerIP1 = %q, want %q (the name both the containers and, with a hosts entry, the host resolve)", ip, svcBroker)
	}
	listen := props["listenPort"]
	published := false
	for _, pc := range broker.Ports {
		published = published || (strconv.Itoa(int(pc.Target)) == listen && pc.Published == listen)
	}
	if !published {
		t.Errorf("listenPort %s is not published as %s:%s by rocketmq-broker (ports %+v)", listen, listen, listen, broker.Ports)
	}
	if ns := props["namesrvAddr"]; ns != svcNamesrv+":9876" {
		t.Errorf("namesrvAddr = %q, want %s:9876", ns, svcNamesrv)
	}
	if v := props["autoCreateTopicEnable"]; v != "true" {
		t.Errorf("autoCreateTopicEnable = %q, want true", v)
	}
	for _, key := range []string{"transactionTimeOut", "transactionCheckInterval", "transactionCheckMax"} {
		if n, err := strconv.Atoi(props[key]); err != nil || n <= 0 {
			t.Errorf("%s = %q, want a positive integer", key, props[key])
		}
	}
	if store := props["storePathRootDir"]; mount(broker, store) == nil {
		t.Errorf("storePathRootDir %q is not a mounted volume of rocketmq-broker", store)
	}
}

// TestDelayLevelsAgree: delay levels are broker-wide, and the order service
// schedules its payment timeout with them, so it must be told the broker's.
func TestDelayLevelsAgree(t *testing.T) {
	broker := strings.Fields(brokerConf(t)["messageDelayLevel"])
	if len(broker) == 0 {
		t.Fatal("broker.conf sets no messageDelayLevel")
	}
	for _, prog := range programs(t) {
		if v, ok := prog.Env["ORDER_DELAY_LEVELS"]; ok && strings.Join(strings.Fields(v), " ") != strings.Join(broker, " ") {
			t.Errorf("%s: ORDER_DELAY_LEVELS = %q, broker.conf messageDelayLevel = %q", prog.Service, v, strings.Join(broker, " "))
		}
	}
	m := k8sManifests(t)
	for name, cm := range m.ConfigMaps {
		if v, ok := cm.Data["ORDER_DELAY_LEVELS"]; ok && strings.Join(strings.Fields(v), " ") != strings.Join(broker, " ") {
			t.Errorf("k8s ConfigMap %s: ORDER_DELAY_LEVELS = %q, want the broker's %q", name, v, strings.Join(broker, " "))
		}
	}
}

// contractTopics returns the values of the Topic* constants of
// services/contracts: the topics some service produces or consumes.
func contractTopics(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob(repoPath("services/contracts", "*.go"))
	var topics []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Topic") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						topics = append(topics, v)
					}
				}
			}
		}
	}
	if len(topics) == 0 {
		t.Fatal("services/contracts declares no Topic* constant")
	}
	sort.Strings(topics)
	return topics
}

// TestTopicsCreatedBeforeServices: the topic job in compose and on
// Kubernetes creates exactly the contracts' topics (a consumer of a topic
// left out would not start on Apache RocketMQ).
func TestTopicsCreatedBeforeServices(t *testing.T) {
	want := strings.Join(contractTopics(t), " ")
	sorted := func(list string) string {
		f := strings.Fields(list)
		sort.Strings(f)
		return strings.Join(f, " ")
	}
	job := composeProject(t).Services[svcTopics]
	if v := job.Environment["ROCKETMQ_TOPICS"]; v == nil || sorted(*v) != want {
		t.Errorf("compose %s: ROCKETMQ_TOPICS = %v, want the contracts' topics %q", svcTopics, deref(v), want)
	}
	script := mount(job, "/opt/rocketmart/create-topics.sh")
	if script == nil || script.Source != repoPath("deploy/rocketmq/create-topics.sh") {
		t.Errorf("compose %s does not mount deploy/rocketmq/create-topics.sh: %+v", svcTopics, script)
	}

	m := k8sManifests(t)
	k8sJob, ok := m.Jobs["rocketmq-topics"]
	if !ok {
		t.Fatal("deploy/k8s has no rocketmq-topics Job")
	}
	var got string
	for _, e := range k8sJob.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "ROCKETMQ_TOPICS" {
			got = e.Value
		}
	}
	if sorted(got) != want {
		t.Errorf("k8s Job rocketmq-topics: ROCKETMQ_TOPICS = %q, want %q", got, want)
	}
	cm, ok := m.ConfigMaps["rocketmq-topics-script"]
	if !ok || cm.Data["create-topics.sh"] != readFile(t, "deploy/rocketmq/create-topics.sh") {
		t.Error("k8s ConfigMap rocketmq-topics-script differs from deploy/rocketmq/create-topics.sh: copy the file into it")
	}
}

func deref(p *string) string {
	if p == nil {
		return "<unset>"
	}
	return *p
}
