package dockerfile

import (
	"reflect"
	"strings"
	"testing"
)

const sample = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION} AS build
ARG MODULE
ARG MAIN=.
COPY services/platform/go.* \
     services/platform/
# a comment inside nothing
COPY --chown=1:1 ${MODULE} ${MODULE}
RUN --mount=type=cache,target=/root/.cache go build \
    # a comment inside a continuation
    -o /out/app "${MAIN}"
ADD ["docs/a b.txt", "/docs/"]
FROM scratch
COPY --from=build /out/app /app
`

func TestParse(t *testing.T) {
	df, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, ins := range df.Instructions {
		cmds = append(cmds, ins.Command)
	}
	if want := []string{"ARG", "FROM", "ARG", "ARG", "COPY", "COPY", "RUN", "ADD", "FROM", "COPY"}; !reflect.DeepEqual(cmds, want) {
		t.Fatalf("commands = %v, want %v", cmds, want)
	}
	if got, want := df.ArgDefaults(), map[string]string{"GO_VERSION": "1.26.8", "MODULE": "", "MAIN": "."}; !reflect.DeepEqual(got, want) {
		t.Errorf("ArgDefaults() = %v, want %v", got, want)
	}
	copies, err := df.ContextCopies()
	if err != nil {
		t.Fatal(err)
	}
	want := []ContextCopy{
		{Line: 6, Sources: []string{"services/platform/go.*"}, Dest: "services/platform/"},
		{Line: 9, Sources: []string{"${MODULE}"}, Dest: "${MODULE}"},
		{Line: 13, Sources: []string{"docs/a b.txt"}, Dest: "/docs/"},
	}
	if !reflect.DeepEqual(copies, want) {
		t.Errorf("ContextCopies() = %+v\nwant %+v", copies, want)
	}
	if v, ok := df.Instructions[5].Flag("chown"); !ok || v != "1:1" {
		t.Errorf(`Flag("chown") = %q, %v`, v, ok)
	}
	run := df.Instructions[6]
	if got := strings.Join(run.Args, " "); got != `go build -o /out/app "${MAIN}"` {
		t.Errorf("RUN args = %q: the comment inside the continuation should be dropped", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"heredoc":      "FROM x\nCOPY <<EOF /a\nhello\nEOF\n",
		"bad JSON":     "FROM x\nCOPY [\"a\", /b]\n",
		"copy no dest": "FROM x\nCOPY onlyone\n",
	} {
		t.Run(name, func(t *testing.T) {
			df, err := Parse(strings.NewReader(src))
			if err == nil {
				_, err = df.ContextCopies()
			}
			if err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestExpand(t *testing.T) {
	vals := map[string]string{"MODULE": "services/order", "EMPTY": ""}
	if got, err := Expand("${MODULE}/go.* $MODULE", vals); err != nil || got != "services/order/go.* services/order" {
		t.Errorf("Expand = %q, %v", got, err)
	}
	for _, s := range []string{"${NOPE}/x", "$EMPTY/x"} {
		if _, err := Expand(s, vals); err == nil {
			t.Errorf("Expand(%q): no error for a variable without a value", s)
		}
	}
}
