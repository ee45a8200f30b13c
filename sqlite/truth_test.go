package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/simulate"
)

// expected maps each failure mode the simulator injects to the reason vtr
// must give ("" when the mode is not a VTR defect under the policy).
func expected(mode, policy, origin string, value float64) string {
	p, err := vtr.NewPolicySet(nil).Get(policy)
	if err != nil {
		return "?"
	}
	switch mode {
	case "late_upload":
		if p.Upload.From == "" {
			return "" // no upload deadline under this policy
		}
	case "ship_from_mismatch":
		if !p.ShipFromCheck {
			return ""
		}
	}
	switch mode {
	case "no_acceptance_scan":
		return "NO_PHYSICAL_SCAN"
	case "late_upload":
		return "UPLOADED_LATE" // a warning under Amazon's 24 h guidance
	case "upload_after_delivery":
		return "UPLOADED_AFTER_DELIVERY"
	case "wrong_carrier":
		return "CARRIER_MISMATCH"
	case "typo", "special_characters":
		return "TRACKING_MALFORMED"
	case "other_carrier":
		return "CARRIER_UNSUPPORTED"
	case "unsupported_carrier":
		if policy == "amazon-us" {
			return "" // Amazon measures every carrier since January 2025
		}
		return "CARRIER_UNSUPPORTED"
	case "reused_label":
		return "TRACKING_REUSED"
	case "ship_from_mismatch":
		return "SHIP_FROM_MISMATCH"
	case "lost":
		if origin == "CN" && value >= 5 {
			return "INSUFFICIENT_SCANS"
		}
		return "" // an acceptance scan makes the number valid
	case "single_scan":
		return "INSUFFICIENT_SCANS"
	case "cancel_after_ship":
		return "EXEMPT_CANCELLED"
	}
	return "?"
}

// TestVerdictsMatchSimulatorTruth imports a simulated world with every
// failure mode at 5% and checks every package's verdict against the modes
// the simulator injected.
func TestVerdictsMatchSimulatorTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and imports a month of data")
	}
	rate := 0.05
	cfg := simulate.Config{Seed: 11, Sellers: 6, Days: 12, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), OrdersPerDay: 30, ChinaShare: 0.4}
	rates := simulate.Uniform(rate)
	cfg.Rates = &rates
	var out, truth bytes.Buffer
	if _, err := simulate.Run(context.Background(), cfg, simulate.Output{Out: &out, Truth: &truth}); err != nil {
		t.Fatal(err)
	}
	d := openDB(t, filepath.Join(t.TempDir(), "vtr.db"))
	s := ingest.New(d, nil)
	dec := native.NewDecoder(&out, func() time.Time { return cfg.Start })
	if _, err := s.Import(context.Background(), dec.Next, func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	type verdict struct{ policy, outcome, reasons, warnings string }
	got := map[string]verdict{}
	rows, err := d.SQL().Query(`SELECT order_id, package_id, policy, outcome, reasons, warnings FROM packages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o, p string
		var v verdict
		if err := rows.Scan(&o, &p, &v.policy, &v.outcome, &v.reasons, &v.warnings); err != nil {
			t.Fatal(err)
		}
		got[o+"/"+p] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	perMode := map[string][2]int{} // mode → {agree, total}
	clean := [2]int{}
	sc := bufio.NewScanner(&truth)
	for sc.Scan() {
		var tr simulate.Truth
		if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
			t.Fatal(err)
		}
		v, ok := got[tr.OrderID+"/"+tr.PackageID]
		if !ok {
			t.Errorf("package %s/%s of the truth file was not judged", tr.OrderID, tr.PackageID)
			continue
		}
		var value float64
		json.Unmarshal([]byte(tr.Value), &value)
		if len(tr.Modes) == 0 {
			clean[1]++
			if v.outcome == "valid" || v.outcome == "exempt" {
				clean[0]++
			} else if clean[1]-clean[0] <= 5 {
				t.Logf("clean package %s/%s judged %s %s", tr.OrderID, tr.PackageID, v.outcome, v.reasons)
			}
			continue
		}
		for _, m := range tr.Modes {
			want := expected(m, v.policy, tr.Origin, value)
			c := perMode[m]
			c[1]++
			all := v.reasons + "," + v.warnings
			switch {
			case want == "" && v.outcome != "invalid":
				c[0]++
			case want != "" && strings.Contains(all, want):
				c[0]++
			default:
				if c[1]-c[0] <= 3 {
					t.Logf("%s on %s/%s (%s, from %s): got %s %q, want %q", m, tr.OrderID, tr.PackageID, v.policy, tr.Origin, v.outcome, all, want)
				}
			}
			perMode[m] = c
		}
	}
	for m, c := range perMode {
		share := float64(c[0]) / float64(c[1])
		t.Logf("%-24s %4d/%4d agree (%.1f%%)", m, c[0], c[1], share*100)
		if share < 0.95 {
			t.Errorf("%s: only %.1f%% of %d packages get the expected verdict", m, share*100, c[1])
		}
	}
	share := float64(clean[0]) / float64(clean[1])
	t.Logf("%-24s %4d/%4d valid or exempt (%.1f%%)", "no failure mode", clean[0], clean[1], share*100)
	if share < 0.97 {
		t.Errorf("clean packages: only %.1f%% valid or exempt", share*100)
	}
}
