package spapi

import "strings"

// marketplaceSites are the SP-API's public marketplace IDs by Amazon site
// (developer-docs.amazon.com/sp-api/docs/marketplace-ids), the other way
// round from marketplacePolicies. A policy names its site in
// Policy.Marketplace.
var marketplaceSites = map[string]string{
	"amazon.com":    "ATVPDKIKX0DER",
	"amazon.ca":     "A2EUQ1WTGCTBG2",
	"amazon.com.mx": "A1AM78C64UM0Y8",
	"amazon.com.br": "A2Q3Y263D00KWC",
	"amazon.co.uk":  "A1F83G8C2ARO7P",
	"amazon.de":     "A1PA6795UKMFR9",
	"amazon.fr":     "A13V1IB3VIYZZH",
	"amazon.it":     "APJ6JRA9NG5V4",
	"amazon.es":     "A1RKKUPIHCS9HS",
	"amazon.nl":     "A1805IZSGTT6HS",
	"amazon.se":     "A2NODRKZP88ZB9",
	"amazon.pl":     "A1C3SOZRARQ6R3",
	"amazon.com.be": "AMEN7PMS3EDWL",
	"amazon.com.tr": "A33AVAJ2PDY3EV",
	"amazon.ae":     "A2VIGQ35RCS4UG",
	"amazon.sa":     "A17E79C6D8DWNP",
	"amazon.eg":     "ARBP9OOSHTCHU",
	"amazon.in":     "A21TJRUUN4KGV",
	"amazon.co.jp":  "A1VC38T7YXB528",
	"amazon.com.au": "A39IBJ37TRP1C6",
	"amazon.sg":     "A19VAU5U5O7RUS",
}

// MarketplaceID is the SP-API marketplace ID of an Amazon site (a
// policy's Marketplace, "amazon.com"); a site that is not Amazon's keeps
// its own name.
func MarketplaceID(site string) string {
	if id, ok := marketplaceSites[strings.ToLower(site)]; ok {
		return id
	}
	return site
}
