package ingest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
	"github.com/vtr-project/vtr/tracking"
)

// policy resolves the policy asked for a seller: the seller's first when
// none is asked; one the seller is not judged by is not found.
func (s *Store) policy(ctx context.Context, sellerID, policyID string) (*vtr.Policy, error) {
	if sellerID == "" {
		return nil, vtr.Errorf(vtr.EINVALID, "a seller ID is required")
	}
	pols, err := s.eng.SellerPolicies(ctx, sellerID)
	if err != nil {
		return nil, err
	}
	switch {
	case policyID == "" && len(pols) == 0:
		return nil, vtr.Errorf(vtr.ENOTFOUND, "seller %s is judged by no policy yet", sellerID)
	case policyID == "":
		policyID = pols[0]
	case !slices.Contains(pols, policyID):
		if _, err := s.policies.Get(policyID); err != nil {
			return nil, err
		}
		return nil, vtr.Errorf(vtr.ENOTFOUND, "seller %s is not judged by %s (its policies: %s)", sellerID, policyID, strings.Join(pols, ", "))
	}
	return s.policies.Get(policyID)
}

// Rate answers a seller's rates as of a time from the aggregate rows:
// at most a window's worth of rows per group, whatever the number of
// packages. The arithmetic is engine.Rate's.
func (s *Store) Rate(ctx context.Context, sellerID, policyID string, asOf time.Time, whatIfDays int) (*vtr.RateReport, error) {
	p, err := s.policy(ctx, sellerID, policyID)
	if err != nil {
		return nil, err
	}
	first, last := engine.Window(p, asOf)
	daily, err := s.eng.Daily(ctx, sellerID, p.ID, first)
	if err != nil {
		return nil, err
	}
	orders, err := s.eng.OrderDaily(ctx, sellerID, p.ID, last.AddDate(0, 0, -engine.OrderWindowDays+1), last)
	if err != nil {
		return nil, err
	}
	return engine.Rate(p, sellerID, asOf, whatIfDays, daily, orders), nil
}

// Defects streams the defect report's rows: the seller's packages in the
// policy's window ending at AsOf with no valid tracking, and those
// flagged late when asked.
func (s *Store) Defects(ctx context.Context, f vtr.ReportFilter, emit func(*vtr.DefectRow) error) (int, error) {
	p, err := s.policy(ctx, f.SellerID, f.Policy)
	if err != nil {
		return 0, err
	}
	first, last := engine.Window(p, f.AsOf)
	// Without the late flags only packages with no valid tracking are
	// rows: the engine leaves the others out instead of sending them.
	invalidOnly := !f.ShippedLate && !f.DeliveredLate
	q := DefectQuery{SellerID: f.SellerID, Policy: p.ID, From: first, To: last, InvalidOnly: invalidOnly,
		MaybeShippedLate: f.ShippedLate, MaybeDeliveredLate: f.DeliveredLate, After: f.After, Before: f.Before, Scans: f.Scans}
	// Packages keep their carrier's code: the engine can filter by it.
	carrier, code := CarrierFilter(f.Carrier)
	q.Carrier = code
	if invalidOnly && (carrier == "" || q.Carrier != "") && f.Category == "" {
		// Every package the engine sends is a row: it can stop there.
		q.Limit = f.Limit
	}
	n := 0
	err = s.eng.Defects(ctx, q, func(src *DefectSource) error {
		if carrier != "" && tracking.Fold(src.Carrier) != carrier || f.Category != "" && !strings.EqualFold(src.Category, f.Category) {
			return nil
		}
		row := DefectRow(src)
		if !(row.NoValidTracking || f.ShippedLate && row.ShippedLate || f.DeliveredLate && row.DeliveredLate) {
			return nil
		}
		if row.Detected == "" {
			// A verdict stored before the engine named the carrier of a
			// mistyped number (issue 11) has none until the package is
			// judged again: ask the engine's own carrier rule, which
			// judging calls. A number that fits no carrier asks again at
			// each read, at the cost of one detection.
			row.Detected = engine.AcceptCarrier(p, row.OriginCountry, &src.Shipment).Detected
		}
		row.Scans = src.Scans
		n++
		if err := emit(row); err != nil {
			return err
		}
		if n == f.Limit {
			return errLimit
		}
		return nil
	})
	if errors.Is(err, errLimit) {
		err = nil
	}
	return n, err
}

// CarrierFilter resolves a report's carrier filter: the folded key a
// row's carrier must match, and the canonical code when the lookup knows
// the spelling ("" otherwise, and for no filter).
func CarrierFilter(name string) (folded, code string) {
	if name == "" {
		return "", ""
	}
	if m, ok := tracking.Lookup(name); ok {
		return tracking.Fold(m.Carrier.Code), m.Carrier.Code
	}
	return tracking.Fold(name), ""
}

// errLimit ends a defect stream that reached its filter's limit.
var errLimit = errors.New("limit reached")

// DefectRow applies the report's rules to what an engine read.
func DefectRow(src *DefectSource) *vtr.DefectRow {
	sh := &src.Shipment
	reasons := splitReasons(src.Reasons)
	name := sh.Carrier
	if sh.CarrierName != "" {
		name = sh.CarrierName
	}
	facts := &vtr.PackageFacts{Seller: vtr.Seller{ShipFrom: src.ShipFrom}, Shipment: *sh}
	return &vtr.DefectRow{
		OrderID: src.Key.Order, PackageID: src.Key.Package, CarrierName: name, Carrier: src.Carrier,
		TrackingNumber: sh.TrackingNumber, TrackingID: engine.TrackingCell(src.Key.Order, sh.TrackingNumber, reasons),
		OriginCountry: engine.Origin(facts), PromisedBy: src.DeliverBy, ShipMethod: sh.ShipMethod,
		NoValidTracking: src.Outcome == string(vtr.VerdictInvalid),
		ShippedLate:     engine.ShippedLate(&vtr.Order{ShipBy: src.ShipBy}, src.FirstShippedAt),
		DeliveredLate:   src.Delivered && !src.OnTime,
		Value:           src.Value, Category: src.Category, Reasons: reasons, Detected: src.Detected,
		Explanation: src.Explanation, IncludedOn: Day(src.Day),
	}
}

// Sellers lists the sellers by ID.
func (s *Store) Sellers(ctx context.Context) ([]vtr.Seller, error) { return s.eng.Sellers(ctx) }

// Seller returns one seller.
func (s *Store) Seller(ctx context.Context, id string) (*vtr.Seller, error) {
	return s.eng.Seller(ctx, id)
}

// Unclassified lists the carrier codes no table classified.
func (s *Store) Unclassified(ctx context.Context) ([]vtr.UnknownCode, error) {
	return s.eng.Unclassified(ctx)
}

// LastDay is the latest inclusion day of any package of a seller ("":
// of any seller).
func (s *Store) LastDay(ctx context.Context, sellerID string) (time.Time, error) {
	return s.eng.LastDay(ctx, sellerID)
}

// Empty reports whether the store holds no data.
func (s *Store) Empty(ctx context.Context) (bool, error) { return s.eng.Empty(ctx) }
