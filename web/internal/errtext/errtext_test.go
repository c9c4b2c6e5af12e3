package errtext

import (
	"testing"

	"github.com/rocketmart/rocketmart/web"
)

func catalogue(t *testing.T) *Catalogue {
	t.Helper()
	static, err := web.Static()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(static)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLanguage(t *testing.T) {
	c := catalogue(t)
	for _, tc := range []struct{ header, want string }{
		{"", ""},
		{"zh-CN", "zh-CN"},
		{"zh", "zh-CN"},
		{"zh-TW,zh;q=0.9", "zh-CN"},
		{"en-US,en;q=0.9,zh-CN;q=0.8", ""},
		{"fr-FR, zh-CN;q=0.8, en;q=0.5", "zh-CN"},
		{"en;q=0.4, zh-CN;q=0.9", "zh-CN"},
		{"zh-CN;q=0, en", ""},
		{"de, fr", ""},
		{"*", ""},
	} {
		if got := c.Language(tc.header); got != tc.want {
			t.Errorf("Language(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	c := catalogue(t)
	for _, tc := range []struct{ name, body, want string }{
		{"a known code", `{"error":{"code":"OUT_OF_STOCK","message":"not enough stock"}}`,
			`{"error":{"code":"OUT_OF_STOCK","message":"库存不足。"}}`},
		{"a placeholder filled", `{"error":{"code":"VALIDATION","message":"quantity: min","details":{"field":"quantity"}}}`,
			`{"error":{"code":"VALIDATION","details":{"field":"quantity"},"message":"字段 quantity 的值无效。"}}`},
		{"a placeholder without its detail", `{"error":{"code":"VALIDATION","message":"userId is required"}}`,
			`{"error":{"code":"VALIDATION","message":"userId is required"}}`},
		{"an unknown code", `{"error":{"code":"NEW_CODE","message":"new"}}`, `{"error":{"code":"NEW_CODE","message":"new"}}`},
		{"not an error", `{"ok":true}`, `{"ok":true}`},
		{"not JSON", `oops`, `oops`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(c.Translate("zh-CN", []byte(tc.body))); got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}
