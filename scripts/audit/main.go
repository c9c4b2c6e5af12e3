// Command audit checks that RocketMart's services and broker agree (SPEC §3)
// and prints each invariant with pass/fail and the offending records.
//
// It reads the same environment variables as the services (each service's
// <SVC>_URL from the table in services/contracts: ORDER_URL, PAYMENT_URL …,
// and ADMIN_TOKEN) plus MINIRMQ_ADMIN_URL; the defaults match `make run`.
//
// The text report speaks English or Simplified Chinese: -lang en|zh-CN, or
// else the locale (LC_ALL, LC_MESSAGES, LANG: zh_CN.UTF-8 → Chinese), the
// same rule as make lab; `make audit AUDIT_LANG=zh-CN` passes -lang. The
// JSON report always carries both languages.
//
// Exit status: 0 consistent, 1 an invariant is violated, 2 the audit could
// not run (a service is down, bad settings).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the system to become quiet")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	langFlag := fs.String("lang", "", "the text report's language: en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	lang := audit.LocaleLang(getenv)
	if *langFlag != "" {
		l, err := audit.ParseLang(*langFlag)
		if err != nil {
			fmt.Fprintln(stderr, "audit: -lang:", err)
			return 2
		}
		lang = l
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "audit:", err)
		return 2
	}
	cfg.Quiescence = *wait
	if !*asJSON {
		if lang == audit.Chinese {
			fmt.Fprintf(stderr, "最多等待 %v，直到系统静止…\n", *wait)
		} else {
			fmt.Fprintf(stderr, "waiting up to %v for the shop to become quiet…\n", *wait)
		}
	}
	rep, err := audit.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "audit: could not read the shop:", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.WriteTextIn(stdout, lang)
	}
	if !rep.Passed {
		return 1
	}
	return 0
}

func loadConfig(getenv func(string) string) (audit.Config, error) {
	get := envconf.Getter(getenv)
	c := audit.Config{
		URLs:           map[string]string{},
		BrokerAdminURL: get("MINIRMQ_ADMIN_URL", "http://127.0.0.1:9877"),
		AdminToken:     get("ADMIN_TOKEN", "rocketmart-admin"),
	}
	if c.BrokerAdminURL == "none" {
		c.BrokerAdminURL = "" // Apache RocketMQ: no minirmq admin API
	}
	var errs []error
	for _, svc := range contracts.Services() {
		c.URLs[svc.Name] = get(svc.URLVar(), svc.DefaultURL())
		errs = append(errs, envconf.BaseURL(svc.URLVar(), c.URLs[svc.Name]))
	}
	if c.BrokerAdminURL != "" {
		errs = append(errs, envconf.BaseURL("MINIRMQ_ADMIN_URL", c.BrokerAdminURL))
	}
	errs = append(errs, envconf.Token("ADMIN_TOKEN", c.AdminToken))
	if err := errors.Join(errs...); err != nil {
		return audit.Config{}, err
	}
	return c, nil
}
