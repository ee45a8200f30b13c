package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runSimulate runs the simulate command in process; the lead wires it
// into Run as "vtr simulate".
func runSimulate(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	err := m.simulate(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestSimulateNative(t *testing.T) {
	dir := t.TempDir()
	truth := filepath.Join(dir, "truth.jsonl")
	stdout, stderr, err := runSimulate(t, "--sellers", "3", "--days", "2", "--seed", "9", "--truth", truth)
	if err != nil {
		t.Fatalf("simulate: %v (stderr %q)", err, stderr)
	}
	// The summary names every count and the speed.
	re := regexp.MustCompile(`^3 sellers, (\d+) orders, (\d+) shipments, (\d+) events, (\d+) cancellations in [0-9.]+s \(.+ events/s\)\n$`)
	if !re.MatchString(stderr) {
		t.Errorf("stderr %q", stderr)
	}
	types := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var v struct{ Type string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		types[v.Type]++
	}
	if types["seller"] != 3 || types["order"] == 0 || types["shipment"] == 0 || types["event"] == 0 {
		t.Errorf("record types %v", types)
	}
	b, err := os.ReadFile(truth)
	if err != nil || bytes.Count(b, []byte("\n")) != types["shipment"] {
		t.Errorf("truth: %d lines for %d shipments (%v)", bytes.Count(b, []byte("\n")), types["shipment"], err)
	}
	// Same flags, same bytes.
	again, _, _ := runSimulate(t, "--sellers", "3", "--days", "2", "--seed", "9")
	if again != stdout {
		t.Error("same flags gave different output")
	}
}

func TestSimulateWebhooksToFile(t *testing.T) {
	dir := t.TempDir()
	out, recs := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "records.ndjson")
	for _, f := range []string{"aftership", "easypost", "17track"} {
		stdout, stderr, err := runSimulate(t, "--sellers", "2", "--days", "1", "--format", f, "--out", out, "--records", recs, "--rate", "0.05")
		if err != nil || stdout != "" {
			t.Fatalf("%s: %v, stdout %d bytes, stderr %q", f, err, len(stdout), stderr)
		}
		fl, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fl)
		sc.Buffer(nil, 1<<22)
		n := 0
		for sc.Scan() {
			if !json.Valid(sc.Bytes()) {
				t.Fatalf("%s: line %d is not JSON", f, n+1)
			}
			n++
		}
		fl.Close()
		if n == 0 {
			t.Errorf("%s: no payloads", f)
		}
		if b, _ := os.ReadFile(recs); !bytes.Contains(b, []byte(`"type":"shipment"`)) || bytes.Contains(b, []byte(`"type":"event"`)) {
			t.Errorf("%s: records file holds the wrong records", f)
		}
	}
}

func TestSimulateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--sellers", "0"},
		{"--days", "-1"},
		{"--format", "csv"},
		{"--start", "tomorrow"},
		{"--rates", "nope=0.1"},
		{"--rate", "0.2"}, // 13 modes × 20% > 100%
		{"--china", "1.5"},
		{"--records", "x"}, // only with a webhook format
		{"stray"},
	} {
		_, _, err := runSimulate(t, args...)
		var ue *usageError
		if !errorsAs(err, &ue) {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
	if out, _, err := runSimulate(t, "-h"); err != nil || !strings.Contains(out, "--truth FILE") {
		t.Errorf("help: %v %q", err, out)
	}
}

func errorsAs(err error, ue **usageError) bool {
	e, ok := err.(*usageError)
	*ue = e
	return ok
}

// BenchmarkSimulateCLI is the command end to end: 100 sellers, 30 days,
// native NDJSON to /dev/null.
func BenchmarkSimulateCLI(b *testing.B) {
	for b.Loop() {
		var errb bytes.Buffer
		m := &Main{Stdout: &bytes.Buffer{}, Stderr: &errb}
		if err := m.simulate(context.Background(), []string{"--sellers", "100", "--days", "30", "--seed", "1", "--out", os.DevNull}); err != nil {
			b.Fatal(err)
		}
		b.Log(strings.TrimSpace(errb.String()))
	}
}
