package sqlutil

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/vtr-project/vtr"
)

// Enforcement keeps enforcement states, their audit history and appeals
// in standard SQL, the same on every engine. A change is one transaction
// that compares and sets the group's version, appends its history and
// queues the outgoing webhooks announcing it: two servers evaluating at
// once cannot both apply a change read from the same state.
type Enforcement struct {
	DB     *sql.DB
	Rebind func(string) string
	// Lock, when set, takes the engine's writer lock first (PostgreSQL's
	// advisory lock): writers then commit one at a time, so outbox rows
	// commit in the order of their IDs and deliveries stay in order.
	Lock func(context.Context, *sql.Tx) error
}

func (e *Enforcement) q(s string) string {
	if e.Rebind == nil {
		return s
	}
	return e.Rebind(s)
}

const enfCols = `seller_id, policy, grp, state, since, below, evaluated, grace_until, version`

func scanEnforcement(r Scanner) (vtr.Enforcement, error) {
	var x vtr.Enforcement
	var since, evaluated, grace int64
	err := r.Scan(&x.SellerID, &x.Policy, &x.Group, &x.State, &since, &x.Below, &evaluated, &grace, &x.Version)
	x.Since, x.Evaluated, x.GraceUntil = FromUnix(since), FromUnix(evaluated), FromUnix(grace)
	return x, err
}

// States lists a seller's groups by policy and group.
func (e *Enforcement) States(ctx context.Context, sellerID string) ([]vtr.Enforcement, error) {
	var out []vtr.Enforcement
	rows, err := e.DB.QueryContext(ctx, e.q(`SELECT `+enfCols+` FROM enforcement WHERE seller_id = ? ORDER BY policy, grp`), sellerID)
	return out, Each(rows, err, func(r *sql.Rows) error {
		x, err := scanEnforcement(r)
		out = append(out, x)
		return err
	})
}

// AllStates lists every group in a state other than ok (the operator's
// view), by seller, policy and group.
func (e *Enforcement) AllStates(ctx context.Context) ([]vtr.Enforcement, error) {
	var out []vtr.Enforcement
	rows, err := e.DB.QueryContext(ctx, `SELECT `+enfCols+` FROM enforcement WHERE state <> 'ok' ORDER BY seller_id, policy, grp`)
	return out, Each(rows, err, func(r *sql.Rows) error {
		x, err := scanEnforcement(r)
		out = append(out, x)
		return err
	})
}

// State returns one group's state; absent, ok is false.
func (e *Enforcement) State(ctx context.Context, k vtr.GroupKey) (vtr.Enforcement, bool, error) {
	x, err := scanEnforcement(e.DB.QueryRowContext(ctx, e.q(`SELECT `+enfCols+` FROM enforcement WHERE seller_id = ? AND policy = ? AND grp = ?`), k.SellerID, k.Policy, k.Group))
	if err == sql.ErrNoRows {
		return vtr.Enforcement{GroupKey: k}, false, nil
	}
	return x, err == nil, err
}

// History lists a seller's transitions, oldest first.
func (e *Enforcement) History(ctx context.Context, sellerID string) ([]vtr.Transition, error) {
	var out []vtr.Transition
	rows, err := e.DB.QueryContext(ctx, e.q(`SELECT seller_id, seq, policy, grp, from_state, to_state, at, actor, figures, note, rule
		FROM enforcement_history WHERE seller_id = ? ORDER BY seq`), sellerID)
	return out, Each(rows, err, func(r *sql.Rows) error {
		var t vtr.Transition
		var at int64
		var fig string
		if err := r.Scan(&t.SellerID, &t.Seq, &t.Policy, &t.Group, &t.From, &t.To, &at, &t.Actor, &fig, &t.Note, &t.Rule); err != nil {
			return err
		}
		t.At = FromUnix(at)
		if err := json.Unmarshal([]byte(fig), &t.Figures); err != nil {
			return fmt.Errorf("history %s/%d: figures: %w", t.SellerID, t.Seq, err)
		}
		out = append(out, t)
		return nil
	})
}

// Change is one change to a group: the state read (Version as read), the
// state to write, the transition to record (nil: none), the appeal to
// insert or update (nil: none) and the events announcing it.
type Change struct {
	Cur, Next  vtr.Enforcement
	Transition *vtr.Transition
	Appeal     *vtr.Appeal
	Events     []vtr.OutboxEvent
}

// Apply makes a change in one transaction. A group changed since it was
// read is an ECONFLICT error, and nothing is written.
func (e *Enforcement) Apply(ctx context.Context, c *Change, enqueue func(context.Context, *sql.Tx, vtr.OutboxEvent) error) error {
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if e.Lock != nil {
		if err := e.Lock(ctx, tx); err != nil {
			return err
		}
	}
	n := c.Next
	args := []any{n.State, Unix(n.Since), n.Below, Unix(n.Evaluated), Unix(n.GraceUntil), c.Cur.Version + 1, n.SellerID, n.Policy, n.Group}
	var res sql.Result
	if c.Cur.Version == 0 {
		res, err = tx.ExecContext(ctx, e.q(`INSERT INTO enforcement (state, since, below, evaluated, grace_until, version, seller_id, policy, grp)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), args...)
	} else {
		res, err = tx.ExecContext(ctx, e.q(`UPDATE enforcement SET state = ?, since = ?, below = ?, evaluated = ?, grace_until = ?, version = ?
			WHERE seller_id = ? AND policy = ? AND grp = ? AND version = ?`), append(args, c.Cur.Version)...)
	}
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil {
		return err
	} else if k != 1 {
		return vtr.Errorf(vtr.ECONFLICT, "the %s group %q of seller %s changed meanwhile; read it again", n.Policy, n.Group, n.SellerID)
	}
	if t := c.Transition; t != nil {
		fig, err := json.Marshal(t.Figures)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, e.q(`SELECT COALESCE(MAX(seq), 0) + 1 FROM enforcement_history WHERE seller_id = ?`), t.SellerID).Scan(&t.Seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, e.q(`INSERT INTO enforcement_history (seller_id, seq, policy, grp, from_state, to_state, at, actor, figures, note, rule)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), t.SellerID, t.Seq, t.Policy, t.Group, t.From, t.To, Unix(t.At), t.Actor, string(fig), t.Note, t.Rule); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	if a := c.Appeal; a != nil {
		plan, err := json.Marshal(a.Plan)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, e.q(`INSERT INTO appeals (seller_id, appeal_id, policy, grp, plan, status, submitted_at, submitted_by, decided_at, decided_by, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (seller_id, appeal_id) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at, decided_by = excluded.decided_by, note = excluded.note`),
			a.SellerID, a.ID, a.Policy, a.Group, string(plan), a.Status, Unix(a.SubmittedAt), a.SubmittedBy, Unix(a.DecidedAt), a.DecidedBy, a.Note); err != nil {
			return fmt.Errorf("appeal: %w", err)
		}
	}
	for _, ev := range c.Events {
		if err := enqueue(ctx, tx, ev); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return tx.Commit()
}

const appealCols = `seller_id, appeal_id, policy, grp, plan, status, submitted_at, submitted_by, decided_at, decided_by, note`

func scanAppeal(r Scanner) (vtr.Appeal, error) {
	var a vtr.Appeal
	var plan string
	var sub, dec int64
	if err := r.Scan(&a.SellerID, &a.ID, &a.Policy, &a.Group, &plan, &a.Status, &sub, &a.SubmittedBy, &dec, &a.DecidedBy, &a.Note); err != nil {
		return a, err
	}
	a.SubmittedAt, a.DecidedAt = FromUnix(sub), FromUnix(dec)
	return a, json.Unmarshal([]byte(plan), &a.Plan)
}

// Appeals lists appeals, newest first: one seller's ("" for every
// seller's), in one status ("" for any).
func (e *Enforcement) Appeals(ctx context.Context, sellerID, status string) ([]vtr.Appeal, error) {
	var out []vtr.Appeal
	rows, err := e.DB.QueryContext(ctx, e.q(`SELECT `+appealCols+` FROM appeals
		WHERE (? = '' OR seller_id = ?) AND (? = '' OR status = ?) ORDER BY submitted_at DESC, appeal_id`), sellerID, sellerID, status, status)
	return out, Each(rows, err, func(r *sql.Rows) error {
		a, err := scanAppeal(r)
		out = append(out, a)
		return err
	})
}

// Appeal returns one appeal by its ID.
func (e *Enforcement) Appeal(ctx context.Context, id string) (*vtr.Appeal, error) {
	a, err := scanAppeal(e.DB.QueryRowContext(ctx, e.q(`SELECT `+appealCols+` FROM appeals WHERE appeal_id = ?`), id))
	if err != nil {
		return nil, notFound(err, "no appeal %s", id)
	}
	return &a, nil
}
