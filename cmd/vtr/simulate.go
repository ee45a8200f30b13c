package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vtr-project/vtr/simulate"
)

var simulateHelp = `Usage: vtr simulate --sellers N --days D --seed S [flags]

Simulates sellers, their orders, ship confirmations, cancellations and the
carriers' scan events, with failure modes (bad numbers, missing scans,
late uploads …) injected at known rates. The output is deterministic: the
same flags give the same bytes. It is written to standard output unless
--out names a file; counts and speed go to standard error.

  --sellers N     number of sellers (default 10)
  --days D        days of orders (default 30); journeys in flight run on
                  for up to --tail more days (default 30)
  --seed S        random seed (default 1)
  --start DATE    first day, YYYY-MM-DD (default 2026-10-01)
  --orders N      mean orders per seller per day (default 40)
  --china F       share of China-origin sellers, 0 to 1 (default 0.3)
  --rate R        every failure mode's rate, 0 to 1 (default: per mode,
                  1 to 3%)
  --rates LIST    per-mode rates, e.g. typo=0.05,lost=0.01; modes:
                  ` + modesList + `
  --format F      native (default), aftership, easypost or 17track; the
                  webhook formats carry only carrier events
  --records FILE  with a webhook format, also write sellers, orders,
                  shipments and cancellations as native NDJSON to FILE
  --truth FILE    write the ground truth (one JSON object per package: the
                  failure modes injected) to FILE
  --out FILE      output file, "-" for standard output (default)
  --workers N     parallel workers (default: all cores; same output)
`

var modesList = func() string {
	var names []string
	for _, m := range simulate.Modes() {
		names = append(names, m.String())
	}
	return strings.Join(names, ", ")
}()

func (m *Main) simulate(ctx context.Context, args []string) error {
	fs := newFlags("simulate")
	sellers := fs.Int("sellers", 10, "")
	days := fs.Int("days", 30, "")
	seed := fs.Uint64("seed", 1, "")
	start := fs.String("start", "2026-10-01", "")
	orders := fs.Float64("orders", 40, "")
	china := fs.Float64("china", 0.3, "")
	rate := fs.Float64("rate", -1, "")
	rates := fs.String("rates", "", "")
	format := fs.String("format", "native", "")
	records := fs.String("records", "", "")
	truth := fs.String("truth", "", "")
	outName := fs.String("out", "-", "")
	workers := fs.Int("workers", 0, "")
	tail := fs.Int("tail", 30, "")
	if ok, err := parse(fs, args, simulateHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("simulate: unexpected argument %q", fs.Arg(0))
	}
	day, err := time.Parse("2006-01-02", *start)
	if err != nil {
		return usagef("simulate: --start %q is not a date (YYYY-MM-DD)", *start)
	}
	cfg := simulate.Config{Seed: *seed, Sellers: *sellers, Days: *days, Start: day,
		OrdersPerDay: *orders, ChinaShare: *china, Workers: *workers, Tail: *tail}
	switch {
	case *sellers < 1 || *sellers > simulate.MaxSellers:
		return usagef("simulate: --sellers %d is not between 1 and %d", *sellers, simulate.MaxSellers)
	case *days < 1 || *days > simulate.MaxDays:
		return usagef("simulate: --days %d is not between 1 and %d", *days, simulate.MaxDays)
	case *orders <= 0 || *orders > 100_000:
		return usagef("simulate: --orders %g is not between 0 and 100000", *orders)
	case *china < 0 || *china > 1:
		return usagef("simulate: --china %g is not between 0 and 1", *china)
	case *tail < 0:
		return usagef("simulate: --tail %d is negative", *tail)
	}
	if *china == 0 {
		cfg.ChinaShare = -1 // none (0 means the default in Config)
	}
	if *tail == 0 {
		cfg.Tail = -1
	}
	r := simulate.DefaultRates()
	if *rate >= 0 {
		if *rate > 1 {
			return usagef("simulate: --rate %g is not between 0 and 1", *rate)
		}
		r = simulate.Uniform(*rate)
	}
	if *rates != "" {
		if r, err = simulate.ParseRates(r, *rates); err != nil {
			return usagef("simulate: --rates: %v", err)
		}
	}
	if sum := r.Sum(); sum > 1 {
		return usagef("simulate: the failure-mode rates add up to %.2f; a package gets at most one mode, so they must add up to 1 or less", sum)
	}
	cfg.Rates = &r
	f := simulate.Format(*format)
	valid := false
	for _, x := range simulate.Formats {
		valid = valid || x == f
	}
	if !valid {
		return usagef("simulate: --format %q is not native, aftership, easypost or 17track", *format)
	}
	if *records != "" && f == simulate.Native {
		return usagef("simulate: --records goes with a webhook format (native output already holds the records)")
	}

	out := simulate.Output{Format: f, Out: m.Stdout}
	var files []*os.File
	defer func() {
		for _, fl := range files {
			fl.Close()
		}
	}()
	create := func(name string) (*bufio.Writer, error) {
		fl, err := os.Create(name)
		if err != nil {
			return nil, err
		}
		files = append(files, fl)
		return bufio.NewWriterSize(fl, 1<<20), nil
	}
	var bufs []*bufio.Writer
	if *outName != "-" && *outName != "" {
		w, err := create(*outName)
		if err != nil {
			return err
		}
		bufs, out.Out = append(bufs, w), w
	}
	if *records != "" {
		w, err := create(*records)
		if err != nil {
			return err
		}
		bufs, out.Records = append(bufs, w), w
	}
	if *truth != "" {
		w, err := create(*truth)
		if err != nil {
			return err
		}
		bufs, out.Truth = append(bufs, w), w
	}

	began := time.Now()
	st, err := simulate.Run(ctx, cfg, out)
	for _, b := range bufs {
		if ferr := b.Flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	for _, fl := range files {
		if cerr := fl.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	files = nil
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	elapsed := time.Since(began)
	fmt.Fprintf(m.Stderr, "%d sellers, %d orders, %d shipments, %d events, %d cancellations in %.2fs (%s events/s)\n",
		st.Sellers, st.Orders, st.Shipments, st.Events, st.Cancellations, elapsed.Seconds(), rateString(st.Events, elapsed))
	return nil
}

// rateString formats a per-second rate for people: "1.32M", "845k".
func rateString(n int64, d time.Duration) string {
	if d <= 0 {
		return "∞"
	}
	r := float64(n) / d.Seconds()
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.0fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}
