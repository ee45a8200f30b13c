package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/simulate"
)

const demoHelp = `Usage: vtr demo [--db FILE] [--as-of TIME] [--addr HOST:PORT] [--no-serve]

vtr's main job on the embedded database: loads demo data when the database
is empty (a simulated month of 6 sellers shipping from the US and China,
with the failure modes sellers hit; enforcement run over it, so categories
below target are restricted and one has a plan of action pending), shows
every seller's Valid Tracking Rate and the worst seller's defects with
their reasons, then serves the dashboard and the API (like vtr serve) and
prints the URL and fresh demo keys, one per line: "operator key: …" and
"seller key <SELLER_ID>: …". Ctrl-C stops it. --no-serve stops after the
summary. --as-of defaults to the latest promised delivery date in the
data, or now when that is later.
`

// demoConfig is the demo data set: deterministic, a month of orders.
var demoConfig = simulate.Config{Seed: 1, Sellers: 6, Days: 30, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), OrdersPerDay: 40, ChinaShare: 0.34}

func (m *Main) demo(ctx context.Context, args []string) error {
	fs := newFlags("demo")
	sf := addStoreFlags(fs)
	asOf := fs.String("as-of", "", "")
	addr := fs.String("addr", envOr("VTR_ADDR", "127.0.0.1:8080"), "")
	noServe := fs.Bool("no-serve", false, "")
	if ok, err := parse(fs, args, demoHelp, m.Stdout); !ok {
		return err
	}
	at := m.now().UTC()
	fixed := *asOf != ""
	if fixed {
		var err error
		if at, err = parseAsOf(*asOf, at); err != nil {
			return err
		}
	}
	eng, store, err := sf.openBoth(ctx, forWrite)
	if err != nil {
		return err
	}
	defer store.Close()
	empty, err := store.Empty(ctx)
	if err != nil {
		return err
	}
	sellers, err := store.Sellers(ctx)
	if err != nil {
		return err
	}
	if !empty {
		if ok, err := isDemoData(ctx, sellers); err != nil {
			return err
		} else if !ok {
			return vtr.Errorf(vtr.EINVALID, "%s holds data that is not vtr's demo data; vtr demo runs on an empty database (give --db demo.db), and vtr rate and vtr report read yours", *sf.db)
		}
	} else {
		fmt.Fprintf(m.Stderr, "%s is empty: loading demo data (%d sellers, %d days from %s, seed %d)…\n",
			*sf.db, demoConfig.Sellers, demoConfig.Days, demoConfig.Start.Format("2006-01-02"), demoConfig.Seed)
		pr, pw := io.Pipe()
		go func() {
			_, err := simulate.Run(ctx, demoConfig, simulate.Output{Out: pw})
			pw.CloseWithError(err)
		}()
		dec := native.NewDecoder(pr, m.now)
		st, err := store.Import(ctx, dec.Next, func(err error) { fmt.Fprintf(m.Stderr, "vtr: %v\n", err) })
		pr.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "imported %d orders, %d shipments and %d carrier events\n\n", st.Orders, st.Shipments, st.Events)
		if sellers, err = store.Sellers(ctx); err != nil {
			return err
		}
	}
	if !fixed {
		last, err := store.LastDay(ctx, "")
		if err != nil {
			return err
		}
		if !last.IsZero() && last.Before(at) {
			at = last.Add(24*time.Hour - time.Second)
		}
	}
	if empty {
		if err := m.demoEnforcement(ctx, eng, store, *sf.policies, at); err != nil {
			return err
		}
	}

	fmt.Fprintf(m.Stdout, "Valid Tracking Rate as of %s\n\n", at.Format("2006-01-02"))
	fmt.Fprintf(m.Stdout, "%-16s %-13s %9s %8s %8s  %-13s %s\n", "seller", "policy", "VTR", "valid", "invalid", "status", "worst category")
	var worst *vtr.RateReport
	for _, s := range sellers {
		for _, p := range s.Policies {
			r, err := store.Rate(ctx, s.ID, p, at, 7)
			if err != nil {
				return err
			}
			if r.Overall.Valid+r.Overall.Invalid == 0 {
				continue
			}
			wc := ""
			var wr *float64
			for _, c := range r.Categories {
				if c.Rate != nil && (wr == nil || *c.Rate < *wr) {
					wc, wr = fmt.Sprintf("%s %s (%s)", c.Category, pct(c.Rate), c.Status), c.Rate
				}
			}
			fmt.Fprintf(m.Stdout, "%-16s %-13s %9s %8d %8d  %-13s %s\n", s.ID, p, pct(r.Overall.Rate), r.Overall.Valid, r.Overall.Invalid, r.Status, wc)
			if worst == nil || rateOr1(r.Overall.Rate) < rateOr1(worst.Overall.Rate) {
				worst = r
			}
		}
	}
	if worst == nil {
		fmt.Fprintln(m.Stdout, "\nNo package is in a window yet.")
		return nil
	}
	var rows []*vtr.DefectRow
	n, err := store.Defects(ctx, vtr.ReportFilter{SellerID: worst.SellerID, Policy: worst.Policy, AsOf: at}, func(r *vtr.DefectRow) error {
		if len(rows) < 8 {
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\n%s (%s) has %d packages without valid tracking; the first ones, with their reasons:\n", worst.SellerID, worst.Policy, n)
	for _, r := range rows {
		fmt.Fprintf(m.Stdout, "  %s  %-16s %-24s %s\n     %s\n", r.OrderID, r.CarrierName, r.TrackingID, joinReasons(r.Reasons), r.Explanation)
	}
	fmt.Fprintf(m.Stdout, "\nNext: vtr rate --seller %s --as-of %s    vtr report --seller %s --as-of %s > defects.csv\n",
		worst.SellerID, at.Format("2006-01-02"), worst.SellerID, at.Format("2006-01-02"))
	if *noServe {
		return nil
	}
	return m.demoServe(ctx, eng, store, *sf.db, *sf.policies, *addr, sellers)
}

// demoEnforcement runs enforcement over freshly loaded demo data and
// submits a plan of action for the worst restricted group, so the
// dashboard shows every state a seller meets.
func (m *Main) demoEnforcement(ctx context.Context, eng engine, store *ingest.Store, policies string, at time.Time) error {
	ps, err := policySet(policies)
	if err != nil {
		return err
	}
	svc := m.newEnforcer(eng, store, ps)
	res, err := svc.Evaluate(ctx, at)
	if err != nil {
		return err
	}
	var worst *vtr.Transition
	restricted := 0
	for i, t := range res.Transitions {
		if t.To != vtr.StateRestricted {
			continue
		}
		restricted++
		if worst == nil || rateOr1(t.Figures.Rate) < rateOr1(worst.Figures.Rate) {
			worst = &res.Transitions[i]
		}
	}
	fmt.Fprintf(m.Stderr, "enforcement as of %s: %d groups evaluated, %d restricted", at.Format(time.DateOnly), res.Evaluated, restricted)
	if worst == nil {
		fmt.Fprintln(m.Stderr)
		return nil
	}
	d, err := svc.Draft(ctx, worst.GroupKey, at)
	if err != nil {
		return err
	}
	a, err := svc.Submit(ctx, worst.GroupKey, d.Plan, "demo", at)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "; plan of action %s pending for %s %s %s\n", a.ID, a.SellerID, a.Policy, a.Group)
	return nil
}

// demoServe creates fresh demo keys and serves the dashboard and the API
// until interrupted.
func (m *Main) demoServe(ctx context.Context, eng engine, store *ingest.Store, db, policies, addr string, sellers []vtr.Seller) error {
	keys := eng.Keys()
	newKey := func(role, seller string) (string, error) {
		tok, k, hash, err := vtr.NewAPIKey(role, seller, "demo", m.now())
		if err != nil {
			return "", err
		}
		return tok, keys.CreateKey(ctx, &k, hash)
	}
	cfg, err := loadServeConfig("")
	if err != nil {
		return err
	}
	cfg.DB, cfg.Addr, cfg.Policies = db, addr, policies
	log := slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return m.runServer(ctx, cfg, eng, store, log, func(url string) {
		op, err := newKey(vtr.RoleOperator, "")
		if err != nil {
			log.Error("demo key", "err", err)
			return
		}
		fmt.Fprintf(m.Stdout, "\ndashboard: %s/login (the API too: %s/openapi.json); Ctrl-C stops\n", url, url)
		fmt.Fprintf(m.Stdout, "operator key: %s\n", op)
		for _, s := range sellers {
			tok, err := newKey(vtr.RoleSeller, s.ID)
			if err != nil {
				log.Error("demo key", "err", err)
				return
			}
			fmt.Fprintf(m.Stdout, "seller key %s: %s\n", s.ID, tok)
		}
	})
}

func rateOr1(r *float64) float64 {
	if r == nil {
		return 1
	}
	return *r
}

func joinReasons(rs []vtr.Reason) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}

// isDemoData reports whether the sellers stored are exactly the demo's:
// the simulator's seller records come first in its output, so reading
// them costs nothing.
func isDemoData(ctx context.Context, stored []vtr.Seller) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	defer pr.Close()
	go func() {
		_, err := simulate.Run(ctx, demoConfig, simulate.Output{Out: pw})
		pw.CloseWithError(err)
	}()
	dec := native.NewDecoder(pr, time.Now)
	var demo []string
	for {
		rec, err := dec.Next()
		if err != nil {
			return false, err
		}
		if rec.Seller == nil {
			break
		}
		demo = append(demo, rec.Seller.ID)
	}
	slices.Sort(demo)
	if len(demo) != len(stored) {
		return false, nil
	}
	for i, s := range stored {
		if s.ID != demo[i] {
			return false, nil
		}
	}
	return true, nil
}
