package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr/storetest"
)

// exampleSection is the README section whose commands TestWorkedExample
// runs; exampleDir holds the files they name.
const (
	exampleSection = "## Worked example: from Amazon's own files to a rate"
	exampleDir     = "../../examples/amazon"
	exampleDB      = "ex.db" // the README's --db, replaced by the test's database
)

// step is one "$ vtr …" line of the README and the output printed under it.
type step struct {
	line int // in README.md
	args []string
	want string
}

// readmeExample reads the commands and outputs of the worked example from
// README.md: in the section's fenced blocks, a line "$ vtr ARGS" is a
// command and the lines up to the next "$ " line or the block's end are
// what it prints (standard output, then standard error, as a terminal
// shows them for these commands).
func readmeExample(t *testing.T) []step {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []step
	var cur *step
	in, fenced, n := false, false, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		l := sc.Text()
		switch {
		case !in:
			in = l == exampleSection
		case strings.HasPrefix(l, "## "):
			return steps
		case strings.HasPrefix(l, "```"):
			fenced, cur = !fenced, nil
		case !fenced:
		case strings.HasPrefix(l, "$ "):
			fields := strings.Fields(strings.TrimPrefix(l, "$ "))
			if fields[0] != "vtr" {
				t.Fatalf("README.md:%d: %q: the worked example may run only vtr", n, l)
			}
			steps = append(steps, step{line: n, args: fields[1:]})
			cur = &steps[len(steps)-1]
		case cur == nil:
			t.Fatalf("README.md:%d: output %q before any command", n, l)
		default:
			cur.want += l + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !in {
		t.Fatalf("README.md has no section %q", exampleSection)
	}
	return steps
}

// elapsed is the one part of the output that depends on the machine.
var elapsed = regexp.MustCompile(`(imported \d+ records in )\d+\.\ds:`)

// The README's worked example (Amazon's orders, the flat file and
// AfterShip's webhooks to a rate and a defect report) is run as written,
// command by command, through Main on a fresh database, on SQLite and on
// PostgreSQL when VTR_TEST_POSTGRES is set: each command's output must be
// the one the README shows, so the README cannot drift from what vtr
// prints. Only the import's elapsed time is not compared.
func TestWorkedExample(t *testing.T) {
	steps := readmeExample(t)
	var imports, rates, reports int
	for _, s := range steps {
		switch s.args[0] {
		case "import":
			imports++
		case "rate":
			rates++
		case "report":
			reports++
		}
	}
	if imports < 3 || rates < 1 || reports < 1 {
		t.Fatalf("the worked example runs %d imports, %d rates, %d reports: want the orders, flat file and events imported, then a rate and a report", imports, rates, reports)
	}
	dbs := []struct {
		name string
		open func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), exampleDB) }},
		{"postgres", storetest.PostgresURL},
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			for _, s := range steps {
				args := make([]string, len(s.args))
				for i, a := range s.args {
					switch p := filepath.Join(exampleDir, a); {
					case a == exampleDB:
						args[i] = db
					case !strings.HasPrefix(a, "-") && fileExists(p):
						args[i] = p
					default:
						args[i] = a
					}
				}
				var out, errb bytes.Buffer
				// The flat file's lines are stamped with the import's
				// clock; any time after the example's last scan gives the
				// same output (examples/amazon/README.md).
				m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
					Now: func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }}
				code := m.Run(context.Background(), args)
				got := elapsed.ReplaceAllString(out.String()+errb.String(), "${1}0.0s:")
				want := elapsed.ReplaceAllString(s.want, "${1}0.0s:")
				if code != 0 || got != want {
					t.Errorf("README.md:%d: vtr %s: exit %d\n got:\n%s\nwant:\n%s", s.line, strings.Join(s.args, " "), code, got, want)
				}
			}
		})
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
