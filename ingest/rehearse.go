package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/tracking"
)

// RehearsalSeller is the seller of the records Rehearse makes up.
const RehearsalSeller = "vtr-rehearsal"

// Rehearse applies made-up records on tx — a seller, an order, its
// shipment confirmation and a carrier scan of it — and reads the order's
// verdicts back, as a server's confirmation does (Confirm); the caller
// then rolls tx back, so nothing is stored. A server rehearses on each
// of its database connections before its first request: each connection
// has then sent, prepared and planned every statement of a confirmation,
// and its PostgreSQL process has read the catalogs of every table they
// touch. Without it the first confirmation on each connection paid for
// that, some 5 ms for the first statement and ½–1 ms for each table,
// while the others queued behind its writer lock: the first tenth of a
// load test was its slowest, its slowest confirmations 60–76 ms.
func (s *Store) Rehearse(ctx context.Context, tx Tx) error {
	recs, ref, err := s.rehearsal()
	if err != nil {
		return err
	}
	var refused error
	_, err = s.applyOn(ctx, tx, recs, func(e error) { refused = e })
	if err == nil {
		_, err = readVerdicts(ctx, tx, []OrderRef{ref}, time.Now())
	}
	if err == nil && refused != nil {
		err = fmt.Errorf("a record was refused: %w", refused)
	}
	if err != nil {
		return fmt.Errorf("rehearse a confirmation: %w", err)
	}
	return nil
}

// rehearsal makes up the records Rehearse applies, under the first of
// the store's policies, with a tracking number drawn at random, so that
// no stored package shares it.
func (s *Store) rehearsal() ([]vtr.Record, OrderRef, error) {
	ids := s.policies.IDs()
	var ups *tracking.Format
	for _, f := range tracking.Formats() {
		if f.Carrier == "UPS" && f.Service == "1Z" {
			ups = f
		}
	}
	if len(ids) == 0 || ups == nil {
		return nil, OrderRef{}, errors.New("rehearse a confirmation: no policy or no UPS format")
	}
	now := time.Now().UTC().Truncate(time.Second)
	ref := OrderRef{Seller: RehearsalSeller, Order: RehearsalSeller}
	num := ups.Generate(rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	o := &vtr.Order{ID: ref.Order, SellerID: ref.Seller, Policy: ids[0], PurchasedAt: now.Add(-48 * time.Hour), Category: "Books",
		Value: vtr.Money{Minor: 1000, Currency: "USD"}, ShipTo: vtr.Location{Country: "US", PostalCode: "10001"},
		ShipBy: now.Add(-24 * time.Hour), DeliverBy: now.Add(48 * time.Hour)}
	sh := &vtr.Shipment{SellerID: ref.Seller, OrderID: ref.Order, PackageID: "1", Carrier: "UPS", TrackingNumber: num,
		ShippedAt: now.Add(-30 * time.Hour), UploadedAt: now.Add(-29 * time.Hour)}
	e := &vtr.Event{Carrier: "UPS", TrackingNumber: NormTracking(num), OccurredAt: now.Add(-28 * time.Hour), OffsetKnown: true,
		Status: vtr.StatusAccepted, Source: "native", Location: vtr.Location{City: "Newark", State: "NJ", Country: "US"}}
	c := classify.Classify(classify.Input{Carrier: e.Carrier, Source: e.Source, Status: e.Status})
	e.Class, e.ClassRule = c.Class, c.Rule
	e.ID = vtr.EventID(e)
	return []vtr.Record{
		{Type: "seller", Seller: &vtr.Seller{ID: ref.Seller, Policies: []string{o.Policy}}},
		{Type: "order", Order: o},
		{Type: "shipment", Shipment: sh},
		{Type: "event", Event: e},
	}, ref, nil
}
