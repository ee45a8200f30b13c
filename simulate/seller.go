package simulate

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// seller is one simulated seller and its packages in flight. Only the
// worker running the seller's current day touches it.
type seller struct {
	idx   int
	cfg   *Config
	v     vtr.Seller
	china bool
	from  []*place // parallel to v.ShipFrom
	rng   *rand.Rand

	volume  float64
	mix     []mix
	mixSum  float64
	cats    []string
	walmart bool

	orderSeq uint64
	serial   uint64
	pending  []*pkg
	free     []*pkg
	recent   [64]reuse
	nrecent  int
}

// reuse remembers a shipped package's label for the reused-label mode.
type reuse struct {
	c       *carrier
	number  string
	orderID string
	dest    *place
	shipped int64 // when the label was handed over: only a label already used can be reused
}

// pkg is one package (or an order without one: digital, cancelled before
// shipping) with its whole timeline.
type pkg struct {
	serial   uint64
	hasOrder bool // this package emits the order record
	order    vtr.Order
	hasShip  bool
	ship     vtr.Shipment
	cancel   vtr.Cancellation
	c        *carrier // the carrier that owns the number and scans it
	number   string   // the real, normalised number
	from, to *place
	acts     []act
	next     int
	first    int64 // first physical scan, 0 if none
	deliver  int64 // delivery, 0 if none
}

// splitmix is the SplitMix64 finaliser: a bijection on uint64.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

const idSpace = 100_000_000_000_000 // 10^14

// scramble maps x < 10^14 to a random-looking number < 10^14, one to one
// (an affine map modulo 10^14 with a multiplier prime to 10), so order
// IDs look random yet never collide.
func scramble(x, seed uint64) uint64 {
	const a = 73_129_054_316_021 // odd, not a multiple of 5
	hi, lo := bits.Mul64(x%idSpace, a)
	_, rem := bits.Div64(hi, lo, idSpace)
	return (rem + seed%idSpace) % idSpace
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// sellerID returns an Amazon-style merchant token: "A" and 13 upper-case
// letters and digits, unique per index for a given seed.
func sellerID(idx int, seed uint64) string {
	x := splitmix(uint64(idx) ^ splitmix(seed^0x5e11e5))
	var b [14]byte
	b[0] = 'A'
	for i := 13; i >= 1; i-- {
		b[i] = alnum[x%36]
		x /= 36
	}
	return string(b[:])
}

var (
	usNameA = []string{"Blue Harbor", "Summit", "Maple Lane", "Evergreen", "Pioneer", "Golden Oak", "Urban Nest", "Lakeside", "Redwood", "Northstar", "Cedar & Pine", "Brightwater", "Copper Creek", "Ironwood", "Prairie"}
	usNameB = []string{"Home Goods", "Outfitters", "Supply Co.", "Trading", "Essentials", "Gear", "Brands", "Direct", "Marketplace", "Emporium"}
	cnNameA = []string{"Aoxin", "Huasheng", "Jiayi", "Xinda", "Ruifeng", "Mingtai", "Yuelong", "Haoyu", "Jinpeng", "Lianchuang", "Weiye", "Zhongxing"}
	cnNameB = []string{"Trading", "Technology", "E-commerce", "Import & Export", "Electronic Technology", "Industrial"}

	categories = []string{"Electronics", "Home & Kitchen", "Toys & Games", "Clothing, Shoes & Jewelry", "Beauty & Personal Care",
		"Sports & Outdoors", "Books", "Tools & Home Improvement", "Pet Supplies", "Health & Household", "Automotive", "Office Products"}
	// Median order value by category, in dollars.
	categoryMedian = map[string]float64{"Electronics": 38, "Home & Kitchen": 27, "Toys & Games": 22, "Clothing, Shoes & Jewelry": 24,
		"Beauty & Personal Care": 16, "Sports & Outdoors": 29, "Books": 13, "Tools & Home Improvement": 31, "Pet Supplies": 21,
		"Health & Household": 17, "Automotive": 34, "Office Products": 19}
)

// newSeller invents seller idx. Everything about it comes from its own
// random stream, so sellers are independent of each other and of the
// number of workers.
func newSeller(cfg *Config, idx int) *seller {
	r := rand.New(rand.NewPCG(cfg.Seed, splitmix(uint64(idx)+1)))
	s := &seller{idx: idx, cfg: cfg, rng: r}
	// Exactly round(share × n) China sellers, spread evenly.
	s.china = math.Floor(float64(idx+1)*cfg.ChinaShare+0.5) > math.Floor(float64(idx)*cfg.ChinaShare+0.5)
	s.v.ID = sellerID(idx, cfg.Seed)
	if s.china {
		city := cnCities[r.IntN(len(cnCities))]
		s.v.Name = city.City + " " + cnNameA[r.IntN(len(cnNameA))] + " " + cnNameB[r.IntN(len(cnNameB))] + " Co., Ltd."
		s.v.Policies = []string{"amazon-cn-us"}
		s.walmart = r.IntN(100) < 15
	} else {
		s.v.Name = usNameA[r.IntN(len(usNameA))] + " " + usNameB[r.IntN(len(usNameB))]
		s.v.Policies = []string{"amazon-us"}
		s.walmart = r.IntN(100) < 30
	}
	if s.walmart {
		s.v.Policies = append(s.v.Policies, "walmart-us")
	}
	// One to three ship-from locations.
	n := 1
	if x := r.IntN(100); x >= 60 {
		n = 2
		if x >= 90 {
			n = 3
		}
	}
	for len(s.from) < n {
		var p *place
		if s.china {
			p = cnCities[r.IntN(len(cnCities))]
		} else {
			p = cityByName(usWarehouses[r.IntN(len(usWarehouses))])
		}
		dup := false
		for _, q := range s.from {
			dup = dup || q == p
		}
		if dup {
			continue
		}
		s.from = append(s.from, p)
		s.v.ShipFrom = append(s.v.ShipFrom, vtr.ShipFrom{ID: s.v.ID + "-SF" + strconv.Itoa(len(s.from)),
			Country: p.Country, State: p.State, City: p.City, PostalCode: p.Zip})
	}
	// Volume: log-normal around the configured mean.
	s.volume = cfg.OrdersPerDay * math.Exp(r.NormFloat64()*0.4-0.08)
	// Carrier preferences: each seller leans on a few carriers.
	base := usMix
	if s.china {
		base = cnMix
	}
	for _, m := range base {
		w := m.weight * (0.1 + 1.9*r.Float64())
		s.mix = append(s.mix, mix{m.c, w})
		s.mixSum += w
	}
	// One to three categories.
	for k := 1 + r.IntN(3); len(s.cats) < k; {
		c := categories[r.IntN(len(categories))]
		dup := false
		for _, x := range s.cats {
			dup = dup || x == c
		}
		if !dup {
			s.cats = append(s.cats, c)
		}
	}
	return s
}

// purchaseHour weights the hour (UTC) of a purchase: US evenings peak
// around 00:00-04:00 UTC.
var purchaseHour = cumulative([]float64{9, 8.5, 8, 7, 5, 3.5, 2.5, 2, 1.8, 2, 2.8, 3.6, 4.5, 5.5, 6, 6.3, 6.8, 7, 7, 7.3, 7.6, 8, 8.5, 9})

// dayOfWeek weights order volume, Sunday first.
var dayOfWeek = [7]float64{1.08, 1.10, 1.0, 0.97, 0.96, 0.93, 0.96}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	var t float64
	for i, x := range w {
		t += x
		out[i] = t
	}
	for i := range out {
		out[i] /= t
	}
	return out
}

func pickCum(r *rand.Rand, cum []float64) int {
	u := r.Float64()
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// generate creates the seller's orders of one day (starting at dayStart,
// unix seconds) and their packages, writing the truth lines into w.
func (s *seller) generate(w *worker, dayStart int64) {
	r := s.rng
	wd := time.Unix(dayStart, 0).UTC().Weekday()
	mean := s.volume * dayOfWeek[wd]
	n := int(math.Round(mean + math.Sqrt(mean)*r.NormFloat64()))
	for range max(n, 0) {
		s.newOrder(w, dayStart)
	}
}

// orderID returns the next order ID: Amazon's 3-7-7 form
// (111-1234567-1234567) or a 15-digit Walmart customer order number.
func (s *seller) orderID(walmart bool) string {
	s.orderSeq++
	x := scramble(uint64(s.idx)*100_000_000+s.orderSeq%100_000_000, s.cfg.Seed)
	var b [19]byte
	if walmart {
		b[0] = '2'
		for i := 14; i >= 1; i-- {
			b[i] = byte('0' + x%10)
			x /= 10
		}
		return string(b[:15])
	}
	b[0], b[1], b[2], b[3] = '1', '1', byte('1'+x%4), '-'
	for i := 18; i >= 4; i-- {
		if i == 11 {
			b[i] = '-'
			continue
		}
		b[i] = byte('0' + x%10)
		x /= 10
	}
	return string(b[:])
}

// value draws an order value in cents: a log-normal around the category's
// median, with a realistic share of orders under $5 and $10.
func value(r *rand.Rand, cat string) int64 {
	var d float64
	switch x := r.IntN(100); {
	case x < 7:
		d = 1.49 + r.Float64()*3.5 // $1.49–$4.99
	case x < 17:
		d = 5 + r.Float64()*5
	default:
		d = categoryMedian[cat] * math.Exp(r.NormFloat64()*0.75)
		d = min(max(d, 5), 2500)
	}
	c := int64(d * 100)
	// Prices end in .99, .95, .49 or .00 mostly.
	switch r.IntN(5) {
	case 0, 1:
		c = c/100*100 + 99
	case 2:
		c = c/100*100 + 95
	case 3:
		c = c/100*100 + 49
	}
	return c
}

func (s *seller) newPkg() *pkg {
	var p *pkg
	if n := len(s.free); n > 0 {
		p = s.free[n-1]
		s.free = s.free[:n-1]
		acts := p.acts[:0]
		*p = pkg{acts: acts}
	} else {
		p = &pkg{acts: make([]act, 0, 24)}
	}
	s.serial++
	p.serial = s.serial
	return p
}

func (s *seller) newOrder(w *worker, dayStart int64) {
	r := s.rng
	h := pickCum(r, purchaseHour)
	purchase := dayStart + int64(h)*hour + r.Int64N(hour)
	walmart := s.walmart && r.IntN(4) == 0
	policy := s.v.Policies[0]
	if walmart {
		policy = "walmart-us"
	}
	cat := s.cats[0]
	if len(s.cats) > 1 && r.IntN(3) == 0 {
		cat = s.cats[1+r.IntN(len(s.cats)-1)]
	}
	dest := usCities[r.IntN(len(usCities))]
	promise := 3 + r.IntN(5) // days
	if s.china {
		promise = 10 + r.IntN(11)
	}
	p := s.newPkg()
	p.hasOrder = true
	p.order = vtr.Order{
		ID: s.orderID(walmart), SellerID: s.v.ID, Policy: policy, Category: cat,
		PurchasedAt: time.Unix(purchase, 0).UTC(),
		Value:       vtr.Money{Minor: value(r, cat), Currency: "USD"},
		ShipTo:      dest.loc,
		ShipBy:      time.Unix(purchase+int64(1+r.IntN(2))*86400, 0).UTC(),
		DeliverBy:   time.Unix(purchase+int64(promise)*86400, 0).UTC(),
	}
	p.acts = append(p.acts, act{at: purchase, what: aOrder})
	w.t.stats.Orders++

	switch x := r.IntN(1000); {
	case x < 3: // digital: no shipment, exempt
		p.order.Digital = true
		s.pending = append(s.pending, p)
		return
	case x < 13: // cancelled before shipping (buyer or seller)
		p.cancel = vtr.Cancellation{OrderID: p.order.ID, BySeller: r.IntN(2) == 0,
			CancelledAt: time.Unix(purchase+between(r, 0.2, 20), 0).UTC()}
		p.acts = append(p.acts, act{at: p.cancel.CancelledAt.Unix(), what: aCancel})
		w.t.stats.Cancellations++
		s.pending = append(s.pending, p)
		return
	case x < 16 && !s.china: // LTL freight, exempt (US sellers only)
		p.order.Freight = true
	}
	multi := !p.order.Freight && r.IntN(50) == 0
	s.shipPackage(w, p, p, 1, multi, purchase, dest)
	if multi {
		q := s.newPkg()
		s.shipPackage(w, q, p, 2, multi, purchase, dest)
	}
}

// drawMode draws the package's failure mode (NumModes for none) from the
// configured rates. Ineligible modes fall back to none, so each mode's
// share among its eligible packages is its rate.
func (s *seller) drawMode(o *vtr.Order, multi bool) Mode {
	u := s.rng.Float64()
	var cum float64
	for m, p := range s.cfg.Rates {
		cum += p
		if u < cum {
			switch Mode(m) {
			case SingleScan:
				if !s.china || o.Value.Minor < 500 {
					return NumModes
				}
			case CancelAfterShip:
				if multi {
					return NumModes
				}
			case ReusedLabel:
				if s.nrecent == 0 {
					return NumModes
				}
			}
			return Mode(m)
		}
	}
	return NumModes
}

// pickCarrier picks a carrier from the seller's mix; checked restricts it
// to carriers with a check digit (for typos). Regional carriers serve
// only their region.
func (s *seller) pickCarrier(from, dest *place, checked bool) *carrier {
	r := s.rng
	total := s.mixSum
	if checked {
		total = 0
		for _, m := range s.mix {
			if m.c.checked {
				total += m.weight
			}
		}
	}
	u := r.Float64() * total
	var c *carrier
	for _, m := range s.mix {
		if checked && !m.c.checked {
			continue
		}
		c = m.c
		if u < m.weight {
			break
		}
		u -= m.weight
	}
	switch {
	case c == cOnTrac && !(western(from) && western(dest)),
		c == cLaserShip && !(eastern(from) && eastern(dest)):
		return cUPS
	}
	return c
}

// number generates a well-formed number of carrier c (with a check digit
// when checked).
func (s *seller) number(w *worker, c *carrier, checked bool) string {
	r := s.rng
	var total int
	for _, f := range c.formats {
		if !checked || f.f.CheckDigit != "" {
			total += f.weight
		}
	}
	u := r.IntN(total)
	var f *tracking.Format
	for _, x := range c.formats {
		if checked && x.f.CheckDigit == "" {
			continue
		}
		f = x.f
		if u < x.weight {
			break
		}
		u -= x.weight
	}
	b := f.AppendGenerate(r, w.nb[:0])
	if c == cChinaPost {
		// The S10 country code is outside the check digit: China Post's
		// numbers end in CN.
		b[len(b)-2], b[len(b)-1] = 'C', 'N'
	}
	w.nb = b
	return string(b)
}

// mismatchPlace returns a place of the seller's country in a state (or
// province) none of its ship-from locations is in.
func (s *seller) mismatchPlace() *place {
	list := usCities
	if s.china {
		list = cnCities
	}
	for {
		p := list[s.rng.IntN(len(list))]
		ok := true
		for _, f := range s.from {
			ok = ok && f.State != p.State
		}
		if ok {
			return p
		}
	}
}

// shipPackage builds package number n of order o (held by op) into p:
// carrier, number, failure mode, journey, upload, and queues it.
func (s *seller) shipPackage(w *worker, p, op *pkg, n int, multi bool, purchase int64, dest *place) {
	r := s.rng
	o := &op.order
	mode := NumModes
	if !o.Freight {
		mode = s.drawMode(o, multi)
	}
	sf := 0
	if len(s.from) > 1 && r.IntN(3) == 0 {
		sf = 1 + r.IntN(len(s.from)-1)
	}
	from := s.from[sf]

	// Timing: the label, the handover to the carrier.
	var label, handover int64
	if s.china {
		label = inWindow(r, from, purchase+between(r, 2, 30), 9, 21)
		handover = inWindow(r, from, label+between(r, 4, 40), 10, 20)
	} else {
		label = inWindow(r, from, purchase+between(r, 0.5, 20), 8, 18)
		handover = inWindow(r, from, label+between(r, 0.5, 3), 14, 19)
		if r.IntN(33) == 0 { // shipped late
			handover += int64(1+r.IntN(2)) * 86400
		}
	}

	// The carrier and its number.
	var c *carrier
	var reused *reuse
	switch {
	case o.Freight:
		c = cODFL
	case mode == UnsupportedCarrier:
		list := usUnsupported
		if s.china {
			list = cnUnsupported
		}
		c = list[r.IntN(len(list))]
	case mode == ReusedLabel:
		for range 8 {
			e := &s.recent[r.IntN(min(s.nrecent, len(s.recent)))]
			if e.dest != dest && e.shipped < handover {
				reused = e
				break
			}
		}
		if reused == nil {
			mode = NumModes
			c = s.pickCarrier(from, dest, false)
		} else {
			c = reused.c
		}
	default:
		c = s.pickCarrier(from, dest, mode == Typo)
		// Walmart does not take Amazon Shipping labels (it is not on its
		// carrier list); sellers ship Walmart orders with UPS instead.
		if o.Policy == "walmart-us" && c == cAmazon {
			c = cUPS
		}
	}
	if reused != nil {
		p.number = reused.number
	} else {
		p.number = s.number(w, c, mode == Typo)
	}
	p.c, p.from, p.to = c, from, dest

	// What the seller enters.
	enteredCarrier, enteredName, entered := c.code, "", p.number
	switch mode {
	case WrongCarrier:
		if b := s.wrongCarrier(w, c, p.number); b != nil {
			enteredCarrier = b.code
		} else {
			mode = NumModes
		}
	case Typo:
		entered = s.typo(w, c, p.number)
	case SpecialChars:
		entered = specialChars(r, p.number)
	case OtherCarrier:
		enteredCarrier, enteredName = "Other", c.code
	}

	// The journey.
	origin := from
	if mode == ShipFromMismatch {
		origin = s.mismatchPlace()
	}
	if s.china && journeyOf(c, true) == jDomestic {
		origin = pickISC(r)
	}
	sm := scanFull
	switch mode {
	case NoAcceptance, CancelAfterShip:
		sm = scanLabel
	case Lost, SingleScan:
		sm = scanAccept
	}
	start := len(p.acts)
	if reused == nil {
		b := builder{r: r, p: p}
		p.first, p.deliver = b.journey(c, label, handover, from, origin, dest, sm, s.china)
	}
	if mode == LateUpload && p.deliver != 0 && p.deliver < handover+30*hour {
		// Make room for an upload more than 24 h after handover and
		// before delivery: the parcel waits a day at the delivery unit.
		for i := start; i < len(p.acts); i++ {
			if k := p.acts[i].sc.kind; k == kOFD || k == kAttempt || k == kDelivered {
				p.acts[i].at += 86400
			}
		}
		p.deliver += 86400
	}

	// The upload.
	upload := label + between(r, 0.03, 3)
	switch mode {
	case LateUpload:
		if p.deliver != 0 {
			upload = handover + 25*hour + r.Int64N(max(p.deliver-handover-26*hour, 1))
		} else {
			upload = handover + between(r, 25, 72)
		}
	case UploadAfterDelivery:
		if p.deliver != 0 {
			upload = p.deliver + between(r, 1, 72)
		} else {
			mode = NumModes
		}
	}
	p.hasShip = true
	p.ship = vtr.Shipment{OrderID: o.ID, PackageID: strconv.Itoa(n), Carrier: enteredCarrier, CarrierName: enteredName,
		TrackingNumber: entered, ShipFromID: s.v.ShipFrom[sf].ID,
		ShippedAt: time.Unix(handover, 0).UTC(), UploadedAt: time.Unix(upload, 0).UTC()}
	p.ship.ShipMethod = shipMethod(c, r)
	p.acts = append(p.acts, act{at: upload, what: aShipment})
	w.t.stats.Shipments++
	if mode == CancelAfterShip {
		op.cancel = vtr.Cancellation{OrderID: o.ID, BySeller: true, CancelledAt: time.Unix(upload+between(r, 2, 30), 0).UTC()}
		p.acts = append(p.acts, act{at: op.cancel.CancelledAt.Unix(), what: aCancel})
		w.t.stats.Cancellations++
	}
	sortActs(p.acts)

	if reused == nil && mode == NumModes && p.deliver != 0 {
		e := &s.recent[s.nrecent%len(s.recent)]
		*e = reuse{c: c, number: p.number, orderID: o.ID, dest: dest, shipped: handover}
		s.nrecent++
	}
	w.t.stats.Packages++
	if w.truth {
		w.writeTruth(s, p, o, mode, reused, enteredCarrier, enteredName, entered)
	}
	s.pending = append(s.pending, p)
}

// wrongCarrier picks another integrated carrier of the origin that the
// number is verifiably not from (vtr reports CARRIER_MISMATCH).
func (s *seller) wrongCarrier(w *worker, c *carrier, number string) *carrier {
	off := s.rng.IntN(len(s.mix))
	for i := range s.mix {
		b := s.mix[(off+i)%len(s.mix)].c
		if b == c || b.c == c.c {
			continue
		}
		w.res.Check(number, b.c)
		if w.res.Reason == vtr.CarrierMismatch {
			return b
		}
	}
	return nil
}

// typo changes one digit so that the check digit no longer computes
// (vtr reports TRACKING_MALFORMED), retrying the rare changes a check
// digit cannot see.
func (s *seller) typo(w *worker, c *carrier, number string) string {
	r := s.rng
	b := append(w.nb[:0], number...)
	var fallback string
	for range 64 {
		i := r.IntN(len(b))
		if b[i] < '0' || b[i] > '9' {
			continue
		}
		old := b[i]
		b[i] = byte('0' + (int(old-'0')+1+r.IntN(9))%10)
		cand := string(b)
		b[i] = old
		w.res.Check(cand, c.c)
		if w.res.Reason == vtr.TrackingMalformed {
			w.nb = b
			return cand
		}
		if !w.res.Valid && fallback == "" {
			fallback = cand
		}
	}
	w.nb = b
	if fallback != "" {
		return fallback
	}
	return "#" + number
}

// specialChars returns the number as sellers mangle it in spreadsheets:
// a leading "#", a "/", a trailing comma, or full-width digits from an
// East Asian input method. Amazon reports these as InvalidId.
func specialChars(r *rand.Rand, number string) string {
	switch r.IntN(4) {
	case 0:
		return "#" + number
	case 1:
		k := 1 + r.IntN(len(number)-1)
		return number[:k] + "/" + number[k:]
	case 2:
		return number + ","
	}
	b := make([]byte, 0, len(number)*3)
	for i := 0; i < len(number); i++ {
		if c := number[i]; c >= '0' && c <= '9' {
			b = append(b, 0xEF, 0xBC, 0x90+c-'0') // U+FF10..U+FF19
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// shipMethod names the service as sellers enter it.
func shipMethod(c *carrier, r *rand.Rand) string {
	switch c {
	case cUPS:
		return [...]string{"UPS Ground", "UPS Ground", "UPS 2nd Day Air", "UPS SurePost"}[r.IntN(4)]
	case cUSPS:
		return [...]string{"USPS Ground Advantage", "USPS Ground Advantage", "USPS Priority Mail"}[r.IntN(3)]
	case cFedEx:
		return [...]string{"FedEx Ground", "FedEx Home Delivery", "FedEx 2Day"}[r.IntN(3)]
	case cSmartPost:
		return "FedEx Ground Economy"
	case cChinaPost:
		return "ePacket"
	case cYun:
		return "Yun Express Direct Line"
	case c4PX:
		return "4PX Global Express"
	case cYanwen:
		return "Yanwen Special Line"
	case cDHL:
		return "DHL Express Worldwide"
	case cODFL:
		return "LTL Freight"
	}
	return "Standard"
}

// sortActs sorts a package's short timeline by time (insertion sort,
// stable: an event and an upload at the same second keep their order).
func sortActs(a []act) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].at < a[j-1].at; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
