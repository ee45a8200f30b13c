package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"

	"github.com/vtr-project/vtr"
)

// DefectCreated is the data of a defect.created webhook: a package that
// has just become invalid, with its reasons.
type DefectCreated struct {
	SellerID    string       `json:"seller_id"`
	OrderID     string       `json:"order_id"`
	PackageID   string       `json:"package_id"`
	Policy      string       `json:"policy"`
	Category    string       `json:"category"`
	Carrier     string       `json:"carrier,omitempty"`
	Detected    string       `json:"detected_carrier,omitempty"`
	Reasons     []vtr.Reason `json:"reasons"`
	Explanation string       `json:"explanation"`
	IncludedOn  string       `json:"included_on"` // the day the package counts (UTC)
}

// newDefect reports whether a changed verdict made the package a defect.
func newDefect(v Verdict) bool {
	return v.Counted.Outcome == string(vtr.VerdictInvalid) && v.Old.Outcome != string(vtr.VerdictInvalid)
}

// announceDefects queues a defect.created event for each package of
// defects, the verdicts that became invalid in this batch (newDefect);
// opt-in: only when a subscription asks for it, so an import without one
// pays a single query.
func (b *batch) announceDefects(ctx context.Context, defects []Verdict) error {
	if len(defects) == 0 {
		return nil
	}
	if !b.wantsRead { // else read with the batch's first reads
		w, err := b.tx.Wants(ctx, vtr.EventDefectCreated)
		if err != nil {
			return err
		}
		b.wanted, b.wantsRead = w, true
	}
	if !b.wanted {
		return nil
	}
	evs := make([]vtr.OutboxEvent, 0, len(defects))
	for _, v := range defects {
		c := v.Counted
		data, err := json.Marshal(DefectCreated{
			SellerID: v.Key.Seller, OrderID: v.Key.Order, PackageID: v.Key.Package, Policy: c.Policy, Category: c.Category,
			Carrier: c.Carrier, Detected: c.Detected, Reasons: orNone(splitReasons(c.Reasons)), Explanation: c.Explanation,
			IncludedOn: Day(c.Day).Format("2006-01-02"),
		})
		if err != nil {
			return err
		}
		var id [12]byte
		rand.Read(id[:])
		evs = append(evs, vtr.OutboxEvent{ID: "evt_" + hex.EncodeToString(id[:]), Type: vtr.EventDefectCreated, SellerID: v.Key.Seller, Data: data})
	}
	return b.tx.Announce(ctx, evs)
}
