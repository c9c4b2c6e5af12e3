package labs

import (
	"fmt"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// Text is one thing a lab says, in English and in Simplified Chinese,
// written side by side so that a change to one is made to the other.
// Narration, checks and their details are fmt formats; both languages take
// the same arguments (Chinese may reorder them with %[n]s). The Chinese
// uses the terms of RocketMQ's own Chinese documentation, as the
// storefront does (web/static/js/i18n/GLOSSARY.md); text_test.go fails on
// an empty or untranslated text, differing arguments or another term.
type Text struct {
	En string `json:"en"`
	Zh string `json:"zh-CN"`
}

// In is t in lang; anything but Chinese is English.
func (t Text) In(lang launcher.Lang) string {
	if lang == launcher.Chinese {
		return t.Zh
	}
	return t.En
}

// With formats both languages with args.
func (t Text) With(args ...any) Text {
	return Text{En: fmt.Sprintf(t.En, args...), Zh: fmt.Sprintf(t.Zh, args...)}
}

// asIs is a text with no words to translate: numbers, codes, names
// ("%d %s"). The test checks that it has none.
func asIs(format string) Text { return Text{En: format, Zh: format} }

// texts is a list of texts in lang.
func texts(ts []Text, lang launcher.Lang) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(lang)
	}
	return out
}
