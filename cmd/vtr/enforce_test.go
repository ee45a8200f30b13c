package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The enforcement loop from the command line: enforce restricts a
// category below target, privileges says so, appeal --draft pre-fills a
// plan from the root causes, appeal submits it, decide approves it.
func TestEnforceCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vtr.db")
	if _, stderr, code := runVTR(t, sample, "import", "--db", db, "-"); code != 0 {
		t.Fatal(stderr)
	}
	secret, stderr, code := runVTR(t, "", "webhooks", "add", "--db", db, "--url", "http://127.0.0.1:1/hook", "--events", "enforcement.changed,appeal.decided")
	if code != 0 || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("webhooks add: %d %q %s", code, secret, stderr)
	}
	if _, _, code := runVTR(t, "", "webhooks", "add", "--db", db, "--url", "ftp://x", "--events", "appeal.decided"); code != exitUsage {
		t.Errorf("an ftp receiver: exit %d", code)
	}
	out, stderr, code := runVTR(t, "", "enforce", "--db", db, "--as-of", "2026-10-20")
	if code != exitFound || !strings.Contains(out, "S1  amazon-us  Electronics") || !strings.Contains(out, "ok → restricted  50.00% (1 valid, 1 invalid; target 95%)") {
		t.Fatalf("enforce: exit %d\n%s%s", code, out, stderr)
	}
	if out, _, code := runVTR(t, "", "enforce", "--db", db, "--as-of", "2026-10-20"); code != 0 || out != "" {
		t.Errorf("enforce again at the same time: exit %d %q", code, out)
	}
	out, _, code = runVTR(t, "", "privileges", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
	if code != exitFound || !strings.Contains(out, "Electronics") || !strings.Contains(out, "NO: ") {
		t.Errorf("privileges: exit %d\n%s", code, out)
	}
	out, _, code = runVTR(t, "", "appeal", "--db", db, "--seller", "S1", "--policy", "amazon-us", "--group", "Electronics", "--draft", "--as-of", "2026-10-20")
	var draft struct {
		Plan map[string]string `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &draft); code != 0 || err != nil || !strings.Contains(draft.Plan["root_cause"], "CARRIER") && !strings.Contains(draft.Plan["root_cause"], "carrier") {
		t.Fatalf("appeal --draft: exit %d %v\n%s", code, err, out)
	}
	poa := filepath.Join(dir, "poa.json")
	b, _ := json.Marshal(draft.Plan)
	os.WriteFile(poa, b, 0o644)
	out, stderr, code = runVTR(t, "", "appeal", "--db", db, "--seller", "S1", "--policy", "amazon-us", "--group", "Electronics", "--file", poa)
	var appeal struct{ ID string }
	if json.Unmarshal([]byte(out), &appeal); code != 0 || appeal.ID == "" {
		t.Fatalf("appeal: exit %d %s %s", code, out, stderr)
	}
	if _, _, code := runVTR(t, "", "decide", "--db", db, appeal.ID, "reject"); code != exitUsage {
		t.Errorf("reject without a note: exit %d", code)
	}
	if out, stderr, code := runVTR(t, "", "decide", "--db", db, "--note", "fixed", appeal.ID, "approve"); code != 0 || !strings.Contains(out, "is reinstated") {
		t.Errorf("decide: exit %d %s %s", code, out, stderr)
	}
	if _, _, code := runVTR(t, "", "decide", "--db", db, appeal.ID, "approve"); code != exitConflict {
		t.Errorf("decide twice: exit %d", code)
	}
	out, _, code = runVTR(t, "", "enforcement", "--db", db, "--seller", "S1")
	for _, want := range []string{"Electronics  reinstated", "ok → restricted by system", "restricted → appeal_pending by cli", "appeal_pending → reinstated by cli", "“fixed”"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("enforcement lacks %q:\n%s", want, out)
		}
	}
	if _, _, code := runVTR(t, "", "enforcement", "--db", db, "--seller", "S9"); code != exitNotFound {
		t.Errorf("enforcement of an unknown seller: exit %d", code)
	}
	// Three events wait for a receiver that is down: deliver retries them.
	_, stderr, code = runVTR(t, "", "webhooks", "deliver", "--db", db)
	if code != 0 || !strings.Contains(stderr, "0 delivered, 1 to retry") {
		t.Errorf("deliver to a receiver that is down: exit %d %s", code, stderr)
	}
	if out, _, code := runVTR(t, "", "webhooks", "list", "--db", db); code != 0 || !strings.Contains(out, "http://127.0.0.1:1/hook") || strings.Contains(out, "whsec_") {
		t.Errorf("webhooks list: %s", out)
	}
	if out, _, code := runVTR(t, "", "webhooks", "failed", "--db", db, "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("webhooks failed: exit %d %s", code, out)
	}
}
