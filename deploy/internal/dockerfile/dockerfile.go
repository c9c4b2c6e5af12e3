// Package dockerfile reads the parts of a Dockerfile that deploy's checks
// need: build arguments with their defaults and the sources each COPY takes
// from the build context. It understands line continuations, comments,
// parser directives, flags and the JSON form; anything else is kept as an
// opaque instruction. Heredocs are refused rather than misread.
package dockerfile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Instruction is one instruction, continuation lines joined.
type Instruction struct {
	Line    int    // first line, 1-based
	Command string // upper case: FROM, ARG, COPY...
	Flags   []string
	Args    []string
}

// File is a parsed Dockerfile.
type File struct {
	Instructions []Instruction
}

// ParseFile parses the Dockerfile at path.
func ParseFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	df, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return df, nil
}

// Parse reads a Dockerfile.
func Parse(r io.Reader) (*File, error) {
	sc := bufio.NewScanner(r)
	var (
		df      File
		buf     strings.Builder
		start   int
		lineNo  int
		pending bool
	)
	flush := func() error {
		if !pending {
			return nil
		}
		pending = false
		ins, err := parseInstruction(start, buf.String())
		buf.Reset()
		if err != nil {
			return err
		}
		df.Instructions = append(df.Instructions, ins)
		return nil
	}
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue // comments, directives and blank lines; also inside a continuation, as Docker does
		}
		if !pending {
			start, pending = lineNo, true
		}
		if strings.HasSuffix(line, `\`) {
			buf.WriteString(strings.TrimSuffix(line, `\`))
			buf.WriteByte(' ')
			continue
		}
		buf.WriteString(line)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return &df, nil
}

func parseInstruction(line int, text string) (Instruction, error) {
	cmd, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	ins := Instruction{Line: line, Command: strings.ToUpper(cmd)}
	rest = strings.TrimSpace(rest)
	if strings.Contains(rest, "<<") && (ins.Command == "COPY" || ins.Command == "RUN" || ins.Command == "ADD") {
		return ins, fmt.Errorf("line %d: heredocs are not supported by this reader", line)
	}
	fields := strings.Fields(rest)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
		ins.Flags, fields = append(ins.Flags, fields[0]), fields[1:]
	}
	rest = strings.TrimSpace(strings.Join(fields, " "))
	if strings.HasPrefix(rest, "[") {
		if err := json.Unmarshal([]byte(rest), &ins.Args); err != nil {
			return ins, fmt.Errorf("line %d: %s: bad JSON form: %w", line, ins.Command, err)
		}
		return ins, nil
	}
	ins.Args = fields
	return ins, nil
}

// Flag returns the value of --name=value, or "" and false.
func (ins Instruction) Flag(name string) (string, bool) {
	for _, f := range ins.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// ArgDefaults returns every ARG's default ("" for an ARG without one).
// Dockerfile scoping is flattened: the checks need names, not stages.
func (df *File) ArgDefaults() map[string]string {
	args := map[string]string{}
	for _, ins := range df.Instructions {
		if ins.Command != "ARG" {
			continue
		}
		for _, a := range ins.Args {
			name, def, _ := strings.Cut(a, "=")
			if _, seen := args[name]; !seen || def != "" {
				args[name] = strings.Trim(def, `"`)
			}
		}
	}
	return args
}

// ContextCopy is one COPY or ADD from the build context.
type ContextCopy struct {
	Line    int
	Sources []string // as written, variables not expanded
	Dest    string
}

// ContextCopies returns the COPY and ADD instructions that read the build
// context (not another stage: no --from).
func (df *File) ContextCopies() ([]ContextCopy, error) {
	var out []ContextCopy
	for _, ins := range df.Instructions {
		if ins.Command != "COPY" && ins.Command != "ADD" {
			continue
		}
		if _, fromStage := ins.Flag("from"); fromStage {
			continue
		}
		if len(ins.Args) < 2 {
			return nil, fmt.Errorf("line %d: %s needs a source and a destination", ins.Line, ins.Command)
		}
		n := len(ins.Args)
		out = append(out, ContextCopy{Line: ins.Line, Sources: ins.Args[:n-1], Dest: ins.Args[n-1]})
	}
	return out, nil
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Expand replaces $NAME and ${NAME} with values[NAME]; it fails on a name
// without a value, which would make a build copy the wrong thing.
func Expand(s string, values map[string]string) (string, error) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2]
		v, ok := values[name]
		if !ok || v == "" {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%q uses %s, which has no value", s, strings.Join(missing, ", "))
	}
	return out, nil
}
