package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/notify"
)

const webhooksHelp = `Usage:
  vtr webhooks add --url URL --events E[,E…] [--seller ID] [--db FILE]
  vtr webhooks list [--json] [--db FILE]
  vtr webhooks remove [--db FILE] ID
  vtr webhooks deliver [--db FILE]
  vtr webhooks failed [--json] [--db FILE]
  vtr webhooks redeliver [--db FILE] DELIVERY-ID

Outgoing webhooks. add registers a receiver for events (enforcement.changed,
appeal.decided, defect.created), for one seller or all, and prints its
signing secret once. Each delivery is POSTed with the header
  Vtr-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
(README: how to verify it). 'vtr serve' delivers continuously; deliver
sends what is due once (for cron). Deliveries are retried with backoff for
24 hours, then failed: failed lists them, redeliver sends one again.
`

func (m *Main) webhooks(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("webhooks: add, list, remove, deliver, failed or redeliver ('vtr webhooks -h')")
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		_, err := fmt.Fprint(m.Stdout, webhooksHelp)
		return err
	}
	fs := newFlags("webhooks " + sub)
	sf := addStoreFlags(fs)
	url := fs.String("url", "", "")
	events := fs.String("events", "", "")
	seller := fs.String("seller", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, webhooksHelp, m.Stdout); !ok {
		return err
	}
	want := 0
	if sub == "remove" || sub == "redeliver" {
		want = 1
	}
	switch sub {
	case "add", "list", "remove", "deliver", "failed", "redeliver":
	default:
		return usagef("webhooks: unknown subcommand %q (add, list, remove, deliver, failed, redeliver)", sub)
	}
	if fs.NArg() != want {
		return usagef("webhooks %s: %d arguments, want %d", sub, fs.NArg(), want)
	}
	eng, err := openEngine(ctx, *sf.db, sub != "add")
	if err != nil {
		return err
	}
	defer eng.Close()
	ob := eng.Outbox()
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	switch sub {
	case "add":
		if *url == "" || *events == "" {
			return usagef("webhooks add: --url and --events are required")
		}
		s, err := notify.NewSubscription(*url, strings.Split(*events, ","), *seller, m.now())
		if err != nil {
			return err
		}
		if err := ob.CreateSubscription(ctx, &s); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s\n", s.Secret)
		fmt.Fprintf(m.Stderr, "subscription %s to %s for %s; the signing secret above is shown only once\n", s.ID, s.URL, strings.Join(s.Events, ", "))
		return nil
	case "list":
		subs, err := ob.Subscriptions(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if subs == nil {
				subs = []vtr.Subscription{}
			}
			return enc.Encode(subs)
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tURL\tEVENTS\tSELLER\tCREATED\tACTIVE")
		for _, s := range subs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\n", s.ID, s.URL, strings.Join(s.Events, ","), dash(s.SellerID), s.CreatedAt.Format(time.RFC3339), !s.Disabled)
		}
		return tw.Flush()
	case "remove":
		return ob.DisableSubscription(ctx, fs.Arg(0))
	case "deliver":
		d := &notify.Deliverer{Outbox: ob, Now: m.now}
		total := [3]int{}
		for range 1000 { // bounded: until nothing is due
			ok, retried, failed, err := d.Once(ctx)
			if err != nil {
				return err
			}
			total[0], total[1], total[2] = total[0]+ok, total[1]+retried, total[2]+failed
			if ok+retried+failed == 0 {
				break
			}
		}
		fmt.Fprintf(m.Stderr, "%d delivered, %d to retry, %d failed\n", total[0], total[1], total[2])
		return nil
	case "redeliver":
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return usagef("webhooks redeliver: %q is not a delivery ID", fs.Arg(0))
		}
		return ob.Redeliver(ctx, id, m.now())
	}
	ds, err := ob.Deliveries(ctx, vtr.DeliveryFailed, 1000)
	if err != nil {
		return err
	}
	if *asJSON {
		if ds == nil {
			ds = []vtr.Delivery{}
		}
		return enc.Encode(ds)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSUBSCRIPTION\tEVENT\tTYPE\tATTEMPTS\tCREATED\tLAST ERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Subscription, d.EventID, d.Type, d.Attempts, d.CreatedAt.Format(time.RFC3339), d.LastError)
	}
	return tw.Flush()
}
