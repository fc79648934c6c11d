package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// session is a command and its output as a README.md code block shows
// them: `$ bin/gslb ARGS`, the lines it printed, and optionally
// `$ echo $?` and its exit status.
type session struct {
	line    int // of the command in README.md
	command string
	output  string
	status  string // after `$ echo $?`; "" when not shown
}

// readmeSessions returns every `$ bin/gslb` command shown in a fenced code
// block of md, in order.
func readmeSessions(md string) []session {
	var out []session
	var cur *session // the session whose output lines follow
	inBlock := false
	for i, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			inBlock, cur = !inBlock, nil
			continue
		}
		if !inBlock {
			continue
		}
		switch cmd, ok := strings.CutPrefix(l, "$ "); {
		case ok && strings.HasPrefix(cmd, "bin/gslb "):
			out = append(out, session{line: i + 1, command: cmd})
			cur = &out[len(out)-1]
		case ok && cmd == "echo $?" && cur != nil:
			cur.status = "?" // the next line
		case ok:
			cur = nil // another command: its output is not ours
		case cur != nil && cur.status == "?":
			cur.status, cur = l, nil
		case cur != nil:
			cur.output += l + "\n"
		}
	}
	return out
}

// TestReadmeShowsGoldenOutput holds that every `$ bin/gslb` command shown
// with its output in README.md prints what its golden file holds (after
// normalize), with the exit status shown, and that README.md shows every
// output cliCases marks as shown.
func TestReadmeShowsGoldenOutput(t *testing.T) {
	md, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	byCommand := make(map[string]cliCase)
	for _, c := range cliCases {
		if d, ok := byCommand[c.readmeCommand()]; ok {
			t.Fatalf("cliCases %s and %s run the same command line `%s`", d.name, c.name, c.readmeCommand())
		}
		byCommand[c.readmeCommand()] = c
	}
	shown := make(map[string]bool)
	for _, s := range readmeSessions(string(md)) {
		c, ok := byCommand[s.command]
		if !ok {
			t.Errorf("README.md:%d shows the output of `%s`, which no golden file holds: add it to cliCases", s.line, s.command)
			continue
		}
		shown[c.name] = true
		path := goldenPath(".", c.name)
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("README.md:%d: `%s`: %v", s.line, s.command, err)
			continue
		}
		if got, want := normalize(s.output), normalize(string(golden)); got != want {
			t.Errorf("README.md:%d: the block showing `%s` differs from %s: replace the block's output with the golden file's, with real values for its placeholders (see normalize)\n%s",
				s.line, s.command, path, firstDifference("README.md", got, path, want))
		}
		if s.status != "" && s.status != strconv.Itoa(c.code) {
			t.Errorf("README.md:%d: `%s` is shown exiting %s, want %d", s.line, s.command, s.status, c.code)
		}
	}
	for _, c := range cliCases {
		if c.readme && !shown[c.name] {
			t.Errorf("README.md shows no `$ %s` block with its output (testdata/golden/%s.golden)", c.readmeCommand(), c.name)
		}
	}
}
