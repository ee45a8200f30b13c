package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Vendor payloads import as events; a bad payload names its line and the
// good ones around it are kept.
func TestImportWebhooks(t *testing.T) {
	for _, tt := range []struct{ format, file string }{
		{"easypost", "../../easypost/testdata/tracking_webhook_ups.json"},
		{"aftership", "../../aftership/testdata/webhook_usps_docs_variant.json"},
		{"17track", "../../track17/testdata/push_ups_variant.json"},
	} {
		body, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		db := filepath.Join(t.TempDir(), "vtr.db")
		// The payload, a payload that is not a tracking update, the payload again.
		in := string(body) + "\n{\"hello\":1}\n" + string(body) + "\n"
		_, stderr, code := runVTR(t, in, "import", "--db", db, "--format", tt.format, "-")
		lines := strings.Count(string(body), "\n") + 1
		wantLine := "line " + itoa(lines+1) + ":"
		if code != 1 || !strings.Contains(stderr, wantLine) || !strings.Contains(stderr, "duplicate") {
			t.Errorf("%s: exit %d, stderr %q (want an error on %s)", tt.format, code, stderr, wantLine)
		}
		if strings.Contains(stderr, " 0 events") {
			t.Errorf("%s: no events imported: %s", tt.format, stderr)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
