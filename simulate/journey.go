package simulate

import "math/rand/v2"

// What an act is.
const (
	aOrder uint8 = iota
	aShipment
	aCancel
	aEvent
)

// act is one record of a package's timeline, emitted when the simulated
// clock reaches it.
type act struct {
	at    int64 // unix seconds
	what  uint8
	noLoc bool     // an event without a location (the place only gives the time zone)
	sc    *scan    // aEvent
	by    *carrier // aEvent: the carrier that reports it
	pl    *place   // aEvent: where
}

const hour = 3600

// builder appends a journey's events to a package's timeline.
type builder struct {
	r    *rand.Rand
	p    *pkg
	t    int64 // the clock, advanced scan by scan
	last *place
}

// between returns a uniform duration in [lo, hi) hours, in seconds.
func between(r *rand.Rand, lo, hi float64) int64 {
	return int64((lo + r.Float64()*(hi-lo)) * hour)
}

// inWindow returns the first moment at or after t, at a random time of a
// local-time window [hmin, hmax) hours at place pl: trucks leave at
// night, couriers deliver by day.
func inWindow(r *rand.Rand, pl *place, t int64, hmin, hmax int) int64 {
	off := int64(pl.tz.offset(t))
	local := t + off
	day := local - local%86400
	lo, hi := day+int64(hmin)*hour, day+int64(hmax)*hour
	if local >= hi {
		lo, hi = lo+86400, hi+86400
	}
	if local > lo {
		lo = local
	}
	return lo + r.Int64N(hi-lo) - off
}

// scanOf picks a variant of kind k from carrier c, or from its last-mile
// partner when c has none; nil when neither has one.
func scanOf(r *rand.Rand, c *carrier, k kind) (*scan, *carrier) {
	if v := c.scans[k]; len(v) > 0 {
		return &v[r.IntN(len(v))], c
	}
	if c.lastMile != nil {
		if v := c.lastMile.scans[k]; len(v) > 0 {
			return &v[r.IntN(len(v))], c.lastMile
		}
	}
	return nil, nil
}

// add appends a scan of kind k by carrier c at the builder's clock and
// place; it is skipped when the carrier has no such scan.
func (b *builder) add(c *carrier, k kind, pl *place) bool {
	sc, by := scanOf(b.r, c, k)
	if sc == nil {
		return false
	}
	b.p.acts = append(b.p.acts, act{at: b.t, what: aEvent, sc: sc, by: by, pl: pl})
	b.last = pl
	return true
}

// label appends the electronic label / pre-advice record at time t. Label
// rows echo the shipper's address for the carriers that print one.
func (b *builder) label(c *carrier, t int64, from *place) {
	sc, by := scanOf(b.r, c, kLabel)
	b.p.acts = append(b.p.acts, act{at: t, what: aEvent, sc: sc, by: by, pl: from, noLoc: !c.labelLoc})
}

// travel advances the clock by the trip from the last place to pl at the
// given average speed (km/h, handling included) plus a dwell.
func (b *builder) travel(pl *place, speed float64, dwellLo, dwellHi float64) {
	d := km(b.last, pl)
	b.t += int64(d/speed*hour) + between(b.r, dwellLo, dwellHi)
}

// ground routes a parcel from the last place to dest through carrier c's
// hubs, then delivers it: arrive / depart at each hub, arrival at the
// delivery unit, out for delivery in the morning, delivery by day, with a
// failed first attempt now and then. It returns the delivery time.
func (b *builder) ground(c *carrier, dest *place, speed float64) int64 {
	r := b.r
	if c.hubs != nil && km(b.last, dest) > 250 {
		h1, h2 := c.hubs.nearest(b.last), c.hubs.nearest(dest)
		for i, h := range [2]*place{h1, h2} {
			if i == 1 && h == h1 {
				break
			}
			b.travel(h, speed, 1, 4)
			b.add(c, kArrive, h)
			if c.code == "USPS" && r.IntN(4) == 0 {
				// USPS's system notice between facilities (§9: logical).
				b.t += between(r, 1, 4)
				b.add(c, kLogical, h)
			}
			b.t += between(r, 2, 8)
			b.add(c, kDepart, h)
		}
	}
	if len(c.scans[kHandoff]) > 0 {
		b.t += between(r, 0.5, 3)
		b.add(c, kHandoff, b.last)
	}
	b.travel(dest, speed, 1, 3)
	b.add(c, kArriveDest, dest)
	return b.deliver(c, dest)
}

// deliver puts the parcel out for delivery the next morning and delivers
// it, sometimes after a failed attempt.
func (b *builder) deliver(c *carrier, dest *place) int64 {
	r := b.r
	b.t = inWindow(r, dest, b.t+hour, 6, 9)
	b.add(c, kOFD, dest)
	if r.IntN(50) == 0 {
		b.t = inWindow(r, dest, b.t+2*hour, 11, 19)
		if b.add(c, kAttempt, dest) {
			b.t = inWindow(r, dest, b.t+8*hour, 6, 9)
			b.add(c, kOFD, dest)
		}
	}
	b.t = inWindow(r, dest, b.t+30*60, 9, 20)
	b.add(c, kDelivered, dest)
	return b.t
}

// scanMode is how far a journey goes.
type scanMode uint8

const (
	scanFull   scanMode = iota
	scanLabel           // label only: no acceptance, or cancelled
	scanAccept          // acceptance then nothing: lost, or single scan
)

// journey fills p.acts with carrier events from the label to delivery and
// returns the first physical scan and delivery times (0 when none).
// handover is when the seller hands the parcel over; origin is where the
// carrier first scans it.
func (b *builder) journey(c *carrier, label, handover int64, from, origin, dest *place, mode scanMode, china bool) (first, delivered int64) {
	r := b.r
	b.label(c, label, from)
	if mode == scanLabel {
		return 0, 0
	}
	switch journeyOf(c, china) {
	case jPost:
		b.t, b.last = handover+between(r, 1, 8), origin
		b.add(c, kAccept, origin)
		first = b.t
		if mode == scanAccept {
			return first, 0
		}
		ex := exchanges.nearest(origin)
		b.t += between(r, 10, 40)
		b.add(c, kExport, ex)
		b.t += between(r, 12, 72)
		b.add(c, kFlight, ex)
		isc := pickISC(r)
		b.t += between(r, 13, 24)
		b.add(c, kImport, isc)
		b.t += between(r, 2, 20)
		b.add(c, kCustoms, isc)
		b.t += between(r, 4, 48)
		b.add(c, kCustomsOK, isc)
		b.t += between(r, 1, 12)
		b.add(c, kHandoff, isc)
		// The last mile's own first scan at the gateway.
		b.t += between(r, 2, 10)
		b.add(c.lastMile, kImport, isc)
		b.t += between(r, 2, 6)
		b.add(c.lastMile, kDepart, isc)
		return first, b.ground(c.lastMile, dest, 55)
	case jExpress:
		b.t, b.last = handover+between(r, 0.5, 3), origin
		b.add(c, kAccept, origin)
		first = b.t
		if mode == scanAccept {
			return first, 0
		}
		var gw, in *place
		switch c {
		case cFedEx:
			gw, in = guangzhouHub, fedexHubs[0]
		case cDHL:
			gw, in = hongKong, cincinnati
		default:
			gw, in = exchanges.nearest(origin), upsHubs[1]
		}
		b.t += between(r, 2, 6)
		b.add(c, kDepart, origin)
		b.t += between(r, 4, 20)
		b.add(c, kExport, gw)
		b.t += between(r, 3, 24)
		b.add(c, kFlight, gw)
		if c == cUPS || c == cFedEx {
			// Trans-Pacific freighters stop in Anchorage.
			b.t += between(r, 9, 12)
			b.add(c, kArrive, anchorage)
			b.t += between(r, 2, 6)
			b.add(c, kDepart, anchorage)
		}
		b.t += between(r, 5, 16)
		b.add(c, kImport, in)
		if b.add(c, kCustoms, in) {
			b.t += between(r, 1, 6)
		}
		b.t += between(r, 2, 24)
		b.add(c, kCustomsOK, in)
		b.t += between(r, 2, 8)
		b.add(c, kDepart, in)
		b.last = in
		b.travel(dest, 70, 1, 4)
		b.add(c, kArriveDest, dest)
		return first, b.deliver(c, dest)
	}
	// Domestic ground (and freight, slower). A China-origin parcel on a US
	// carrier (a consolidator's last-mile label) is first scanned at the
	// US gateway days after the handover.
	b.t, b.last = handover+between(r, 0.3, 2.5), origin
	if china {
		b.t = handover + between(r, 4*24, 9*24)
	}
	b.add(c, kAccept, origin)
	first = b.t
	if mode == scanAccept {
		return first, 0
	}
	b.t += between(r, 2, 6)
	b.add(c, kDepart, origin)
	speed := 55.0
	if c.journey == jFreight {
		speed = 35
	}
	return first, b.ground(c, dest, speed)
}

// exchanges are China's outward offices of exchange, by nearness.
var exchanges = newHubs(cnExchanges)

// journeyOf is the network a parcel of carrier c travels: UPS and FedEx
// fly China-origin parcels on their express networks.
func journeyOf(c *carrier, china bool) journey {
	if china && (c == cUPS || c == cFedEx) {
		return jExpress
	}
	return c.journey
}

// pickISC picks the USPS International Service Center a China parcel
// enters through, Los Angeles most often.
func pickISC(r *rand.Rand) *place {
	switch x := r.IntN(100); {
	case x < 55:
		return uspsISCs[0]
	case x < 75:
		return uspsISCs[1]
	case x < 90:
		return uspsISCs[2]
	}
	return uspsISCs[3]
}
