package timeline

import (
	"strings"
	"testing"
)

func TestSortByTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Entry
		want string
	}{
		{"oldest first", []Entry{{At: "2030-01-01T12:00:02Z", Step: "b"}, {At: "2030-01-01T12:00:01.5Z", Step: "a"}}, "a b"},
		{"sub-second precision, not text order", []Entry{
			{At: "2030-01-01T12:00:01.1Z", Step: "b"}, {At: "2030-01-01T12:00:01Z", Step: "a"}, {At: "2030-01-01T12:00:01.09Z", Step: "ab"}}, "a ab b"},
		{"offsets compare as instants", []Entry{{At: "2030-01-01T13:00:00+02:00", Step: "a"}, {At: "2030-01-01T12:00:00Z", Step: "b"}}, "a b"},
		{"ties keep their order", []Entry{
			{At: "2030-01-01T12:00:01Z", Step: "1"}, {At: "2030-01-01T12:00:01Z", Step: "2"}, {At: "2030-01-01T12:00:00Z", Step: "0"},
			{At: "2030-01-01T12:00:01Z", Step: "3"}}, "0 1 2 3"},
		{"a status change after the journal steps of its millisecond", []Entry{
			{At: "2030-01-01T12:00:01.053Z", Step: StepStatus}, {At: "2030-01-01T12:00:01.053400Z", Step: "local-transaction"},
			{At: "2030-01-01T12:00:01.054100Z", Step: "end-transaction"}}, "local-transaction " + StepStatus + " end-transaction"},
		{"an unparsable time last, in its order", []Entry{{At: "yesterday", Step: "x"}, {At: "", Step: "y"}, {At: "2030-01-01T12:00:00Z", Step: "a"}}, "a x y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sortByTime(tc.in)
			var got []string
			for _, e := range tc.in {
				got = append(got, e.Step)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}
