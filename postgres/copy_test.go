package postgres

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/storetest"
)

// TestCopyEvents stores events through AddEvents, whose COPY rows are
// written by eventRows, and reads every value back unchanged; then sends
// them again with one new event, which takes the savepoint's way back
// (the COPY fails on the first stored event) and stores the new one only.
func TestCopyEvents(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	evs := hostileEvents()
	add := func(evs []*vtr.Event) []*vtr.Event {
		t.Helper()
		tx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := tx.AddEvents(ctx, evs)()
		if err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return stored
	}
	if stored := add(evs); len(stored) != len(evs) {
		t.Fatalf("first import stored %d events, want %d", len(stored), len(evs))
	}
	rows, err := d.SQL().QueryContext(ctx, `SELECT `+sqlutil.EventColumns+` FROM events ORDER BY occurred_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var got, want []any
		for range 19 {
			got = append(got, new(any))
		}
		if err := rows.Scan(got...); err != nil {
			t.Fatal(err)
		}
		want = sqlutil.AppendEvent(nil, evs[i])
		for c := range got {
			g := *(got[c].(*any))
			if n, ok := g.(int32); ok {
				g = int64(n)
			}
			if g != want[c] {
				t.Errorf("event %d column %d: got %q, want %q", i, c, g, want[c])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(evs) {
		t.Fatalf("read %d events back, want %d", i, len(evs))
	}

	fresh := *evs[0]
	fresh.ID = "fresh"
	again := append(slices.Clone(evs), &fresh)
	stored := add(again)
	if len(stored) != 1 || stored[0] != &fresh {
		t.Fatalf("again: stored %d events, want only the new one", len(stored))
	}
	var n int
	if err := d.SQL().QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(evs)+1 {
		t.Fatalf("%d events stored, want %d", n, len(evs)+1)
	}
}

// hostileEvents are events whose strings hold what COPY's text format
// must escape, and what it must not.
func hostileEvents() []*vtr.Event {
	hostile := []string{"", "plain", `\`, `\.`, `a\tb`, "tab\there", "new\nline", "cr\rhere", "\\N", "\t\n\r\\", `"quoted"`,
		"ünï©ødé 中文", "{a,b}", strings.Repeat("x", 100000)}
	var evs []*vtr.Event
	at := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	for i, s := range hostile {
		evs = append(evs, &vtr.Event{TrackingNumber: "1Z" + strings.Repeat("9", i+1), ID: s + "#id", Carrier: "UPS", ReportedBy: s,
			OccurredAt: at.Add(time.Duration(i) * time.Hour), OffsetSeconds: -5 * 3600 * (i % 2), OffsetKnown: i%2 == 0,
			Code: s, TypeCode: "I", Description: s, Status: vtr.StatusInTransit, Class: vtr.EventPhysical, ClassRule: s,
			Location: vtr.Location{City: s, State: "GA", PostalCode: "30301", Country: "US"}, Source: "native", SourceID: s})
	}
	return evs
}

// TestEventRowsInParts reads the COPY rows a byte at a time, as a reader
// with little room would, and gets the same stream, a row per event.
func TestEventRowsInParts(t *testing.T) {
	evs := hostileEvents()
	whole, err := io.ReadAll(eventRows(evs))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := io.ReadAll(iotest.OneByteReader(eventRows(evs)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, parts) {
		t.Fatalf("read a byte at a time: %d bytes, whole: %d bytes, not the same", len(parts), len(whole))
	}
	if n := bytes.Count(whole, []byte("\n")); n != len(evs) {
		t.Fatalf("%d rows, want %d", n, len(evs))
	}
}

// TestStageAfterRollback: a stage created by a transaction that rolls
// back goes with it; the next transaction on the same connection, whose
// move statement pgx keeps prepared, creates it again and writes through
// it.
func TestStageAfterRollback(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { stageRows = n }(stageRows)
	stageRows = 1
	d, err := Open(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SQL().SetMaxOpenConns(1) // one connection: the stage's session
	put := func(id string, commit bool) {
		t.Helper()
		tx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		o := &ingest.OrderState{Order: vtr.Order{SellerID: "S1", ID: id, Policy: "amazon-us", PurchasedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}}
		if err := tx.PutOrders(ctx, []*ingest.OrderState{o}); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Orders(ctx, []ingest.OrderRef{{Seller: "S1", Order: id}}); err != nil { // waits for the write
			t.Fatal(err)
		}
		if !commit {
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	put("O1", false)
	put("O2", true)
	put("O3", false)
	put("O4", true)
	put("O5", true)
	var ids []string
	rows, err := d.SQL().QueryContext(ctx, `SELECT order_id FROM orders ORDER BY order_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"O2", "O4", "O5"}; !slices.Equal(ids, want) {
		t.Fatalf("orders stored %v, want %v", ids, want)
	}
}
