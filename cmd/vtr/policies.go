package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vtr-project/vtr"
)

const policiesHelp = `Usage: vtr policies [--json] [--policies FILE]

Lists the policies in force — the built-in profiles and any operator
profiles from --policies (a JSON array; a profile with a built-in's id
replaces it) — with their parameters.
`

func (m *Main) policies(args []string) error {
	fs := newFlags("policies")
	file := fs.String("policies", os.Getenv("VTR_POLICIES"), "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, policiesHelp, m.Stdout); !ok {
		return err
	}
	set, err := policySet(*file)
	if err != nil {
		var ve *vtr.Error
		if errors.As(err, &ve) {
			return usagef("%v", err)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(set.All())
	}
	w := bufio.NewWriter(m.Stdout)
	for _, p := range set.All() {
		fmt.Fprintf(w, "%-13s %s (%s)\n", p.ID, p.Name, p.Marketplace)
		fmt.Fprintf(w, "              target %.4g%% (at risk below %.4g%%), %d-day window by %s, grouped by %s, marketplace lag %d d\n",
			p.Target*100, (p.Target+p.AtRiskMargin)*100, p.WindowDays, strings.ReplaceAll(p.Inclusion, "_", " "), p.GroupBy, p.ReportingLagDays)
		scan := fmt.Sprintf("%d physical scan(s)", p.Scans.MinPhysical)
		for _, h := range p.Scans.HighValue {
			scan += fmt.Sprintf("; from %s at ≥ %s: %d incl. delivery/attempt", strings.Join(h.Origins, "/"), h.AtLeast, h.MinPhysical)
		}
		fmt.Fprintf(w, "              scans: %s\n", scan)
		fmt.Fprintf(w, "              home origin (vtr check's default): %s\n", p.DefaultOrigin())
		if len(p.Origins) > 0 {
			fmt.Fprintf(w, "              origins: %s\n", strings.Join(p.Origins, " "))
		}
		for o, cs := range p.Carriers {
			fmt.Fprintf(w, "              carriers (%s): %s\n", o, strings.Join(cs, ", "))
		}
		for _, e := range p.Exemptions {
			fmt.Fprintf(w, "              exempt: %s%s\n", e.Code, describeExemption(e))
		}
		up := []string{}
		if p.UploadBeforeDelivery {
			up = append(up, "before delivery")
		}
		if p.Upload.From != "" {
			kind := "warning"
			if p.Upload.Defect {
				kind = "defect"
			}
			up = append(up, fmt.Sprintf("within %d h of %s (%s)", p.Upload.Hours, strings.ReplaceAll(p.Upload.From, "_", " "), kind))
		}
		fmt.Fprintf(w, "              upload: %s\n", strings.Join(up, ", "))
	}
	return w.Flush()
}

func describeExemption(e vtr.Exemption) string {
	var parts []string
	if e.Digital {
		parts = append(parts, "digital")
	}
	if e.Freight {
		parts = append(parts, "freight")
	}
	if e.Domestic != "" {
		parts = append(parts, strings.ReplaceAll(e.Domestic, "_", "-"))
	}
	if e.Below != nil {
		parts = append(parts, "below "+e.Below.String())
	}
	if len(e.ShipMethods) > 0 {
		parts = append(parts, "ship method "+strings.Join(e.ShipMethods, " | "))
	}
	if len(e.Carriers) > 0 {
		parts = append(parts, "carriers "+strings.Join(e.Carriers, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
