package vtr

import "time"

// Seller is a merchant that ships its own orders.
type Seller struct {
	ID       string     `json:"id"`
	Name     string     `json:"name,omitempty"`
	Policies []string   `json:"policies,omitempty"` // policy IDs the seller is judged by
	ShipFrom []ShipFrom `json:"ship_from,omitempty"`
}

// ShipFrom is one of a seller's registered ship-from locations. Amazon
// checks that a package's origin matches it (DESIGN.md).
type ShipFrom struct {
	ID         string `json:"id"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
	State      string `json:"state,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// Money is an amount in minor units (cents) with its ISO 4217 currency, so
// thresholds such as Amazon's $5 compare exactly.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// Order is a marketplace order. Its category is the one at order time and
// never changes afterwards.
type Order struct {
	ID          string    `json:"id"`
	SellerID    string    `json:"seller_id"`
	Policy      string    `json:"policy"`
	PurchasedAt time.Time `json:"purchased_at"`
	Category    string    `json:"category"`
	Value       Money     `json:"value"`
	ShipTo      Location  `json:"ship_to"`
	ShipBy      time.Time `json:"ship_by"`
	DeliverBy   time.Time `json:"deliver_by"` // promised delivery date: the inclusion key
	Digital     bool      `json:"digital,omitempty"`
	Freight     bool      `json:"freight,omitempty"`
}

// Shipment is a seller's ship confirmation of one package of an order. A
// later shipment for the same order and package is an edit, kept in the
// package's history.
type Shipment struct {
	// SellerID is optional: order IDs are unique per seller, so it is
	// needed only when two sellers have an order with the same ID.
	SellerID       string    `json:"seller_id,omitempty"`
	OrderID        string    `json:"order_id"`
	PackageID      string    `json:"package_id"`
	Carrier        string    `json:"carrier"`      // carrier code as entered ("Other" allowed)
	CarrierName    string    `json:"carrier_name"` // free text, used with "Other"
	TrackingNumber string    `json:"tracking_number"`
	ShipMethod     string    `json:"ship_method,omitempty"`
	ShipFromID     string    `json:"ship_from_id,omitempty"`
	ShippedAt      time.Time `json:"shipped_at"`
	UploadedAt     time.Time `json:"uploaded_at"` // defaults to the time vtr received it
}

// Cancellation cancels an order.
type Cancellation struct {
	SellerID    string    `json:"seller_id,omitempty"` // optional, as for Shipment
	OrderID     string    `json:"order_id"`
	CancelledAt time.Time `json:"cancelled_at"`
	BySeller    bool      `json:"by_seller"`
}

// VerdictStatus is the outcome for one package under one policy.
type VerdictStatus string

// Verdict statuses.
const (
	VerdictValid   VerdictStatus = "valid"
	VerdictInvalid VerdictStatus = "invalid"
	// VerdictPending: not yet counted (promised delivery date not reached,
	// or still in flight with nothing decided).
	VerdictPending VerdictStatus = "pending"
	// VerdictExempt: outside the metric (value, method, freight, digital).
	VerdictExempt VerdictStatus = "exempt"
)
