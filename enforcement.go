package vtr

import (
	"context"
	"fmt"
	"time"
)

// EnforcementState is where a seller's group (a category, or the whole
// account for account-grouped policies) stands with a marketplace:
// the seeds' "your selling privileges for the category … may be
// suspended … you have the opportunity to provide a Plan of Action".
type EnforcementState string

// Enforcement states. Restricted ends only through an approved plan of
// action: restricted → appeal_pending → reinstated (approved) or back to
// restricted (rejected).
const (
	StateOK            EnforcementState = "ok"
	StateAtRisk        EnforcementState = "at_risk"
	StateRestricted    EnforcementState = "restricted"
	StateAppealPending EnforcementState = "appeal_pending"
	StateReinstated    EnforcementState = "reinstated"
)

// AccountGroup is the group of account-grouped policies.
const AccountGroup = "account"

// GroupKey names an enforcement group: seller first.
type GroupKey struct {
	SellerID string `json:"seller_id"`
	Policy   string `json:"policy"`
	Group    string `json:"group"` // a category, or AccountGroup
}

// Enforcement is a group's current state.
type Enforcement struct {
	GroupKey
	State EnforcementState `json:"state"`
	Since time.Time        `json:"since"` // when it entered State
	// Below counts the consecutive evaluations below target (for
	// policies that restrict after N of them).
	Below int `json:"below_count"`
	// Evaluated is the time of the last evaluation (zero: never).
	Evaluated time.Time `json:"last_evaluated,omitzero"`
	// GraceUntil: a reinstated group is not evaluated before it.
	GraceUntil time.Time `json:"grace_until,omitzero"`
	// Version increases with every change; stores compare and set on it.
	Version int64 `json:"version"`
}

// Actor kinds in the audit history.
const (
	ActorSystem = "system"
)

// Figures are what an evaluation saw: the group's counts and window.
type Figures struct {
	Rate       *float64  `json:"rate"`
	Valid      int       `json:"valid"`
	Invalid    int       `json:"invalid"`
	Target     float64   `json:"target"`
	WindowFrom time.Time `json:"window_from,omitzero"`
	WindowTo   time.Time `json:"window_to,omitzero"`
}

// String says the figures as people read them: "93.50% (187 valid, 13
// invalid; target 95%)".
func (f Figures) String() string {
	if f.Rate == nil {
		return "no counted packages"
	}
	return fmt.Sprintf("%.2f%% (%d valid, %d invalid; target %.0f%%)", *f.Rate*100, f.Valid, f.Invalid, f.Target*100)
}

// Transition is one entry of a group's audit history; it never changes.
type Transition struct {
	GroupKey
	Seq  int64            `json:"seq"` // order within the seller's history
	From EnforcementState `json:"from"`
	To   EnforcementState `json:"to"`
	At   time.Time        `json:"at"`
	// Actor is ActorSystem, "key:<id>" of the seller or operator key.
	Actor   string  `json:"actor"`
	Figures Figures `json:"figures"`
	Note    string  `json:"note,omitempty"`
	// Rule cites the policy rule behind a system transition.
	Rule string `json:"rule,omitempty"`
}

// Appeal statuses.
const (
	AppealPending  = "pending"
	AppealApproved = "approved"
	AppealRejected = "rejected"
)

// PlanOfAction is what a seller submits to end a restriction: each part
// required, each at most MaxPlanText characters.
type PlanOfAction struct {
	RootCause  string `json:"root_cause"`
	Fixed      string `json:"fixed"`
	Prevention string `json:"prevention"`
}

// MaxPlanText bounds each part of a plan of action.
const MaxPlanText = 4000

// Appeal is a submitted plan of action and its decision.
type Appeal struct {
	ID string `json:"id"`
	GroupKey
	Plan        PlanOfAction `json:"plan"`
	Status      string       `json:"status"`
	SubmittedAt time.Time    `json:"submitted_at"`
	SubmittedBy string       `json:"submitted_by"`
	DecidedAt   time.Time    `json:"decided_at,omitzero"`
	DecidedBy   string       `json:"decided_by,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// EnforcementRule is a policy's enforcement, as data. Defaults (zero
// values) are filled by Policy.EnforcementRules.
type EnforcementRule struct {
	// CadenceHours is how often groups are evaluated (Amazon: 72).
	CadenceHours int `json:"cadence_hours"`
	// ConsecutiveBelow is how many evaluations in a row below target
	// restrict a group (1: the first; Mirakl operators often ask more).
	ConsecutiveBelow int `json:"consecutive_below"`
	// GraceDays: after reinstatement the group is left alone this long.
	GraceDays int `json:"grace_days"`
	// Action says what a restriction means on this marketplace.
	Action string `json:"action"`
	// Source cites the marketplace rule.
	Source string `json:"source,omitempty"`
}

// Event types of outgoing webhooks.
const (
	EventEnforcementChanged = "enforcement.changed"
	EventAppealDecided      = "appeal.decided"
	EventDefectCreated      = "defect.created"
)

// Subscription is an operator-registered receiver of outgoing webhooks.
type Subscription struct {
	ID       string   `json:"id"`
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	SellerID string   `json:"seller_id,omitempty"` // "" for every seller
	// Secret signs deliveries; it is shown once, when created.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled,omitempty"`
}

// OutboxEvent is an event to announce, written in the transaction of the
// change it announces. Data is its JSON payload.
type OutboxEvent struct {
	ID       string    `json:"id"` // stable: receivers deduplicate on it
	Type     string    `json:"type"`
	SellerID string    `json:"seller_id"`
	At       time.Time `json:"created_at"`
	Data     []byte    `json:"-"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event for one subscription.
type Delivery struct {
	ID           int64     `json:"id"`
	Subscription string    `json:"subscription_id"`
	URL          string    `json:"url"`
	Secret       string    `json:"-"`
	EventID      string    `json:"event_id"`
	Type         string    `json:"type"`
	SellerID     string    `json:"seller_id"`
	Body         []byte    `json:"-"` // the exact bytes sent and signed
	Status       string    `json:"status"`
	Attempts     int       `json:"attempts"`
	CreatedAt    time.Time `json:"created_at"`
	NextAttempt  time.Time `json:"next_attempt_at,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	DeliveredAt  time.Time `json:"delivered_at,omitzero"`
}

// Outbox is the durable queue of outgoing webhooks.
type Outbox interface {
	// ClaimDue leases up to n deliveries due at now, at most one per
	// subscription and only its oldest pending one (deliveries stay in
	// order per subscription), until now+lease; a lease that expires
	// (its server died) is claimed again: at least once.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, n int) ([]Delivery, error)
	// Delivered, Retry and Failed record an attempt's outcome.
	Delivered(ctx context.Context, id int64, at time.Time) error
	Retry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error
	Failed(ctx context.Context, id int64, attempts int, at time.Time, lastErr string) error
}
