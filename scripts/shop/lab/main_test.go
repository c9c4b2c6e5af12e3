package main

import (
	"context"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// make lab follows the locale the way POSIX programs do: LC_ALL, then
// LC_MESSAGES, then LANG; only Simplified Chinese locales give Chinese.
func TestLocaleLang(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		want launcher.Lang
	}{
		{nil, launcher.English},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, launcher.Chinese},
		{map[string]string{"LANG": "zh_CN"}, launcher.Chinese},
		{map[string]string{"LANG": "zh_SG.GB2312"}, launcher.Chinese},
		{map[string]string{"LANG": "en_US.UTF-8"}, launcher.English},
		{map[string]string{"LANG": "C.UTF-8"}, launcher.English},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, launcher.English}, // Traditional: not this translation
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, launcher.English},
		{map[string]string{"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, launcher.Chinese},
	} {
		if got := localeLang(env(c.vars)); got != c.want {
			t.Errorf("localeLang(%v) = %s, want %s", c.vars, got, c.want)
		}
	}
}

// The list speaks the language of -lang, or else of the locale; a -lang it
// does not speak is refused, naming the ones it does, before anything runs.
func TestListLanguage(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"English by default", nil, nil, "The happy path: half message"},
		{"Chinese from LANG", nil, map[string]string{"LANG": "zh_CN.UTF-8"}, "正常路径：半消息、本地事务"},
		{"Chinese from -lang", []string{"-lang", "zh-CN"}, map[string]string{"LANG": "en_US.UTF-8"}, "[朴素版本：预期 FAIL]"},
		{"-lang wins over LANG", []string{"-lang", "en"}, map[string]string{"LANG": "zh_CN.UTF-8"}, "[naive twin: expected to FAIL]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			if err := run(context.Background(), c.args, env(c.vars), &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), c.want) {
				t.Errorf("the list does not say %q:\n%s", c.want, out.String())
			}
		})
	}
	var out strings.Builder
	err := run(context.Background(), []string{"-lang", "fr", "happy-path"}, env(nil), &out)
	if err == nil || !strings.Contains(err.Error(), "en, zh-CN") {
		t.Errorf("-lang fr: %v, want an error naming en, zh-CN", err)
	}
}
