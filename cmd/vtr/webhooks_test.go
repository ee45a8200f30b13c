package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/vtr-project/vtr/internal/formats"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// summary is the numbers of vtr import's last line.
type summary struct {
	records, events, duplicate, rejected int
}

var summaryRE = regexp.MustCompile(`imported (\d+) records in [^:]*: .*?(\d+) events \((\d+) duplicate, \d+ unclassified\); \d+ packages judged; (\d+) lines rejected`)

// importSummary reads the numbers of vtr import's summary line, failing
// the test when there is none.
func importSummary(t *testing.T, stderr string) summary {
	t.Helper()
	m := summaryRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no import summary in %q", stderr)
	}
	n := func(s string) int {
		v, _ := strconv.Atoi(s)
		return v
	}
	return summary{n(m[1]), n(m[2]), n(m[3]), n(m[4])}
}

// sampleEvents returns a vendor sample and its events' count and IDs,
// as the format's adapter makes them.
func sampleEvents(t *testing.T, format, file string) (body []byte, ids []string) {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	body = bytes.TrimSpace(body)
	events, err := formats.Webhooks[format].Parse(body)
	if err != nil || len(events) == 0 {
		t.Fatalf("%s: %d events, %v", file, len(events), err)
	}
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	return body, ids
}

func distinct(ids ...[]string) int {
	seen := map[string]bool{}
	for _, l := range ids {
		for _, id := range l {
			seen[id] = true
		}
	}
	return len(seen)
}

func compact(t *testing.T, body []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Vendor payloads import as events; a payload that is not a tracking
// update names its line and is the only line rejected; the same payload
// twice is stored once, its events counted as duplicates.
func TestImportWebhooks(t *testing.T) {
	for _, tt := range []struct{ format, file string }{
		{"easypost", "../../easypost/testdata/tracking_webhook_ups.json"},
		{"aftership", "../../aftership/testdata/webhook_usps_docs_variant.json"},
		{"17track", "../../track17/testdata/push_ups_variant.json"},
	} {
		body, ids := sampleEvents(t, tt.format, tt.file)
		db := filepath.Join(t.TempDir(), "vtr.db")
		// The payload, a payload that is not a tracking update, the payload again.
		in := string(body) + "\n{\"hello\":1}\n" + string(body) + "\n"
		stderr, code := runBounded(t, in, "import", "--db", db, "--format", tt.format, "-")
		wantLine := fmt.Sprintf("vtr: line %d: %s: ", strings.Count(string(body), "\n")+2, tt.format)
		if code != 1 || !strings.Contains(stderr, wantLine) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and an error on %q", tt.format, code, stderr, wantLine)
		}
		n, stored := len(ids), distinct(ids)
		want := summary{records: 2 * n, events: stored, duplicate: 2*n - stored, rejected: 1}
		if got := importSummary(t, stderr); got != want {
			t.Errorf("%s: got %+v, want %+v (%d events a payload)", tt.format, got, want, n)
		}
	}
}

// A broken payload among good ones, in a file of pretty-printed and
// one-line payloads, is one rejected line: the import ends (it used to
// spin on the broken payload for ever), stores every good payload's
// events, and exits 1.
func TestImportWebhooksBrokenPayload(t *testing.T) {
	for _, tt := range []struct {
		format  string
		samples [3]string
	}{
		{"aftership", [3]string{"webhook_usps_docs_variant.json", "get_tracking_fedex.json", "webhook_first_last_mile_variant.json"}},
		{"easypost", [3]string{"tracking_webhook_ups.json", "event_tracker_updated_fedex.json", "event_usps_codes_variant.json"}},
		{"17track", [3]string{"push_ups_variant.json", "push_dhl_paket.json", "push_yanwen_usps_variant.json"}},
	} {
		dir := "../../" + strings.Replace(tt.format, "17track", "track17", 1) + "/testdata/"
		a, aIDs := sampleEvents(t, tt.format, dir+tt.samples[0])
		b, bIDs := sampleEvents(t, tt.format, dir+tt.samples[1])
		c, cIDs := sampleEvents(t, tt.format, dir+tt.samples[2])
		ca := compact(t, a)
		// Line 1: a, one line. Line 2: a cut in half. Line 3 on: b,
		// pretty-printed. Then c, one line, then b cut in half, pretty.
		in := ca + "\n" + ca[:len(ca)/2] + "\n" + string(b) + "\n" + compact(t, c) + "\n" + string(b[:len(b)/2]) + "\n"
		cutB := 3 + strings.Count(string(b), "\n") + 2

		dir = t.TempDir()
		file, db := filepath.Join(dir, "payloads.json"), filepath.Join(dir, "vtr.db")
		if err := os.WriteFile(file, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		stderr, code := runBounded(t, "", "import", "--db", db, "--format", tt.format, file)
		if code != 1 || !strings.Contains(stderr, "vtr: line 2: broken JSON") || !strings.Contains(stderr, fmt.Sprintf("vtr: line %d: broken JSON", cutB)) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1, broken JSON on lines 2 and %d", tt.format, code, stderr, cutB)
		}
		n := len(aIDs) + len(bIDs) + len(cIDs)
		stored := distinct(aIDs, bIDs, cIDs)
		want := summary{records: n, events: stored, duplicate: n - stored, rejected: 2}
		if got := importSummary(t, stderr); got != want {
			t.Errorf("%s: got %+v, want %+v", tt.format, got, want)
		}
		// Every good payload is stored: importing it again adds nothing.
		for i, p := range [][]byte{a, b, c} {
			_, stderr, code := runVTR(t, string(p), "import", "--db", db, "--format", tt.format, "-")
			if got := importSummary(t, stderr); code != 0 || got.records == 0 || got.events != 0 || got.duplicate != got.records {
				t.Errorf("%s: payload %d again: exit %d, %+v; want every event a duplicate", tt.format, i+1, code, got)
			}
		}
	}
}

// runBounded runs the CLI in process like runVTR, but fails the test if
// the command runs for more than 30 s (an import that spins on bad input)
// and keeps at most 1 MiB of its standard error.
func runBounded(t *testing.T, stdin string, args ...string) (stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errb := &headBuffer{max: 1 << 20}
	done := make(chan int, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(stdin), Stdout: io.Discard, Stderr: errb}
		done <- m.Run(ctx, args)
	}()
	select {
	case code = <-done:
	case <-time.After(40 * time.Second):
		t.Fatalf("vtr %s did not end in 40 s", strings.Join(args, " "))
	}
	if ctx.Err() != nil {
		t.Fatalf("vtr %s did not end in 30 s: exit %d", strings.Join(args, " "), code)
	}
	return errb.b.String(), code
}

// headBuffer keeps the first max bytes written to it and drops the rest.
type headBuffer struct {
	b       bytes.Buffer
	max     int
	dropped bool
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - h.b.Len(); room < len(p) {
		h.b.Write(p[:max(room, 0)])
		h.dropped = true
		return len(p), nil
	}
	return h.b.Write(p)
}

// A byte-order mark at the start of the input is skipped by every format
// vtr import reads, and by vtr validate's standard input: the first line
// is kept.
func TestBOMEveryFormat(t *testing.T) {
	const bom = "\ufeff"
	body, ids := sampleEvents(t, "easypost", "../../easypost/testdata/tracking_webhook_ups.json")
	flat := "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n" +
		"111-0000001-0000002\t\t\t2026-10-03\tUPS\t\t1Z999AA10123456784\tGround\n"
	for _, tt := range []struct {
		name string
		in   string
		args []string
		want summary
	}{
		{"native", bom + sample, nil, summary{records: 6, events: 1}},
		{"flat file, detected", bom + flat, nil, summary{records: 1}},
		{"flat file", bom + flat, []string{"--format", "flatfile"}, summary{records: 1}},
		{"webhooks", bom + string(body) + "\n" + compact(t, body), []string{"--format", "easypost"}, summary{records: 2 * len(ids), events: distinct(ids), duplicate: 2*len(ids) - distinct(ids)}},
	} {
		db := filepath.Join(t.TempDir(), "vtr.db")
		stderr, code := runBounded(t, tt.in, append(append([]string{"import", "--db", db}, tt.args...), "-")...)
		if got := importSummary(t, stderr); code != 0 || got != tt.want {
			t.Errorf("%s: exit %d, %+v; want exit 0, %+v (stderr %q)", tt.name, code, got, tt.want, stderr)
		}
	}
	stdout, stderr, code := runVTR(t, bom+"1Z96F4R8D313969574\n775817441109\n", "validate")
	if code != 0 || !strings.HasPrefix(stdout, "valid    1Z96F4R8D313969574 ") || stderr != "2 checked: 2 valid, 0 invalid\n" {
		t.Errorf("validate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
