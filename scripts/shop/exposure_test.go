package main_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	oexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// TestDefaultAdminTokenStaysOnLoopback starts every program as a process
// beyond loopback with the public default admin token: each refuses, exits
// 1 and names the setting to change. The same programs on 0.0.0.0 with a
// token of their own start and answer from another address of this machine
// (and on loopback with the default token, every other whole-shop test
// starts them).
func TestDefaultAdminTokenStaysOnLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the whole shop; run without -short")
	}
	build(t)
	type refusal struct {
		bin  string
		args []string
		env  []string
		want []string // in its standard error
	}
	cases := []refusal{{bin: launcher.Broker.Name, args: []string{"-memory", "-listen", "0.0.0.0:0", "-admin", "127.0.0.1:0"},
		want: []string{"-listen", "ADMIN_TOKEN", "public default"}}}
	for _, svc := range contracts.Services() {
		cases = append(cases, refusal{bin: svc.Name, env: []string{svc.AddrVar() + "=:0", svc.DBVar() + "=sqlite:" + filepath.Join(t.TempDir(), "x.db")},
			want: []string{svc.AddrVar(), "ADMIN_TOKEN", "public default"}})
	}
	cases = append(cases, refusal{bin: launcher.Gateway.Name, env: []string{"WEB_ADDR=0.0.0.0:0"}, want: []string{"WEB_ADDR", "ADMIN_TOKEN"}})
	for _, c := range cases {
		t.Run(c.bin, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := oexec.CommandContext(ctx, filepath.Join(binDir, c.bin), c.args...)
			// Only what the case sets: no ADMIN_TOKEN from the test's environment.
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, c.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Fatalf("exit code %d (%v), want 1; stderr:\n%s", code, err, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not name %q:\n%s", w, stderr.String())
				}
			}
		})
	}

	// With a token of its own the whole shop runs on every interface.
	shop, _ := startShopWith(t, "sqlite", func(o *launcher.Options) {
		o.ListenHost = "0.0.0.0"
		o.AdminToken = "exposure-test-token"
	})
	ip := externalIP()
	if ip == "" {
		t.Log("this machine has no non-loopback IPv4 address: only loopback was checked")
		return
	}
	for name, u := range shop.URL {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
		resp, err := http.Get(fmt.Sprintf("http://%s/healthz", net.JoinHostPort(ip, port)))
		if err != nil {
			t.Errorf("%s does not answer on %s:%s: %v", name, ip, port, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s on %s:%s: /healthz %d", name, ip, port, resp.StatusCode)
		}
	}
}

// externalIP is an IPv4 address of this machine other than loopback, or "".
func externalIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}
