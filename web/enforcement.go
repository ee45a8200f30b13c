package web

import (
	"net/http"

	"github.com/vtr-project/vtr"
)

// actor names a key in the audit history.
func (c *caller) actor() string { return "key:" + c.key.ID }

// enforcementAnswer is a seller's states and their history.
type enforcementAnswer struct {
	States  []vtr.Enforcement `json:"states"`
	History []vtr.Transition  `json:"history"`
}

// enforcement answers a seller's groups' states and the audit history.
func (s *Server) enforcement(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Seller(r.Context(), id); err != nil {
		return err
	}
	ans := enforcementAnswer{States: []vtr.Enforcement{}, History: []vtr.Transition{}}
	st, err := s.cfg.Enforce.States.States(r.Context(), id)
	if err != nil {
		return err
	}
	h, err := s.cfg.Enforce.States.History(r.Context(), id)
	if err != nil {
		return err
	}
	ans.States = append(ans.States, st...)
	ans.History = append(ans.History, h...)
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// privileges answers which groups the seller may self-fulfil now.
func (s *Server) privileges(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	q, err := query(r, "as_of")
	if err != nil {
		return err
	}
	at, err := s.asOf(q)
	if err != nil {
		return err
	}
	ps, err := s.cfg.Enforce.Privileges(r.Context(), id, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"seller_id": id, "as_of": at, "privileges": ps})
	return nil
}

// appealDraft answers a plan of action pre-filled with the root causes.
func (s *Server) appealDraft(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	q, err := query(r, "policy", "group", "as_of")
	if err != nil {
		return err
	}
	for _, f := range []string{"policy", "group"} {
		if q[f] == "" {
			return vtr.FieldErrorf(vtr.EINVALID, f, "required")
		}
	}
	at, err := s.asOf(q)
	if err != nil {
		return err
	}
	d, err := s.cfg.Enforce.Draft(r.Context(), vtr.GroupKey{SellerID: id, Policy: q["policy"], Group: q["group"]}, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// appealRequest is POST /v1/sellers/{id}/appeals's body.
type appealRequest struct {
	Policy string           `json:"policy"`
	Group  string           `json:"group"`
	Plan   vtr.PlanOfAction `json:"plan"`
}

// postAppeal submits a plan of action for a restricted group.
func (s *Server) postAppeal(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	var req appealRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	for f, v := range map[string]string{"policy": req.Policy, "group": req.Group} {
		if v == "" {
			return vtr.FieldErrorf(vtr.EINVALID, f, "required")
		}
	}
	a, err := s.cfg.Enforce.Submit(r.Context(), vtr.GroupKey{SellerID: id, Policy: req.Policy, Group: req.Group}, req.Plan, c.actor(), s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// listAppeals lists appeals (operator keys), ?status=pending by default.
func (s *Server) listAppeals(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r, "status", "seller_id")
	if err != nil {
		return err
	}
	status, ok := q["status"]
	if !ok {
		status = vtr.AppealPending
	}
	switch status {
	case "", "all":
		status = ""
	case vtr.AppealPending, vtr.AppealApproved, vtr.AppealRejected:
	default:
		return vtr.FieldErrorf(vtr.EINVALID, "status", "%q is not pending, approved, rejected or all", status)
	}
	as, err := s.cfg.Enforce.States.Appeals(r.Context(), q["seller_id"], status)
	if err != nil {
		return err
	}
	if as == nil {
		as = []vtr.Appeal{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"appeals": as})
	return nil
}

// decisionRequest is POST /v1/appeals/{id}/decision's body.
type decisionRequest struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// decide approves or rejects an appeal (operator keys).
func (s *Server) decide(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req decisionRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if req.Decision != "approve" && req.Decision != "reject" {
		return vtr.FieldErrorf(vtr.EINVALID, "decision", "%q is not approve or reject", req.Decision)
	}
	a, err := s.cfg.Enforce.Decide(r.Context(), r.PathValue("id"), req.Decision == "approve", req.Note, c.actor(), s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
