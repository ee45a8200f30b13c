package simulate

import (
	"math"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
)

// zone is a time zone rule: a standard offset and whether it follows the
// US daylight-saving rule (second Sunday of March to first Sunday of
// November, 02:00 local, since 2007). The simulator computes offsets
// itself so its output does not depend on the host's tzdata.
type zone struct {
	std int // seconds east of UTC
	dst bool
}

var (
	tzET = &zone{std: -5 * 3600, dst: true}
	tzCT = &zone{std: -6 * 3600, dst: true}
	tzMT = &zone{std: -7 * 3600, dst: true}
	tzAZ = &zone{std: -7 * 3600}
	tzPT = &zone{std: -8 * 3600, dst: true}
	tzAK = &zone{std: -9 * 3600, dst: true}
	tzHI = &zone{std: -10 * 3600}
	tzCN = &zone{std: 8 * 3600}
)

// dstSpan is one year's daylight-saving interval in UTC seconds for a
// standard offset; cached per year.
type dstSpan struct {
	year       int
	start, end int64
}

// offset returns the UTC offset in seconds at unix time t.
func (z *zone) offset(t int64) int {
	if !z.dst {
		return z.std
	}
	y := time.Unix(t+int64(z.std), 0).UTC().Year()
	s := usDST(y, z.std)
	if t >= s.start && t < s.end {
		return z.std + 3600
	}
	return z.std
}

// usDST returns the DST interval of year y for standard offset std.
// Years are few, so the results are memoised in a fixed table.
func usDST(y, std int) dstSpan {
	i := y - dstBase
	h := -std / 3600 // 5..10
	if i >= 0 && i < len(dstTable) && h >= 0 && h < len(dstTable[i]) {
		return dstTable[i][h]
	}
	return computeDST(y, std)
}

const dstBase = 2000

var dstTable = func() (t [100][11]dstSpan) {
	for i := range t {
		for h := range t[i] {
			t[i][h] = computeDST(dstBase+i, -h*3600)
		}
	}
	return t
}()

func computeDST(y, std int) dstSpan {
	// Second Sunday of March, 02:00 standard time.
	mar := time.Date(y, time.March, 1, 2, 0, 0, 0, time.UTC)
	d := (7 - int(mar.Weekday())) % 7
	start := mar.AddDate(0, 0, d+7).Unix() - int64(std)
	// First Sunday of November, 02:00 daylight time.
	nov := time.Date(y, time.November, 1, 2, 0, 0, 0, time.UTC)
	d = (7 - int(nov.Weekday())) % 7
	end := nov.AddDate(0, 0, d).Unix() - int64(std+3600)
	return dstSpan{year: y, start: start, end: end}
}

// place is a city, a carrier facility or a gateway. Each has its event
// location prebuilt in the spellings carriers use, so emitting an event
// allocates nothing.
type place struct {
	City, State, Zip, Country string
	Lat, Lon                  float64
	tz                        *zone
	id                        int // index in allPlaces
	// Facility is the name USPS prints in the city field for its network
	// facilities ("LOS ANGELES CA NETWORK DISTRIBUTION CENTER"), with
	// blank state and ZIP (tracking-events.md §8.2, §10).
	Facility string

	loc        vtr.Location // as given: "Edison", "NJ", "08817", "US"
	upper      vtr.Location // carrier style: "EDISON", "NJ", "08817", "US"
	upperNoZip vtr.Location // UPS in-transit scans carry no postal code (§8.1)
	facility   vtr.Location // USPS network facility style
}

func (p *place) init() {
	p.loc = vtr.Location{City: p.City, State: p.State, PostalCode: p.Zip, Country: p.Country}
	p.upper = vtr.Location{City: strings.ToUpper(p.City), State: p.State, PostalCode: p.Zip, Country: p.Country}
	p.upperNoZip = p.upper
	p.upperNoZip.PostalCode = ""
	p.facility = p.upper
	if p.Facility != "" {
		p.facility = vtr.Location{City: p.Facility, Country: p.Country}
	}
}

// km returns the distance between two places (equirectangular
// approximation: within a few percent of the great circle at these
// distances, and cheap).
func km(a, b *place) float64 {
	const r, rad = 6371.0, math.Pi / 180
	x := (b.Lon - a.Lon) * rad * math.Cos((a.Lat+b.Lat)/2*rad)
	y := (b.Lat - a.Lat) * rad
	return r * math.Sqrt(x*x+y*y)
}

func us(city, state, zip string, tz *zone, lat, lon float64) *place {
	return &place{City: city, State: state, Zip: zip, Country: "US", tz: tz, Lat: lat, Lon: lon}
}

func cn(city, prov, zip string, lat, lon float64) *place {
	return &place{City: city, State: prov, Zip: zip, Country: "CN", tz: tzCN, Lat: lat, Lon: lon}
}

// usCities are real city / state / ZIP combinations used for buyers'
// addresses, sellers' warehouses and carriers' local facilities.
var usCities = []*place{
	us("New York", "NY", "10001", tzET, 40.75, -73.99),
	us("Brooklyn", "NY", "11201", tzET, 40.69, -73.99),
	us("Buffalo", "NY", "14202", tzET, 42.89, -78.88),
	us("Boston", "MA", "02118", tzET, 42.34, -71.07),
	us("Hartford", "CT", "06103", tzET, 41.77, -72.68),
	us("Philadelphia", "PA", "19103", tzET, 39.95, -75.17),
	us("Pittsburgh", "PA", "15222", tzET, 40.45, -79.99),
	us("Newark", "NJ", "07102", tzET, 40.74, -74.17),
	us("Edison", "NJ", "08817", tzET, 40.52, -74.39),
	us("Baltimore", "MD", "21201", tzET, 39.29, -76.62),
	us("Washington", "DC", "20001", tzET, 38.91, -77.02),
	us("Richmond", "VA", "23219", tzET, 37.54, -77.44),
	us("Charlotte", "NC", "28202", tzET, 35.23, -80.84),
	us("Raleigh", "NC", "27601", tzET, 35.78, -78.64),
	us("Atlanta", "GA", "30303", tzET, 33.75, -84.39),
	us("Savannah", "GA", "31401", tzET, 32.08, -81.09),
	us("Jacksonville", "FL", "32202", tzET, 30.33, -81.66),
	us("Orlando", "FL", "32801", tzET, 28.54, -81.38),
	us("Miami", "FL", "33130", tzET, 25.77, -80.20),
	us("Tampa", "FL", "33602", tzET, 27.95, -82.46),
	us("Columbus", "OH", "43215", tzET, 39.96, -83.00),
	us("Cleveland", "OH", "44113", tzET, 41.49, -81.69),
	us("Detroit", "MI", "48226", tzET, 42.33, -83.05),
	us("Grand Rapids", "MI", "49503", tzET, 42.96, -85.67),
	us("Indianapolis", "IN", "46204", tzET, 39.77, -86.16),
	us("Louisville", "KY", "40202", tzET, 38.25, -85.76),
	us("Chicago", "IL", "60607", tzCT, 41.87, -87.65),
	us("Milwaukee", "WI", "53202", tzCT, 43.04, -87.90),
	us("Minneapolis", "MN", "55401", tzCT, 44.98, -93.27),
	us("St. Louis", "MO", "63101", tzCT, 38.63, -90.19),
	us("Kansas City", "MO", "64105", tzCT, 39.10, -94.58),
	us("Nashville", "TN", "37203", tzCT, 36.15, -86.79),
	us("Memphis", "TN", "38103", tzCT, 35.15, -90.05),
	us("Birmingham", "AL", "35203", tzCT, 33.52, -86.81),
	us("New Orleans", "LA", "70112", tzCT, 29.96, -90.07),
	us("Dallas", "TX", "75201", tzCT, 32.79, -96.80),
	us("Fort Worth", "TX", "76102", tzCT, 32.75, -97.33),
	us("Houston", "TX", "77002", tzCT, 29.76, -95.37),
	us("Austin", "TX", "78701", tzCT, 30.27, -97.74),
	us("San Antonio", "TX", "78205", tzCT, 29.42, -98.49),
	us("Oklahoma City", "OK", "73102", tzCT, 35.47, -97.52),
	us("Omaha", "NE", "68102", tzCT, 41.26, -95.93),
	us("Des Moines", "IA", "50309", tzCT, 41.59, -93.62),
	us("Denver", "CO", "80202", tzMT, 39.75, -104.99),
	us("Salt Lake City", "UT", "84101", tzMT, 40.76, -111.89),
	us("Albuquerque", "NM", "87102", tzMT, 35.08, -106.65),
	us("Boise", "ID", "83702", tzMT, 43.62, -116.20),
	us("El Paso", "TX", "79901", tzMT, 31.76, -106.49),
	us("Phoenix", "AZ", "85004", tzAZ, 33.45, -112.07),
	us("Tucson", "AZ", "85701", tzAZ, 32.22, -110.97),
	us("Los Angeles", "CA", "90012", tzPT, 34.05, -118.24),
	us("Ontario", "CA", "91761", tzPT, 34.06, -117.65),
	us("San Diego", "CA", "92101", tzPT, 32.72, -117.16),
	us("San Francisco", "CA", "94103", tzPT, 37.77, -122.41),
	us("San Jose", "CA", "95113", tzPT, 37.33, -121.89),
	us("Sacramento", "CA", "95814", tzPT, 38.58, -121.49),
	us("Fresno", "CA", "93721", tzPT, 36.74, -119.79),
	us("Seattle", "WA", "98101", tzPT, 47.61, -122.33),
	us("Kent", "WA", "98032", tzPT, 47.38, -122.23),
	us("Portland", "OR", "97204", tzPT, 45.52, -122.68),
	us("Las Vegas", "NV", "89101", tzPT, 36.17, -115.14),
	us("Reno", "NV", "89501", tzPT, 39.53, -119.81),
	us("Anchorage", "AK", "99501", tzAK, 61.22, -149.90),
	us("Honolulu", "HI", "96813", tzHI, 21.31, -157.86),
}

// usWarehouses are the indexes into usCities where US sellers keep stock
// (fulfilment-heavy metros).
var usWarehouses = []string{
	"Edison", "Newark", "Brooklyn", "Philadelphia", "Baltimore", "Charlotte", "Atlanta", "Jacksonville",
	"Orlando", "Columbus", "Indianapolis", "Louisville", "Chicago", "Memphis", "Nashville", "Dallas",
	"Houston", "Kansas City", "Denver", "Salt Lake City", "Phoenix", "Las Vegas", "Reno", "Ontario",
	"Los Angeles", "Sacramento", "Kent", "Portland", "Miami", "Detroit",
}

// cnCities are the export hubs China-origin sellers ship from, with
// ISO 3166-2:CN province codes.
var cnCities = []*place{
	cn("Shenzhen", "GD", "518000", 22.54, 114.06),
	cn("Guangzhou", "GD", "510000", 23.13, 113.26),
	cn("Dongguan", "GD", "523000", 23.02, 113.75),
	cn("Foshan", "GD", "528000", 23.02, 113.12),
	cn("Yiwu", "ZJ", "322000", 29.31, 120.08),
	cn("Hangzhou", "ZJ", "310000", 30.27, 120.16),
	cn("Ningbo", "ZJ", "315000", 29.87, 121.54),
	cn("Shanghai", "SH", "200000", 31.23, 121.47),
	cn("Suzhou", "JS", "215000", 31.30, 120.59),
	cn("Xiamen", "FJ", "361000", 24.48, 118.09),
	cn("Quanzhou", "FJ", "362000", 24.87, 118.68),
}

// hub is a carrier sort hub or gateway.
func hub(city, state, zip string, tz *zone, lat, lon float64, facility string) *place {
	p := us(city, state, zip, tz, lat, lon)
	p.Facility = facility
	return p
}

// Carrier hubs (public facility locations).
var (
	upsHubs = []*place{
		hub("Hodgkins", "IL", "60525", tzCT, 41.77, -87.86, ""),
		hub("Louisville", "KY", "40209", tzET, 38.17, -85.74, ""),
		hub("Ontario", "CA", "91761", tzPT, 34.06, -117.60, ""),
		hub("Mesquite", "TX", "75149", tzCT, 32.77, -96.60, ""),
		hub("Atlanta", "GA", "30336", tzET, 33.74, -84.55, ""),
		hub("Secaucus", "NJ", "07094", tzET, 40.79, -74.06, ""),
		hub("Salt Lake City", "UT", "84104", tzMT, 40.75, -111.95, ""),
		hub("Kent", "WA", "98032", tzPT, 47.40, -122.25, ""),
	}
	fedexHubs = []*place{
		hub("Memphis", "TN", "38118", tzCT, 35.04, -89.98, ""),
		hub("Indianapolis", "IN", "46241", tzET, 39.72, -86.29, ""),
		hub("Hagerstown", "MD", "21740", tzET, 39.64, -77.72, ""),
		hub("Bloomington", "CA", "92316", tzPT, 34.07, -117.40, ""),
		hub("Grove City", "OH", "43123", tzET, 39.88, -83.09, ""),
		hub("Fort Worth", "TX", "76177", tzCT, 32.97, -97.31, ""),
		hub("Sacramento", "CA", "95828", tzPT, 38.49, -121.40, ""),
	}
	uspsHubs = []*place{
		hub("Bell", "CA", "90201", tzPT, 33.98, -118.19, "LOS ANGELES CA NETWORK DISTRIBUTION CENTER"),
		hub("Forest Park", "IL", "60130", tzCT, 41.87, -87.81, "CHICAGO IL NETWORK DISTRIBUTION CENTER"),
		hub("Palmetto", "GA", "30268", tzET, 33.52, -84.67, "ATLANTA GA NETWORK DISTRIBUTION CENTER"),
		hub("Coppell", "TX", "75099", tzCT, 32.95, -97.01, "DALLAS TX NETWORK DISTRIBUTION CENTER"),
		hub("Jersey City", "NJ", "07097", tzET, 40.73, -74.08, "NEW JERSEY NETWORK DISTRIBUTION CENTER"),
		hub("Denver", "CO", "80266", tzMT, 39.78, -104.90, "DENVER CO NETWORK DISTRIBUTION CENTER"),
		hub("Federal Way", "WA", "98003", tzPT, 47.31, -122.31, "SEATTLE WA NETWORK DISTRIBUTION CENTER"),
		hub("Kansas City", "KS", "66106", tzCT, 39.07, -94.69, "KANSAS CITY KS NETWORK DISTRIBUTION CENTER"),
		hub("Greensboro", "NC", "27498", tzET, 36.07, -79.79, "GREENSBORO NC NETWORK DISTRIBUTION CENTER"),
	}
	regionalHubs = []*place{
		hub("Commerce", "CA", "90040", tzPT, 33.99, -118.15, ""),
		hub("Phoenix", "AZ", "85043", tzAZ, 33.42, -112.18, ""),
		hub("Sparks", "NV", "89431", tzPT, 39.53, -119.75, ""),
		hub("Baltimore", "MD", "21226", tzET, 39.21, -76.56, ""),
		hub("Atlanta", "GA", "30349", tzET, 33.61, -84.49, ""),
		hub("Elizabeth", "NJ", "07201", tzET, 40.66, -74.19, ""),
		hub("Lancaster", "TX", "75134", tzCT, 32.59, -96.76, ""),
		hub("Joliet", "IL", "60436", tzCT, 41.51, -88.13, ""),
	}
	// International mail gateways: the USPS International Service Centers
	// that receive inbound mail from China.
	uspsISCs = []*place{
		hub("Los Angeles", "CA", "90009", tzPT, 33.94, -118.40, "LOS ANGELES CA INTERNATIONAL SERVICE CENTER"),
		hub("Jamaica", "NY", "11430", tzET, 40.64, -73.78, "JAMAICA NY INTERNATIONAL SERVICE CENTER"),
		hub("Chicago", "IL", "60666", tzCT, 41.98, -87.90, "CHICAGO IL INTERNATIONAL SERVICE CENTER"),
		hub("San Francisco", "CA", "94128", tzPT, 37.62, -122.38, "SAN FRANCISCO CA INTERNATIONAL SERVICE CENTER"),
	}
	// Chinese outward offices of exchange and airports.
	cnExchanges = []*place{
		cn("Guangzhou", "GD", "510470", 23.39, 113.30),
		cn("Shanghai", "SH", "201202", 31.15, 121.80),
		cn("Beijing", "BJ", "101300", 40.08, 116.58),
		cn("Shenzhen", "GD", "518128", 22.64, 113.81),
	}
	hongKong     = &place{City: "Hong Kong", Country: "HK", tz: tzCN, Lat: 22.31, Lon: 113.91}
	anchorage    = hub("Anchorage", "AK", "99502", tzAK, 61.17, -149.99, "")
	cincinnati   = hub("Hebron", "KY", "41048", tzET, 39.05, -84.66, "")
	guangzhouHub = cn("Guangzhou", "GD", "510470", 23.39, 113.30)
)

var allPlaces = func() []*place {
	var ps []*place
	for _, l := range [][]*place{usCities, cnCities, upsHubs, fedexHubs, uspsHubs, regionalHubs, uspsISCs, cnExchanges} {
		ps = append(ps, l...)
	}
	ps = append(ps, hongKong, anchorage, cincinnati, guangzhouHub)
	for i, p := range ps {
		p.id = i
		p.init()
	}
	return ps
}()

// hubs is a list of hubs with, for every place, the nearest one
// precomputed.
type hubs struct {
	list []*place
	near []*place // by place id
}

func newHubs(list []*place) *hubs {
	h := &hubs{list: list, near: make([]*place, len(allPlaces))}
	for _, p := range allPlaces {
		h.near[p.id] = nearest(list, p)
	}
	return h
}

// nearest returns the hub closest to p.
func (h *hubs) nearest(p *place) *place { return h.near[p.id] }

// cityByName finds a US city of the table; it panics on a typo in the
// tables above (caught by any test).
func cityByName(name string) *place {
	for _, p := range usCities {
		if p.City == name {
			return p
		}
	}
	panic("simulate: no US city " + name)
}

// nearest returns the place of ps closest to p.
func nearest(ps []*place, p *place) *place {
	best, bd := ps[0], math.MaxFloat64
	for _, q := range ps {
		if d := km(p, q); d < bd {
			best, bd = q, d
		}
	}
	return best
}

// western reports whether a place is in the OnTrac footprint (the West);
// eastern, in LaserShip's (the East Coast and Midwest).
func western(p *place) bool {
	return p.Country == "US" && p.Lon < -104 && p.State != "AK" && p.State != "HI"
}
func eastern(p *place) bool { return p.Country == "US" && p.Lon > -90 }
