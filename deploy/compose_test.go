package deploy_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// Infrastructure services the programs rely on, by compose name.
const (
	svcMySQL   = "mysql"
	svcNamesrv = "rocketmq-namesrv"
	svcBroker  = "rocketmq-broker"
	svcTopics  = "rocketmq-topics"
	svcBoard   = "rocketmq-dashboard"
)

// TestComposeImagesPinned: an image pulled by a moving tag changes under a
// workshop; RocketMQ must speak the 4.x remoting protocol on 9876/10911.
func TestComposeImagesPinned(t *testing.T) {
	p := composeProject(t)
	exact := regexp.MustCompile(`^[\w./-]+:\d+(\.\d+)+$`)
	rocketmq := regexp.MustCompile(`^apache/rocketmq:(4\.9\.\d+|5\.\d+\.\d+)$`)
	for _, name := range []string{svcMySQL, svcNamesrv, svcBroker, svcTopics, svcBoard} {
		svc, ok := p.Services[name]
		if !ok {
			t.Errorf("docker-compose.yml has no %s service", name)
			continue
		}
		if !exact.MatchString(svc.Image) {
			t.Errorf("%s: image %q is not pinned to an exact version", name, svc.Image)
		}
		if strings.HasPrefix(svc.Image, "apache/rocketmq:") && !rocketmq.MatchString(svc.Image) {
			t.Errorf("%s: image %q: want an exact apache/rocketmq 4.9.x or 5.x tag", name, svc.Image)
		}
	}
	if img := p.Services[svcBoard].Image; !strings.HasPrefix(img, "apacherocketmq/rocketmq-dashboard:") {
		t.Errorf("dashboard image = %q, want apacherocketmq/rocketmq-dashboard", img)
	}
}

// TestComposeStartOrder: `docker compose up` brings things up in order -
// MySQL healthy before anything that has a database; name server healthy,
// then broker healthy, then the topics created, before anything that talks
// to the broker - and every "healthy" condition has a healthcheck to meet.
func TestComposeStartOrder(t *testing.T) {
	p := composeProject(t)
	want := func(t *testing.T, svc, dep, cond string) {
		t.Helper()
		got, ok := p.Services[svc].DependsOn[dep]
		if !ok || got.Condition != cond {
			t.Errorf("%s: depends_on %s = %+v, want condition %s", svc, dep, got, cond)
		}
	}
	want(t, svcBroker, svcNamesrv, types.ServiceConditionHealthy)
	want(t, svcTopics, svcBroker, types.ServiceConditionHealthy)
	for _, prog := range programs(t) {
		for name := range prog.Env {
			switch {
			case strings.HasSuffix(name, "_DB"):
				want(t, prog.Service, svcMySQL, types.ServiceConditionHealthy)
			case name == "ROCKETMQ_NAMESERVER":
				want(t, prog.Service, svcBroker, types.ServiceConditionHealthy)
				want(t, prog.Service, svcTopics, types.ServiceConditionCompletedSuccessfully)
			}
		}
	}
	for name, svc := range p.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				continue
			}
			hc := p.Services[dep].HealthCheck
			if hc == nil || hc.Disable || len(hc.Test) == 0 {
				t.Errorf("%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
			}
		}
	}
}

// TestComposeProgramsConfiguredByEnvironment: a program's container gets
// its settings as environment only - no mounted files, no env_file - and
// runs read-only: it writes nothing but to MySQL and the broker.
func TestComposeProgramsConfiguredByEnvironment(t *testing.T) {
	for _, prog := range programs(t) {
		c := prog.Config
		if len(c.Volumes) > 0 || len(c.EnvFiles) > 0 || len(c.Configs) > 0 || len(c.Secrets) > 0 {
			t.Errorf("%s: volumes %v, env_file %v, configs %v, secrets %v: want environment only", prog.Service, c.Volumes, c.EnvFiles, c.Configs, c.Secrets)
		}
		if !c.ReadOnly {
			t.Errorf("%s: read_only is off", prog.Service)
		}
	}
}

// TestComposeNamedVolumes: state lives in named volumes (survives `down`,
// goes with `down -v`), not in the containers.
func TestComposeNamedVolumes(t *testing.T) {
	p := composeProject(t)
	for svc, target := range map[string]string{svcMySQL: "/var/lib/mysql", svcBroker: "/home/rocketmq/store"} {
		v := mount(p.Services[svc], target)
		if v == nil || v.Type != types.VolumeTypeVolume {
			t.Errorf("%s: %s is not on a named volume (%+v)", svc, target, v)
			continue
		}
		if _, declared := p.Volumes[v.Source]; !declared {
			t.Errorf("%s: volume %q is not declared under volumes:", svc, v.Source)
		}
	}
}

func mount(svc types.ServiceConfig, target string) *types.ServiceVolumeConfig {
	for i, v := range svc.Volumes {
		if v.Target == target {
			return &svc.Volumes[i]
		}
	}
	return nil
}

// TestComposeDatabasesMatchInitSQL: every program's DSN names a schema and
// a user (with that password) that deploy/mysql/init creates, the user may
// use the schema, and no two programs share either (SPEC §1: no service
// reads another's tables).
func TestComposeDatabasesMatchInitSQL(t *testing.T) {
	p := composeProject(t)
	initMount := mount(p.Services[svcMySQL], "/docker-entrypoint-initdb.d")
	if initMount == nil || initMount.Source != repoPath("deploy/mysql/init") {
		t.Fatalf("mysql does not mount deploy/mysql/init at /docker-entrypoint-initdb.d: %+v", initMount)
	}
	sql := readFile(t, "deploy/mysql/init/01-rocketmart.sql")
	created := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^CREATE DATABASE IF NOT EXISTS (\w+)`).FindAllStringSubmatch(sql, -1) {
		created[m[1]] = true
	}
	passwords := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^CREATE USER IF NOT EXISTS '(\w+)'@'%' IDENTIFIED BY '([^']*)';`).FindAllStringSubmatch(sql, -1) {
		passwords[m[1]] = m[2]
	}
	grants := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^GRANT ALL PRIVILEGES ON (\w+)\.\* TO '(\w+)'@'%';`).FindAllStringSubmatch(sql, -1) {
		grants[m[2]+"@"+m[1]] = true
	}
	usedBy := map[string]string{}
	for _, prog := range programs(t) {
		for name, dsn := range prog.Env {
			if !strings.HasSuffix(name, "_DB") {
				continue
			}
			cfg, err := database.MySQLConfig(strings.TrimPrefix(dsn, "mysql://"))
			if err != nil {
				t.Errorf("%s %s: %v", prog.Service, name, err)
				continue
			}
			switch pw, ok := passwords[cfg.User]; {
			case !created[cfg.DBName]:
				t.Errorf("%s %s: schema %s is not created by the init SQL", prog.Service, name, cfg.DBName)
			case !ok:
				t.Errorf("%s %s: user %s is not created by the init SQL", prog.Service, name, cfg.User)
			case pw != cfg.Passwd:
				t.Errorf("%s %s: the password of %s differs from the init SQL's", prog.Service, name, cfg.User)
			case !grants[cfg.User+"@"+cfg.DBName]:
				t.Errorf("%s %s: %s is granted nothing on %s", prog.Service, name, cfg.User, cfg.DBName)
			}
			for _, key := range []string{"schema " + cfg.DBName, "user " + cfg.User} {
				if other, dup := usedBy[key]; dup {
					t.Errorf("%s and %s share %s", other, prog.Service, key)
				}
				usedBy[key] = prog.Service
			}
		}
	}
}
