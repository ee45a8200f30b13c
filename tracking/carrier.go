package tracking

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Carrier is a shipping carrier as the marketplaces name it.
type Carrier struct {
	// Code is the canonical spelling: Amazon's carrier-code value where
	// Amazon has one ("UPS", "FedEx", "DHL eCommerce", "Lasership" …).
	Code string
	// Name is the carrier's full name, for people.
	Name string
	// Aliases are other spellings Lookup accepts: Walmart's carrierName,
	// older Amazon codes, common abbreviations.
	Aliases []string
	// Chinese are the Chinese names sellers type. Lookup resolves them, but
	// Amazon treats a carrier name typed in Chinese as invalid, so callers
	// can tell from Match.Chinese that one was used.
	Chinese []string
	// Walmart is the carrier's value on Walmart's supported carrier list,
	// or "" when Walmart does not list it.
	Walmart string
	// Origins are the ship-from countries (ISO 3166-1 alpha-2) for which
	// Amazon lists the carrier as integrated. See marketplace-rules.md §5
	// (CN-out list), §9 (US 2016, JP, IN, UK, SG, AU lists).
	Origins []string
	// Postal marks a national postal operator, found through the S10
	// country code of an international number.
	Postal bool
	// Other marks the "Other" pseudo-carrier: free text, never integrated.
	Other bool
}

// IntegratedFor reports whether Amazon lists the carrier as integrated for
// packages shipped from country (ISO alpha-2).
func (c *Carrier) IntegratedFor(country string) bool {
	for _, o := range c.Origins {
		if o == country {
			return true
		}
	}
	return false
}

// Origin sets used by the carrier table.
var (
	originUS   = []string{"US"}
	originCN   = []string{"CN", "HK"}
	originUSCN = []string{"US", "CN", "HK"}
)

// carriers is the registry. Sources: Amazon's carrier-code enumeration
// (MWS amzn-base.xsd and the newer integrator list, marketplace-rules.md
// §11.5), Amazon's VTR FAQ carrier list (seeds/004), the CN-out list (§5),
// the JP/IN/UK/SG/AU lists (§9) and Walmart's supported carrier names
// (§12.2). Chinese names are the ones on Amazon's Chinese FAQ (seeds/004)
// and the carriers' own Chinese trade names.
var carriers = []*Carrier{
	{Code: "UPS", Name: "United Parcel Service", Walmart: "UPS", Origins: []string{"US", "CN", "HK", "JP", "IN", "GB"}, Aliases: []string{"United Parcel Service", "UPS Ground"}},
	{Code: "UPS Mail Innovations", Name: "UPS Mail Innovations", Walmart: "UPSMI", Origins: originUS, Aliases: []string{"UPSMI", "UPS MI"}},
	{Code: "USPS", Name: "United States Postal Service", Walmart: "USPS", Origins: []string{"US", "IN"}, Postal: true, Aliases: []string{"United States Postal Service", "US Postal Service", "US Mail"}},
	{Code: "FedEx", Name: "FedEx", Walmart: "FedEx", Origins: []string{"US", "CN", "HK", "JP", "IN", "GB"}, Chinese: []string{"联邦快递"}, Aliases: []string{"Federal Express", "FedEx Express", "FedEx Ground", "FEDEX_JP", "AFL/Fedex"}},
	{Code: "FedEx SmartPost", Name: "FedEx SmartPost (Ground Economy)", Walmart: "FEDEXSP", Origins: originUS, Aliases: []string{"FEDEXSP", "SmartPost", "FedEx Ground Economy"}},
	{Code: "DHL", Name: "DHL Express", Origins: []string{"US", "CN", "HK", "JP", "IN", "GB"}, Aliases: []string{"DHL Express"}, Chinese: []string{"敦豪"}},
	{Code: "DHL eCommerce", Name: "DHL eCommerce (Global Mail)", Walmart: "DHL Ecommerce-US", Origins: originUSCN, Aliases: []string{"DHL Global Mail", "DHL Ecommerce-US", "DHL eCommerce US", "DHLGM"}},
	{Code: "OnTrac", Name: "OnTrac", Walmart: "OnTrac", Origins: originUS, Aliases: []string{"On Trac"}},
	{Code: "Lasership", Name: "LaserShip", Walmart: "LS", Origins: originUS, Aliases: []string{"LS", "LaserShip"}},
	{Code: "Newgistics", Name: "Newgistics (Pitney Bowes)", Origins: originUS, Aliases: []string{"Pitney Bowes", "PB Newgistics"}},
	{Code: "Canada Post", Name: "Canada Post", Origins: []string{"US", "CA"}, Postal: true, Chinese: []string{"加拿大邮政"}, Aliases: []string{"Postes Canada"}},
	{Code: "China Post", Name: "China Post", Walmart: "China Post", Origins: []string{"CN", "HK", "JP", "IN"}, Postal: true, Chinese: []string{"中国邮政", "中国邮政速递", "邮政", "中国邮政小包"}, Aliases: []string{"ChinaPost", "EUB", "ePacket", "China EMS", "EMS"}},
	{Code: "SF Express", Name: "SF Express", Walmart: "SF Express", Origins: []string{"CN", "HK", "JP"}, Chinese: []string{"顺丰", "顺丰速运", "顺丰快递"}, Aliases: []string{"SF", "Shunfeng"}},
	{Code: "4PX", Name: "4PX Express", Walmart: "4PX", Origins: []string{"CN", "HK", "JP", "IN"}, Chinese: []string{"递四方", "递四方速递"}, Aliases: []string{"4PX Express"}},
	{Code: "Yanwen", Name: "Yanwen Logistics", Walmart: "Yanwen", Origins: []string{"CN", "HK", "JP", "IN"}, Chinese: []string{"燕文", "燕文物流"}, Aliases: []string{"Yanwen Express"}},
	{Code: "Yun Express", Name: "YunExpress", Walmart: "YunExpress", Origins: []string{"CN", "HK", "JP", "IN"}, Chinese: []string{"云途", "云途物流"}, Aliases: []string{"YunExpress"}},
	{Code: "Amazon Shipping", Name: "Amazon Shipping / Amazon Logistics", Origins: []string{"US", "GB"}, Aliases: []string{"Amazon Logistics", "AMZL", "AMZN_US", "Amazon"}},
	{Code: "SFC", Name: "SFC (Send From China)", Walmart: "SFC", Origins: originCN, Chinese: []string{"三态", "三态速递"}, Aliases: []string{"Send From China"}},
	{Code: "JCEX", Name: "JCEX", Walmart: "JCEX", Origins: originCN, Chinese: []string{"佳成", "佳成国际"}},
	{Code: "WanbExpress", Name: "WanB Express", Walmart: "WanB", Origins: []string{"CN", "HK", "JP"}, Chinese: []string{"万邦", "万邦速达"}, Aliases: []string{"WanB", "WanB Express"}},
	{Code: "Chukou1", Name: "Chukou1", Walmart: "Chukou1", Origins: originCN, Chinese: []string{"出口易"}},
	{Code: "CNE", Name: "CNE Express", Walmart: "CNE", Origins: originCN, Chinese: []string{"递一国际"}, Aliases: []string{"CNE Express"}},
	{Code: "UBI", Name: "UBI Smart Parcel", Walmart: "UBI", Origins: originCN},
	{Code: "Equick", Name: "Equick", Walmart: "Equick", Origins: originCN, Aliases: []string{"UBI Equick"}},
	{Code: "Sunyou", Name: "Sunyou", Walmart: "Sunyou", Origins: []string{"CN", "HK", "JP"}, Chinese: []string{"顺友", "顺友物流"}},
	{Code: "YDH", Name: "YDH Express", Walmart: "YDH", Origins: []string{"CN", "HK", "JP"}, Chinese: []string{"义达", "义达国际"}},
	{Code: "TNT", Name: "TNT", Origins: []string{"CN", "HK", "GB"}},
	{Code: "Purolator", Name: "Purolator"},
	{Code: "Canpar", Name: "Canpar Express"},
	{Code: "DPD", Name: "DPD", Origins: []string{"GB"}},
	{Code: "Yodel", Name: "Yodel", Origins: []string{"GB"}},
	{Code: "Landmark Global", Name: "Landmark Global", Origins: []string{"GB"}, Aliases: []string{"Landmark"}},
	{Code: "Old Dominion", Name: "Old Dominion Freight Line", Aliases: []string{"ODFL"}},
	{Code: "Spee-Dee", Name: "Spee-Dee Delivery", Aliases: []string{"Speedee", "Spee Dee Delivery"}},
	{Code: "GOFO", Name: "GOFO Express", Aliases: []string{"GOFO Express"}},
	{Code: "UDS", Name: "United Delivery Service", Walmart: "UDS"},
	{Code: "Royal Mail", Name: "Royal Mail", Origins: []string{"GB"}, Postal: true},
	{Code: "Parcelforce", Name: "Parcelforce Worldwide", Origins: []string{"GB"}},
	{Code: "Hong Kong Post", Name: "Hongkong Post", Origins: originCN, Postal: true, Chinese: []string{"香港邮政"}, Aliases: []string{"Hongkong Post", "HK Post"}},
	{Code: "Japan Post", Name: "Japan Post", Origins: []string{"JP"}, Postal: true, Chinese: []string{"日本邮政"}},
	{Code: "YamatoTransport", Name: "Yamato Transport", Origins: []string{"JP"}, Aliases: []string{"YAMATO", "Yamato Transport"}},
	{Code: "SagawaExpress", Name: "Sagawa Express", Origins: []string{"JP"}, Aliases: []string{"SAGAWA", "Sagawa Express"}},
	{Code: "Deutsche Post", Name: "Deutsche Post", Postal: true},
	{Code: "Australia Post", Name: "Australia Post", Postal: true, Aliases: []string{"Australia Post-Consignment", "Australia Post-ArticleId"}},
	{Code: "India Post", Name: "India Post", Origins: []string{"IN"}, Postal: true},
	{Code: "Singapore Post", Name: "Singapore Post", Postal: true, Aliases: []string{"SingPost"}},
	{Code: "Aramex", Name: "Aramex", Origins: []string{"IN", "GB"}},
	{Code: "Asendia", Name: "Asendia", Origins: []string{"GB"}},
	{Code: "GLS", Name: "GLS"},
	{Code: "Hermes", Name: "Evri (Hermes)", Origins: []string{"GB"}, Aliases: []string{"Evri", "Hermes Logistik Gruppe"}},
	{Code: "Other", Name: "Other (free-text carrier name)", Other: true, Aliases: []string{"Otro", "Others"}, Chinese: []string{"其他"}},
}

// Match is the result of Lookup.
type Match struct {
	Carrier *Carrier
	// Chinese is true when the name given was a Chinese name. Amazon does
	// not accept carrier names in Chinese (marketplace-rules.md §4.2).
	Chinese bool
}

// byKey maps the folded form of every code, name, alias and Chinese name.
var byKey = map[string]Match{}

// postalByCountry maps an S10 country code to its postal operator.
var postalByCountry = map[string]*Carrier{}

func init() {
	add := func(name string, m Match) {
		var buf [64]byte
		k := fold(buf[:0], name)
		if len(k) == 0 {
			return
		}
		if _, dup := byKey[string(k)]; dup {
			return // first registration wins: codes before aliases
		}
		byKey[string(k)] = m
	}
	for _, c := range carriers {
		add(c.Code, Match{Carrier: c})
	}
	for _, c := range carriers {
		add(c.Name, Match{Carrier: c})
		for _, a := range c.Aliases {
			add(a, Match{Carrier: c})
		}
		for _, a := range c.Chinese {
			add(a, Match{Carrier: c, Chinese: true})
		}
	}
	// Postal operators of the UPU S10 table that the carrier list does not
	// name become carriers too, so every S10 number has an owner.
	for _, op := range upuOperators {
		if c := namedPostal[op.Code]; c != "" {
			postalByCountry[op.Code] = byKey[foldString(c)].Carrier
			continue
		}
		k := foldString(op.Name)
		if m, ok := byKey[k]; ok {
			postalByCountry[op.Code] = m.Carrier
			continue
		}
		c := &Carrier{Code: op.Name, Name: op.Name, Postal: true}
		carriers = append(carriers, c)
		byKey[k] = Match{Carrier: c}
		postalByCountry[op.Code] = c
	}
}

// namedPostal maps S10 country codes whose operator is on the marketplace
// carrier lists to that carrier's code.
var namedPostal = map[string]string{
	"US": "USPS", "CN": "China Post", "CA": "Canada Post", "GB": "Royal Mail",
	"HK": "Hong Kong Post", "JP": "Japan Post", "DE": "Deutsche Post",
	"AU": "Australia Post", "IN": "India Post", "SG": "Singapore Post",
}

// fold appends the lookup key of s to dst: ASCII letters lower-cased and
// digits kept, every other ASCII character (space, punctuation) dropped,
// non-ASCII characters kept as they are, so "FedEx SmartPost",
// "fedex-smartpost" and "FEDEX_SMARTPOST" fold alike.
func fold(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			dst = append(dst, c)
		case c >= 'A' && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		case c >= utf8.RuneSelf:
			dst = append(dst, c)
		}
	}
	return dst
}

func foldString(s string) string { return string(fold(nil, s)) }

// Fold returns the comparison key Lookup uses: ASCII letters lower-cased,
// digits kept, spaces and punctuation dropped, other characters kept, so
// "First-Class Mail" and "first class mail" compare equal.
func Fold(s string) string { return foldString(s) }

// Lookup finds a carrier by code, name, alias or Chinese name, ignoring
// case, spaces and punctuation. It does not allocate for names up to 64
// bytes.
func Lookup(name string) (Match, bool) {
	var buf [64]byte
	k := fold(buf[:0], name)
	if len(k) == 0 {
		return Match{}, false
	}
	m, ok := byKey[string(k)]
	return m, ok
}

// ByCode returns the carrier with exactly this canonical code, or nil.
func ByCode(code string) *Carrier {
	m, ok := Lookup(code)
	if !ok || m.Carrier.Code != code {
		return nil
	}
	return m.Carrier
}

// Carriers returns every registered carrier, sorted by code.
func Carriers() []*Carrier {
	out := append([]*Carrier(nil), carriers...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Code) < strings.ToLower(out[j].Code) })
	return out
}

// PostalOperator returns the postal operator for an S10 country code.
func PostalOperator(country string) (*Carrier, bool) {
	c, ok := postalByCountry[country]
	return c, ok
}
