package simulate

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/tracking"
)

// sliceWriter appends to a task's buffer.
type sliceWriter struct{ b *[]byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

// item is one act due today.
type item struct {
	at int64
	p  *pkg
	i  int
}

// Items are sorted through 64-bit keys: the time since the day's start
// above, the item's index below. The index breaks ties in collection
// order (packages in creation order, acts in timeline order), so the order
// is total and deterministic, and sorting plain integers is fast.
const (
	keyBits = 20
	keyMask = 1<<keyBits - 1
)

// sortItems fills w.keys with the items in emission order.
func (w *worker) sortItems(items []item, dayStart int64) {
	keys := w.keys[:0]
	if len(items) <= keyMask {
		for k := range items {
			keys = append(keys, uint64(items[k].at-dayStart)<<keyBits|uint64(k))
		}
		slices.Sort(keys)
		w.keys = keys
		return
	}
	// More items than the key can index: sort the items themselves.
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.at, b.at) })
	for k := range items {
		keys = append(keys, uint64(k))
	}
	w.keys = keys
}

// worker runs seller-days. Its scratch space is reused from task to task,
// so a steady run allocates little beyond the strings it emits.
type worker struct {
	cfg     *Config
	format  Format
	records bool
	truth   bool

	t      *task
	outW   sliceWriter
	recW   sliceWriter
	enc    *native.Encoder // main stream (native)
	recEnc *native.Encoder // records with a webhook format
	ev     vtr.Event
	items  []item
	keys   []uint64
	done   []*pkg
	nb     []byte // number scratch
	res    tracking.Result
	wb     []byte // webhook / truth scratch
}

func newWorker(cfg *Config, f Format, records, truth bool) *worker {
	w := &worker{cfg: cfg, format: f, records: records, truth: truth}
	w.enc = native.NewEncoder(&w.outW)
	w.recEnc = native.NewEncoder(&w.recW)
	return w
}

// run generates and emits one seller-day.
func (w *worker) run(t *task) error {
	w.t = t
	w.outW.b, w.recW.b = &t.out, &t.recs
	s := t.s
	dayStart := s.cfg.Start.Unix() + int64(t.day)*86400
	dayEnd := dayStart + 86400
	if t.day < s.cfg.Days {
		s.generate(w, dayStart)
	}
	if t.day == s.cfg.Days+s.cfg.Tail-1 {
		dayEnd = 1 << 62 // the last day flushes whatever is still in flight
	}

	items, done := w.items[:0], w.done[:0]
	keep := s.pending[:0]
	for _, p := range s.pending {
		for p.next < len(p.acts) && p.acts[p.next].at < dayEnd {
			items = append(items, item{at: p.acts[p.next].at, p: p, i: p.next})
			p.next++
		}
		if p.next < len(p.acts) {
			keep = append(keep, p)
		} else {
			done = append(done, p)
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	w.sortItems(items, dayStart)
	var err error
	for _, key := range w.keys {
		it := &items[key&keyMask]
		if e := w.emit(it.p, it.i); e != nil && err == nil {
			err = e
		}
	}
	if e := w.enc.Flush(); e != nil && err == nil {
		err = e
	}
	if e := w.recEnc.Flush(); e != nil && err == nil {
		err = e
	}
	// Finished packages go back to the seller's free list.
	for _, p := range done {
		p.number, p.order, p.ship, p.cancel = "", vtr.Order{}, vtr.Shipment{}, vtr.Cancellation{}
		s.free = append(s.free, p)
	}
	clear(items)
	clear(done)
	w.items, w.done = items[:0], done[:0]
	return err
}

// emit writes act i of package p.
func (w *worker) emit(p *pkg, i int) error {
	a := &p.acts[i]
	rec := w.enc
	if w.format != Native {
		if a.what == aEvent {
			w.t.stats.Events++
			w.t.stats.Payloads++
			return w.webhook(p, i)
		}
		if !w.records {
			return nil
		}
		rec = w.recEnc
	}
	switch a.what {
	case aOrder:
		return rec.WriteOrder(&p.order)
	case aShipment:
		return rec.WriteShipment(&p.ship)
	case aCancel:
		return rec.WriteCancellation(&p.cancel)
	}
	w.t.stats.Events++
	w.fillEvent(p, a)
	return rec.WriteEvent(&w.ev)
}

// fillEvent fills the worker's event from an act.
func (w *worker) fillEvent(p *pkg, a *act) {
	ev := &w.ev
	ev.Carrier = p.c.code
	ev.ReportedBy = ""
	if a.by != p.c {
		ev.ReportedBy = a.by.code
	}
	ev.TrackingNumber = p.number
	ev.OccurredAt = time.Unix(a.at, 0).UTC()
	ev.OffsetSeconds = a.pl.tz.offset(a.at)
	ev.OffsetKnown = true
	ev.Code, ev.TypeCode, ev.Description, ev.Status = a.sc.code, a.sc.typeCode, a.sc.desc, a.sc.status
	ev.Location = location(a)
}

// location returns an event's location as its reporting carrier spells
// it.
func location(a *act) vtr.Location {
	if a.noLoc {
		return vtr.Location{}
	}
	pl := a.pl
	switch a.by.style {
	case styleTitle:
		return pl.loc
	case styleUPS:
		if a.sc.kind == kDelivered {
			return pl.upper
		}
		return pl.upperNoZip
	case styleUSPS:
		return pl.facility
	}
	return pl.upper
}

// Truth is one line of the ground-truth sidecar: a package, what the
// seller entered and the failure modes injected into it.
type Truth struct {
	SellerID              string   `json:"seller_id"`
	OrderID               string   `json:"order_id"`
	PackageID             string   `json:"package_id"`
	Origin                string   `json:"origin"` // ship-from country
	ShipFromID            string   `json:"ship_from_id"`
	Value                 string   `json:"value"` // order value, USD
	Carrier               string   `json:"carrier"`
	TrackingNumber        string   `json:"tracking_number"` // the real number
	EnteredCarrier        string   `json:"entered_carrier"`
	EnteredCarrierName    string   `json:"entered_carrier_name,omitempty"`
	EnteredTrackingNumber string   `json:"entered_tracking_number"`
	Modes                 []string `json:"modes"`
	Freight               bool     `json:"freight,omitempty"`
	ReusedFrom            string   `json:"reused_from,omitempty"` // order whose label was reused
	ShippedAt             string   `json:"shipped_at"`
	UploadedAt            string   `json:"uploaded_at"`
	FirstScanAt           string   `json:"first_scan_at,omitempty"`
	FirstScanState        string   `json:"first_scan_state,omitempty"`
	DeliveredAt           string   `json:"delivered_at,omitempty"`
}

func (w *worker) writeTruth(s *seller, p *pkg, o *vtr.Order, mode Mode, reused *reuse, carrier, name, entered string) {
	b := w.wb[:0]
	str := func(key, v string) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = tracking.AppendJSONString(b, v)
	}
	tm := func(key string, t int64) {
		if t == 0 {
			return
		}
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, `":"`...)
		b = time.Unix(t, 0).UTC().AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	b = append(b, `{"seller_id":`...)
	b = tracking.AppendJSONString(b, s.v.ID)
	str("order_id", o.ID)
	str("package_id", p.ship.PackageID)
	str("origin", p.from.Country)
	str("ship_from_id", p.ship.ShipFromID)
	str("value", o.Value.Decimal())
	str("carrier", p.c.code)
	str("tracking_number", p.number)
	str("entered_carrier", carrier)
	if name != "" {
		str("entered_carrier_name", name)
	}
	str("entered_tracking_number", entered)
	b = append(b, `,"modes":[`...)
	if mode < NumModes {
		b = append(b, '"')
		b = append(b, mode.String()...)
		b = append(b, '"')
	}
	b = append(b, ']')
	if o.Freight {
		b = append(b, `,"freight":true`...)
	}
	if reused != nil {
		str("reused_from", reused.orderID)
	}
	tm("shipped_at", p.ship.ShippedAt.Unix())
	tm("uploaded_at", p.ship.UploadedAt.Unix())
	tm("first_scan_at", p.first)
	if p.first != 0 {
		for i := range p.acts {
			if a := &p.acts[i]; a.what == aEvent && a.at == p.first && a.sc.kind == kAccept {
				str("first_scan_state", a.pl.State)
				break
			}
		}
	}
	tm("delivered_at", p.deliver)
	b = append(b, "}\n"...)
	w.t.truth = append(w.t.truth, b...)
	w.wb = b
}

// itoa is strconv.AppendInt for the webhook encoders.
func itoa(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
