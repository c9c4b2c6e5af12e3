// Command lab runs RocketMart's workshop labs (`make lab`): without
// arguments it lists them; with names (or "all") it starts a fresh shop on
// spare ports with the labs' timings, runs each lab — narrated, graded by
// the audit and the lab's own checks — and prints PASS or FAIL with the
// reasons.
//
//	go run ./scripts/shop/lab                      # list
//	go run ./scripts/shop/lab happy-path           # one lab
//	go run ./scripts/shop/lab duplicate-delivery duplicate-delivery-naive
//	go run ./scripts/shop/lab all
//
// A lab's naive twin is expected to FAIL: that is its lesson. The exit
// status is 0 when every lab showed what it exists to show (correct labs
// passed, naive twins failed), 1 otherwise. The services use SQLite under
// -data (wiped first) unless <SVC>_DB names MySQL, as with `make run`.
//
// The labs speak English or Simplified Chinese: -lang en|zh-CN, or else
// the locale (LC_ALL, LC_MESSAGES, LANG: zh_CN.UTF-8 → Chinese).
//
//	go run ./scripts/shop/lab -lang zh-CN happy-path
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/labs"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/audit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", "data/lab", "the lab shop's data directory (wiped first)")
	bin := fs.String("bin", "bin", "where the programs are built")
	noBuild := fs.Bool("no-build", false, "use the programs already in -bin")
	orders := fs.Int("order-instances", 1, "order services in the producer group: 1, or 2 (needs ORDER_DB=mysql://…)")
	langFlag := fs.String("lang", "", "the labs' language: en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lang := localeLang(getenv)
	if *langFlag != "" {
		l, err := launcher.ParseLang(*langFlag)
		if err != nil {
			return err
		}
		lang = l
	}
	names := fs.Args()
	if len(names) == 0 {
		list(out, lang)
		return nil
	}
	if len(names) == 1 && names[0] == "all" {
		names = labs.Names()
	}
	var chosen []labs.Lab
	for _, n := range names {
		l, ok := labs.Find(n)
		if !ok {
			return errors.New(labs.Text{En: "no lab %q; the labs are: %s", Zh: "没有名为 %q 的实验；实验有：%s"}.
				With(n, strings.Join(labs.Names(), ", ")).In(lang))
		}
		chosen = append(chosen, l)
	}
	dbs := launcher.Databases(getenv)
	if err := launcher.CheckOrderInstances(*orders, dbs); err != nil {
		return err
	}
	binDir, err := launcher.BuildInto(ctx, *bin, *noBuild, out)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*data); err != nil {
		return err
	}
	const token = "rocketmart-admin"
	opts := launcher.Options{BinDir: binDir, DataDir: *data, FreePorts: true, DB: dbs, Progress: out, OrderInstances: *orders, AdminToken: token}
	labs.Tune(&opts)
	say(out, lang, labs.Text{
		En: "starting a lab shop on spare ports (check-backs after 2 s, 2 redeliveries, 12 s payment timeout)…",
		Zh: "正在空闲端口上启动实验商城（2 秒后事务回查，重新投递 2 次，支付超时 12 秒）……",
	})
	shop, err := launcher.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer shop.Stop()
	say(out, lang, labs.Text{En: "storefront %s   broker admin %s   logs %s", Zh: "商城 %s   Broker 管理 %s   日志 %s"}, shop.URL["web"], shop.BrokerAdmin, shop.LogDir)

	target := labs.FromLauncher(shop)
	asExpected := true
	for _, l := range chosen {
		rep := labs.Grade(ctx, target, l, lang, out)
		rep.WriteText(out)
		asExpected = asExpected && rep.AsExpected()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if !asExpected {
		return errors.New(labs.Text{En: "a lab did not end as expected (see above)", Zh: "有实验的结果不符合预期（见上文）"}.In(lang))
	}
	say(out, lang, labs.Text{En: "\nevery lab showed what it exists to show (%s)", Zh: "\n每个实验都展示了它要展示的内容（%s）"}, time.Now().Format(time.TimeOnly))
	return nil
}

// say prints one line of t in lang, formatted with args.
func say(out io.Writer, lang launcher.Lang, t labs.Text, args ...any) {
	fmt.Fprintln(out, t.With(args...).In(lang))
}

func list(out io.Writer, lang launcher.Lang) {
	say(out, lang, labs.Text{
		En: "RocketMart's workshop labs — run one with: make lab L=<name>   (all of them: make lab L=all)",
		Zh: "RocketMart 工作坊实验——运行一个：make lab L=<名称>   （全部运行：make lab L=all）",
	})
	for _, l := range labs.All() {
		kind := ""
		if l.Naive {
			kind = labs.Text{En: "  [naive twin: expected to FAIL]", Zh: "  [朴素版本：预期 FAIL]"}.In(lang)
		}
		fmt.Fprintf(out, "\n  %-26s %s%s\n", l.Name, l.Title.In(lang), kind)
		for _, line := range l.Learn {
			fmt.Fprintf(out, "  %-26s   %s\n", "", line.In(lang))
		}
	}
	say(out, lang, labs.Text{
		En: "\nThe trainer guide (scripts/shop/labs/README.md) has the agendas, what to look at and questions for the room.",
		Zh: "\n讲师指南（scripts/shop/labs/README.zh-CN.md）里有日程安排、要看的地方和向学员提的问题。",
	})
}

// localeLang is the language the locale asks for (audit.LocaleLang: the
// same rule as make audit's).
func localeLang(getenv func(string) string) launcher.Lang {
	if audit.LocaleLang(getenv) == audit.Chinese {
		return launcher.Chinese
	}
	return launcher.English
}
