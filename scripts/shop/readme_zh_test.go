package main_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// mirroredSections are the README's sections that README.zh-CN.md
// translates, English heading → Chinese heading, in the English order. A
// heading renamed on either side, or a section added here, must be
// renamed or added on the other.
var mirroredSections = []struct{ en, zh string }{
	{"Two commands", "两条命令"},
	{"A tour", "导览"},
	{"Architecture", "架构"},
	{"How paying works (SPEC §2.3)", "支付是怎样进行的（SPEC §2.3）"},
	{"After paying: idempotent consumers (SPEC §2.4)", "支付之后：幂等消费者（SPEC §2.4）"},
	{"The audit (SPEC §3)", "一致性审计（SPEC §3）"},
	{"Workshops: fault switches, labs and the trainer's page", "工作坊：故障开关、实验和讲师页面"},
}

// The Chinese README keeps in step with the English one: each mirrored
// section is there, in the same order, with the same commands in its
// shell blocks (comments aside: those are translated), and each README
// links the other near its top.
func TestReadmeZhInStep(t *testing.T) {
	en, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	zh, err := os.ReadFile("../../README.zh-CN.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range readmeDrift(string(en), string(zh)) {
		t.Error(p)
	}
}

// A difference planted in either README fails the comparison.
func TestReadmeZhDriftIsCaught(t *testing.T) {
	const en = `# RocketMart

*简体中文：[README.zh-CN.md](README.zh-CN.md)*

## Two commands

` + "```sh\nmake run    # build and run\nmake test   # the whole suite\n```" + `

## A tour

Open the shop.

## Architecture

` + "```mermaid\nflowchart LR\n```" + `

## How paying works (SPEC §2.3)

` + "```sh\ncurl -s localhost:9877/api/v1/dead-letters \\\n     -d '{}'   # a comment\n```" + `

## After paying: idempotent consumers (SPEC §2.4)

## The audit (SPEC §3)

## Workshops: fault switches, labs and the trainer's page

` + "```sh\nmake lab              # list the labs\nmake lab L=all\n```\n\n## Tests\n\n```sh\nmake fuzz\n```\n"
	zh := `# RocketMart

*English: [README.md](README.md)*

## 两条命令

` + "```sh\nmake run    # 构建并运行\nmake test   # 全部测试\n```" + `

## 导览

打开商城。

## 架构

` + "```mermaid\nflowchart LR\n```" + `

## 支付是怎样进行的（SPEC §2.3）

` + "```sh\ncurl -s localhost:9877/api/v1/dead-letters \\\n  -d '{}'   # 注释\n```" + `

## 支付之后：幂等消费者（SPEC §2.4）

## 一致性审计（SPEC §3）

## 工作坊：故障开关、实验和讲师页面

` + "```sh\nmake lab              # 列出实验\nmake lab L=all\n```\n\n**中文：**`make lab LAB_LANG=zh-CN`\n\n## 术语\n"

	if got := readmeDrift(en, zh); len(got) > 0 {
		t.Fatalf("the two in step: %q", got)
	}
	const tour = "## 导览\n\n打开商城。\n\n"
	for _, c := range []struct {
		name     string
		en, zh   string
		mentions string
	}{
		{"a command added in English", strings.Replace(en, "make lab L=all\n", "make lab L=all\nmake workshop   # the shop for a workshop\n", 1), zh, "make workshop"},
		{"a command changed in English", strings.Replace(en, "make lab L=all", "make lab L=happy-path", 1), zh, "make lab L=happy-path"},
		{"a command left in Chinese only", en, strings.Replace(zh, "make test   # 全部测试\n", "make test   # 全部测试\nmake bench\n", 1), "make bench"},
		{"a continued command changed", strings.Replace(en, "-d '{}'", "-d '{\"x\":1}'", 1), zh, "dead-letters"},
		{"an English heading renamed", strings.Replace(en, "## A tour", "## The tour", 1), zh, "A tour"},
		{"a Chinese heading missing", en, strings.Replace(zh, "## 导览\n", "", 1), "导览"},
		{"sections out of order", en, strings.Replace(strings.Replace(zh, tour, "", 1), "## 支付是", tour+"## 支付是", 1), "order"},
		{"no link to the Chinese", strings.Replace(en, "(README.zh-CN.md)", "(other.md)", 1), zh, "README.zh-CN.md"},
		{"no link back", en, strings.Replace(zh, "(README.md)", "(x.md)", 1), "link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readmeDrift(c.en, c.zh)
			if !strings.Contains(strings.Join(got, "\n"), c.mentions) {
				t.Errorf("drift = %q, want a finding mentioning %q", got, c.mentions)
			}
		})
	}
}

// readmeDrift lists how the Chinese README (zh) has drifted from the
// English one (en).
func readmeDrift(en, zh string) []string {
	var out []string
	if !strings.Contains(firstLines(en, 8), "](README.zh-CN.md)") {
		out = append(out, "README.md does not link README.zh-CN.md in its first lines")
	}
	if !strings.Contains(firstLines(zh, 8), "](README.md)") {
		out = append(out, "README.zh-CN.md does not link back to README.md in its first lines")
	}
	enSecs, zhSecs := sections(en), sections(zh)
	var order []int
	for _, m := range mirroredSections {
		e, okEn := enSecs[m.en]
		z, okZh := zhSecs[m.zh]
		switch {
		case !okEn:
			out = append(out, fmt.Sprintf("README.md has no section %q: renamed? rename it in mirroredSections and README.zh-CN.md too", m.en))
			continue
		case !okZh:
			out = append(out, fmt.Sprintf("README.zh-CN.md has no section %q (the Chinese of %q)", m.zh, m.en))
			continue
		}
		order = append(order, z.index)
		ce, cz := shellCommands(e.body), shellCommands(z.body)
		for _, c := range ce {
			if !slices.Contains(cz, c) {
				out = append(out, fmt.Sprintf("section %q: the command %q is not in %q of README.zh-CN.md", m.en, c, m.zh))
			}
		}
		for _, c := range cz {
			if !slices.Contains(ce, c) {
				out = append(out, fmt.Sprintf("section %q: README.zh-CN.md's %q has the command %q, which README.md's does not", m.en, m.zh, c))
			}
		}
	}
	if !slices.IsSorted(order) {
		out = append(out, "README.zh-CN.md's mirrored sections are not in README.md's order")
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

type section struct {
	index int    // its place among the document's ## sections
	body  string // up to the next ## heading
}

// sections splits a Markdown document at its "## " headings (outside code
// blocks), by heading.
func sections(doc string) map[string]section {
	out := map[string]section{}
	var (
		cur   string
		body  strings.Builder
		n     int
		fence bool
	)
	flush := func() {
		if cur != "" {
			out[cur] = section{index: n, body: body.String()}
		}
		body.Reset()
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "## ") {
			flush()
			n++
			cur = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			continue
		}
		body.WriteString(line + "\n")
	}
	flush()
	return out
}

var (
	shellFence = regexp.MustCompile("^```(sh|bash|shell|console)\\s*$")
	comment    = regexp.MustCompile(`\s+#(\s.*)?$`)
	spaces     = regexp.MustCompile(`\s+`)
)

// shellCommands lists the commands in a section's shell code blocks: one
// per line (a line ending in \ continues), without its trailing comment,
// spaces collapsed.
func shellCommands(body string) []string {
	var (
		out  []string
		in   bool
		cont string
	)
	for _, line := range strings.Split(body, "\n") {
		switch {
		case !in && shellFence.MatchString(line):
			in = true
			continue
		case in && strings.HasPrefix(line, "```"):
			in = false
			continue
		case !in:
			continue
		}
		line = comment.ReplaceAllString(line, "")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		cmd := strings.TrimSpace(spaces.ReplaceAllString(cont+line, " "))
		cont = ""
		if cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}
